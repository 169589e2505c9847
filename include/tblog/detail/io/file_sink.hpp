// One event file on disk, owned by the writer thread. Knows bytes and file descriptors,
// nothing about events: callers hand it finished records.
//
// Bytes are collected in `pending_` and handed to the OS by write_out(). When the OS says
// no (disk full, quota, I/O error) the bytes stay in `pending_` and the error is returned,
// so nothing already accepted is lost and a later write_out() can retry (the contract of
// every Sink, see storage.hpp).
//
// Whole records only: `pending_` holds whole TFRecord records, and when a write stops inside
// one (the disk filled up after part of it), the file is cut back to the end of the last whole
// record and that record stays pending, as SQLite rolls back a partial page. So the file never
// ends in a torn record that a crash would then make permanent.
#pragma once

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>

#include "tblog/detail/io/record.hpp"
#include "tblog/detail/io/storage.hpp"

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#include <sys/stat.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

namespace tblog::detail {

class FileSink final : public Sink {
public:
    FileSink() = default;
    FileSink(const FileSink&) = delete;
    FileSink& operator=(const FileSink&) = delete;
    ~FileSink() { close_fd(); }

    // Creates the file (it must not exist: names are unique per process). Returns the error.
    // Creates missing parent directories first.
    std::error_code open(const std::string& path) override {
        path_ = path;
        std::error_code dir_ec;
        const auto parent = std::filesystem::path(path).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent, dir_ec);
        if (dir_ec) return dir_ec;
#if defined(_WIN32)
        fd_ = ::_open(path.c_str(), _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY, _S_IREAD | _S_IWRITE);
#else
        fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
#endif
        if (fd_ < 0) return {errno, std::generic_category()};
        return {};
    }

    bool is_open() const { return fd_ >= 0; }

    // Hands every buffered byte to the OS. On failure keeps what was not written.
    std::error_code write_out() override {
        if (fd_ < 0) return pending_.empty() ? std::error_code{} : std::make_error_code(std::errc::bad_file_descriptor);
        std::size_t done = 0;
        std::error_code ec;
        while (done < pending_.size()) {
#if defined(_WIN32)
            const auto n = ::_write(fd_, pending_.data() + done, static_cast<unsigned>(pending_.size() - done));
#else
            const auto n = ::write(fd_, pending_.data() + done, pending_.size() - done);
#endif
            if (n < 0) {
                if (errno == EINTR) continue;
                ec = {errno, std::generic_category()};
                break;
            }
            if (n == 0) {
                ec = std::make_error_code(std::errc::no_space_on_device);
                break;
            }
            done += static_cast<std::size_t>(n);
        }
        if (ec) done = roll_back_partial(done);
        else misaligned_ = false;
        size_ += done;
        pending_.erase(0, done);
        // One huge event must not keep its buffer's high-water mark for the file's lifetime.
        if (pending_.empty() && pending_.capacity() > kKeepCapacity) std::string().swap(pending_);
        return ec;
    }

    std::error_code close() override {
        auto ec = write_out();
        if (!ec) close_fd();
        return ec;
    }

    static constexpr std::size_t kKeepCapacity = 4 << 20;

private:
    // After a write that stopped at byte `done` of pending_: if that is inside a record, cuts
    // the file back to the record's start (so it ends in a whole record) and returns the
    // number of bytes that count as written. If the file cannot be cut, the partial record
    // stays and the next write_out() completes it.
    std::size_t roll_back_partial(std::size_t done) {
        if (misaligned_) return done;  // pending_ begins inside a record: finish it first
        std::size_t whole = 0;
        while (whole + record::kHeaderSize <= pending_.size()) {
            const std::uint64_t len = record::get_u64(pending_.data() + whole);
            const std::size_t next = whole + record::kOverhead + static_cast<std::size_t>(len);
            if (next > done) break;
            whole = next;
        }
        if (whole == done) return done;
#if defined(_WIN32)
        const bool cut = ::_chsize_s(fd_, static_cast<long long>(size_ + whole)) == 0 &&
                         ::_lseeki64(fd_, static_cast<long long>(size_ + whole), SEEK_SET) >= 0;
#else
        const auto at = static_cast<off_t>(size_ + whole);
        const bool cut = ::ftruncate(fd_, at) == 0 && ::lseek(fd_, at, SEEK_SET) == at;
#endif
        misaligned_ = !cut;
        return cut ? whole : done;
    }

    void close_fd() {
        if (fd_ >= 0) {
#if defined(_WIN32)
            ::_close(fd_);
#else
            ::close(fd_);
#endif
            fd_ = -1;
        }
    }

    int fd_ = -1;
    std::uint64_t size_ = 0;   // bytes in the file
    bool misaligned_ = false;  // a cut failed: pending_ begins with the rest of a record
};

}  // namespace tblog::detail
