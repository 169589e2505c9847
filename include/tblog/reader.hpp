// Reading event files: record by record, with CRC checks, resumable.
//
//   tblog::EventFileReader r(path);
//   std::string rec;
//   while (r.next(rec) == tblog::ReadStatus::ok) { ... parse rec as an Event ... }
//
// A file that is still being written usually ends in a partial record. next() reports it
// as ReadStatus::truncated without consuming it, so calling next() again after the writer
// has appended more picks the record up whole. A record whose CRC does not match is
// ReadStatus::corrupt; skip_corrupt() moves past it.
#pragma once

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tblog/detail/io/crc32c.hpp"
#include "tblog/detail/io/record.hpp"

namespace tblog {

enum class ReadStatus {
    ok,         // `record` holds the next record's data
    end,        // clean end of file: nothing more (yet)
    truncated,  // the file ends inside a record: not written completely (yet)
    corrupt,    // a CRC does not match; see skip_corrupt()
};

inline const char* to_string(ReadStatus s) {
    switch (s) {
        case ReadStatus::ok: return "ok";
        case ReadStatus::end: return "end";
        case ReadStatus::truncated: return "truncated";
        case ReadStatus::corrupt: return "corrupt";
    }
    return "?";
}

class EventFileReader {
public:
    explicit EventFileReader(std::string path, std::uint64_t start_offset = 0)
        : path_(std::move(path)), offset_(start_offset) {
        in_.open(path_, std::ios::binary);
        if (!in_) throw std::runtime_error("tblog: cannot open event file '" + path_ + "'");
    }

    // Byte offset of the next record: save it to resume later with a new reader.
    std::uint64_t offset() const { return offset_; }
    const std::string& path() const { return path_; }

    ReadStatus next(std::string& record) {
        namespace rec = detail::record;
        char header[rec::kHeaderSize];
        const std::size_t got = read_at(offset_, header, sizeof(header));
        if (got == 0) return ReadStatus::end;
        if (got < sizeof(header)) return ReadStatus::truncated;
        if (detail::crc32c::masked_value(header, 8) != rec::get_u32(header + 8)) {
            bad_length_ = true;
            return ReadStatus::corrupt;
        }
        const std::uint64_t len = rec::get_u64(header);
        if (len > kMaxRecord) {
            bad_length_ = true;
            return ReadStatus::corrupt;
        }
        // Memory only for bytes that exist: a damaged (or hostile) length with a matching
        // CRC must not make the reader allocate gigabytes for a small file.
        if (!available(offset_ + rec::kOverhead + len)) return ReadStatus::truncated;
        record.resize(static_cast<std::size_t>(len));
        if (read_at(offset_ + rec::kHeaderSize, record.data(), record.size()) < record.size())
            return ReadStatus::truncated;
        char footer[rec::kFooterSize];
        if (read_at(offset_ + rec::kHeaderSize + len, footer, sizeof(footer)) < sizeof(footer))
            return ReadStatus::truncated;
        if (detail::crc32c::masked_value(record.data(), record.size()) != rec::get_u32(footer)) {
            bad_length_ = false;
            corrupt_len_ = len;
            return ReadStatus::corrupt;
        }
        offset_ += rec::kOverhead + len;
        return ReadStatus::ok;
    }

    // After ReadStatus::corrupt: if the length was intact, skips that one record and returns
    // true; if the length itself is damaged there is no safe way to resynchronise, so it
    // returns false and the rest of the file is unreadable.
    bool skip_corrupt() {
        if (bad_length_) return false;
        offset_ += detail::record::kOverhead + corrupt_len_;
        return true;
    }

private:
    // True if the file holds at least `end` bytes (the size is looked up again only when the
    // last known size is not enough: the file may be growing).
    bool available(std::uint64_t end) {
        if (end <= known_size_) return true;
        in_.clear();
        in_.seekg(0, std::ios::end);
        const auto size = in_.tellg();
        if (size > 0) known_size_ = static_cast<std::uint64_t>(size);
        return end <= known_size_;
    }

    std::size_t read_at(std::uint64_t pos, char* dst, std::size_t n) {
        in_.clear();
        in_.seekg(static_cast<std::streamoff>(pos));
        if (!in_) return 0;
        in_.read(dst, static_cast<std::streamsize>(n));
        return static_cast<std::size_t>(in_.gcount());
    }

    static constexpr std::uint64_t kMaxRecord = std::uint64_t{1} << 32;  // 4 GiB: beyond is garbage

    std::string path_;
    std::ifstream in_;
    std::uint64_t offset_ = 0;
    std::uint64_t known_size_ = 0;
    bool bad_length_ = false;
    std::uint64_t corrupt_len_ = 0;
};

// Every complete record of a file (stops at the first truncated or corrupt one).
inline std::vector<std::string> read_records(const std::string& path, ReadStatus* last = nullptr) {
    EventFileReader r(path);
    std::vector<std::string> out;
    std::string rec;
    ReadStatus s;
    while ((s = r.next(rec)) == ReadStatus::ok) out.push_back(rec);
    if (last) *last = s;
    return out;
}

}  // namespace tblog
