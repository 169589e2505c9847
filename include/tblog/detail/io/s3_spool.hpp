// Segments accepted but not yet stored in the bucket, oldest first: in memory up to a bound,
// past it in a local spool file, so a long outage of the store costs disk, not memory, and
// loses nothing while the process lives.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <string>

#include "tblog/detail/io/naming.hpp"

namespace tblog::detail::s3 {

class Spool {
public:
    Spool(std::size_t memory_limit, std::string dir) : limit_(memory_limit), dir_(std::move(dir)) {
        if (dir_.empty()) {
            const char* t = std::getenv("TMPDIR");
            dir_ = t && *t ? t : "/tmp";
        }
    }
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;
    ~Spool() {
        if (fd_ >= 0) {
            ::close(fd_);
            if (items_.empty() || !keep_file_) ::unlink(file_.c_str());
        }
    }

    bool empty() const { return items_.empty(); }
    std::size_t size() const { return items_.size(); }
    std::uint64_t bytes() const { return total_; }
    std::size_t memory_bytes() const { return memory_; }
    std::uint64_t disk_bytes() const { return total_ - memory_; }
    const std::string& file() const { return file_; }
    const std::string& front_key() const { return items_.front().key; }

    void push(std::string key, std::string bytes) {
        Item it;
        it.key = std::move(key);
        it.len = bytes.size();
        if (memory_ + bytes.size() > limit_ && to_disk(it, bytes)) {
            // stored in the spool file
        } else {
            memory_ += bytes.size();
            it.bytes = std::move(bytes);
        }
        total_ += it.len;
        items_.push_back(std::move(it));
    }

    // The oldest segment's bytes (read back from the spool file when it is there).
    bool front(std::string& out) const {
        const Item& it = items_.front();
        if (!it.on_disk) {
            out = it.bytes;
            return true;
        }
        out.resize(it.len);
        std::size_t done = 0;
        while (done < it.len) {
            const auto n = ::pread(fd_, out.data() + done, it.len - done, static_cast<off_t>(it.offset + done));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            done += static_cast<std::size_t>(n);
        }
        return true;
    }

    void pop() {
        const Item& it = items_.front();
        if (!it.on_disk) memory_ -= it.len;
        total_ -= it.len;
        items_.pop_front();
        if (items_.empty() && fd_ >= 0 && end_ > 0) {  // start the spool file over
            if (::ftruncate(fd_, 0) == 0) end_ = 0;
        }
    }

    // Moves every in-memory segment to the spool file (close() gave up on the store) and
    // keeps the file when the process ends. Returns false if the disk refused.
    bool persist() {
        keep_file_ = true;
        bool ok = true;
        for (auto& it : items_)
            if (!it.on_disk) {
                if (to_disk(it, it.bytes)) {
                    memory_ -= it.len;
                    std::string().swap(it.bytes);
                } else {
                    ok = false;
                }
            }
        return ok;
    }

    std::string keys() const {
        std::string s;
        for (const auto& it : items_) s += (s.empty() ? "" : ", ") + it.key;
        return s;
    }

private:
    struct Item {
        std::string key;
        std::string bytes;  // when in memory
        std::uint64_t offset = 0;
        std::size_t len = 0;
        bool on_disk = false;
    };

    bool to_disk(Item& it, const std::string& bytes) {
        if (fd_ < 0) {
            static std::atomic<unsigned> n{0};
            file_ = dir_ + "/tblog-s3-spool." + std::to_string(process_id()) + "." + std::to_string(n++);
            fd_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
            if (fd_ < 0) return false;
        }
        std::size_t done = 0;
        while (done < bytes.size()) {
            const auto w = ::pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(end_ + done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return false;  // disk full: the segment stays in memory
            done += static_cast<std::size_t>(w);
        }
        it.offset = end_;
        it.on_disk = true;
        end_ += bytes.size();
        return true;
    }

    const std::size_t limit_;
    std::string dir_;
    std::string file_;
    int fd_ = -1;
    std::uint64_t end_ = 0;
    bool keep_file_ = false;
    std::deque<Item> items_;
    std::size_t memory_ = 0;
    std::uint64_t total_ = 0;
};

}  // namespace tblog::detail::s3
