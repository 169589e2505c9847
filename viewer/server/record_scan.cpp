#include "record_scan.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "log_storage.hpp"
#include "tblog/detail/io/crc32c.hpp"
#include "tblog/detail/io/record.hpp"

namespace tblog::view {

namespace {

// The framing is the library's (tblog/detail/io/record.hpp), the one definition both share.
constexpr std::size_t kHeader = detail::record::kHeaderSize;
constexpr std::size_t kFooter = detail::record::kFooterSize;
constexpr std::uint64_t kMaxRecord = std::uint64_t{1} << 31;  // larger is taken as damage

inline std::uint64_t load_u64(const char* p) { return detail::record::get_u64(p); }
inline std::uint32_t load_u32(const char* p) { return detail::record::get_u32(p); }

bool header_ok(const char* p, FileCursor& c) {
    ++c.header_checks;
    return detail::crc32c::masked_value(p, 8) == load_u32(p + 8) && load_u64(p) <= kMaxRecord;
}

// Twelve zero bytes are never a valid header (the masked CRC of eight zero bytes is not 0).
const bool kZeroHeaderInvalid = [] {
    const char zeros[8] = {};
    return detail::crc32c::masked_value(zeros, 8) != 0;
}();

bool all_zero(const char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        if (p[i]) return false;
    return true;
}

// The first position >= q in b[0, got) where a record header could start, judged without a
// CRC: a length <= kMaxRecord has bytes 4..7 zero and byte 3 <= 0x80, and a window of zeros
// is no header. Skipping damage this way costs about a quarter of a load per byte of
// garbage and a word compare per 8 zero bytes (space preallocated and never written, a
// sparse file), instead of a CRC per byte. Returns got - (kHeader - 1) or more when no
// header fits.
std::size_t next_candidate(const char* b, std::size_t q, std::size_t got) {
    constexpr std::size_t kHdr = 12;
    while (q + kHdr <= got) {
        if (b[q + 7] != 0) {  // byte q+7 is in the zero part of every header starting at q..q+3
            q += 4;
            continue;
        }
        if (kZeroHeaderInvalid && all_zero(b + q, kHdr)) {
            std::size_t z = q + kHdr;  // first non-zero byte after the window
            while (z + 8 <= got && load_u64(b + z) == 0) z += 8;
            while (z < got && b[z] == 0) ++z;
            q = z - (kHdr - 1);  // every start before this has twelve zeros
            continue;
        }
        if (b[q + 4] == 0 && b[q + 5] == 0 && b[q + 6] == 0 && static_cast<unsigned char>(b[q + 3]) <= 0x80) return q;
        ++q;
    }
    return q;
}

class Fd {
public:
    explicit Fd(const std::string& path) : fd_(path.empty() ? -1 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

std::size_t read_at(int fd, char* dst, std::size_t n, std::uint64_t at) {
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = ::pread(fd, dst + got, n - got, static_cast<off_t>(at + got));
        if (r <= 0) break;
        got += static_cast<std::size_t>(r);
    }
    return got;
}

void report_once(FileCursor& c, const std::string& path, const char* what, std::uint64_t at) {
    if (c.logged) return;
    c.logged = true;
    std::fprintf(stderr, "tblog-view: %s: %s at byte %llu (further problems in this file are counted, not logged)\n",
                 path.c_str(), what, static_cast<unsigned long long>(at));
}

}  // namespace

ScanResult scan_new_records(const std::string& path, FileCursor& cur, std::string& buf,
                            const RecordBatchFn& on_batch) {
    ScanResult res;
    if (cur.dead) return res;
    // Local files by pread; s3:// objects by ranged GET, their size from the latest listing.
    const bool remote = is_remote_path(path);
    Fd fd(remote ? std::string() : path);
    std::uint64_t size = 0;
    if (remote) {
        const auto s = remote_size(path);
        if (!s) {
            cur.dead = true;  // no longer listed
            return res;
        }
        size = *s;
    } else {
        struct stat st {};
        if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {
            cur.dead = true;  // vanished: what was read stays, nothing more comes
            return res;
        }
        size = static_cast<std::uint64_t>(st.st_size);
    }
    auto read_chunk = [&](char* dst, std::size_t n, std::uint64_t at) {
        return remote ? remote_read_at(path, dst, n, at) : read_at(fd.get(), dst, n, at);
    };
    if (size < cur.offset) {
        report_once(cur, path, "file shrank (rewritten?); no longer read", size);
        cur.dead = true;
        return res;
    }

    std::vector<std::string_view> records;
    std::size_t want = kScanChunk;
    while (cur.offset < size) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size - cur.offset, want));
        if (buf.size() < n) buf.resize(n);
        const std::size_t got = read_chunk(buf.data(), n, cur.offset);
        const bool at_eof = cur.offset + got >= size;
        const char* b = buf.data();
        std::size_t pos = 0;
        bool need_more = false;  // the record at `pos` does not fit the chunk
        // Where the damage being skipped starts in this chunk (0 if it started before).
        std::size_t damage_at = cur.resyncing ? 0 : std::string::npos;

        while (got - pos >= kHeader) {
            const char* p = b + pos;
            if (!header_ok(p, cur)) {
                if (!cur.resyncing) {
                    report_once(cur, path, "damaged record header; searching for the next record", cur.offset + pos);
                    cur.resyncing = true;
                    damage_at = pos;
                }
                pos = next_candidate(b, pos + 1, got);
                continue;
            }
            const std::uint64_t len = load_u64(p);
            const std::uint64_t total = kHeader + len + kFooter;
            if (got - pos < total) {
                need_more = true;
                break;
            }
            const bool data_ok =
                detail::crc32c::masked_value(p + kHeader, static_cast<std::size_t>(len)) == load_u32(p + kHeader + len);
            if (!data_ok) {
                if (cur.resyncing) {  // a header that is valid by chance inside damaged bytes
                    pos = next_candidate(b, pos + 1, got);
                    continue;
                }
                const std::uint64_t rec_at = cur.offset + pos;
                if (at_eof && pos + total == got && cur.suspect_offset != rec_at) {
                    cur.suspect_offset = rec_at;  // maybe not written out yet: one more visit
                    break;
                }
                report_once(cur, path, "record with a bad CRC skipped", rec_at);
                ++cur.corrupt_records;
                pos += static_cast<std::size_t>(total);
                continue;
            }
            if (cur.resyncing) {  // found the next good record: the damage is behind us
                cur.resyncing = false;
                ++cur.corrupt_records;
                cur.skipped_bytes += pos - damage_at;
                damage_at = std::string::npos;
            }
            records.emplace_back(p + kHeader, static_cast<std::size_t>(len));
            pos += static_cast<std::size_t>(total);
        }
        if (cur.resyncing && at_eof && !need_more) {
            // Nothing valid after the damage (yet): it may be a tail still being written.
            // Wait before it rather than skip it.
            if (damage_at != std::string::npos && damage_at > 0) cur.resyncing = false;
            pos = damage_at == std::string::npos ? pos : damage_at;
        }

        if (!records.empty()) {
            on_batch(records);
            res.records += records.size();
            records.clear();
        }
        if (cur.resyncing && !at_eof && !need_more) {
            // Skip the damaged bytes of this chunk but keep the last ones: a header may
            // straddle the chunk boundary.
            const std::size_t keep = std::min<std::size_t>(got - pos, kHeader - 1);
            cur.skipped_bytes += got - keep - damage_at;
            pos = got - keep;
        }
        cur.offset += pos;
        res.bytes += pos;
        if (got < n) break;  // the file shrank while we read: try again next visit
        if (need_more) {
            const std::uint64_t len = load_u64(b + pos);
            const std::uint64_t total = kHeader + len + kFooter;
            if (cur.offset + total > size) {  // the file ends inside this record
                res.truncated_tail = true;
                break;
            }
            if (pos == 0) want = static_cast<std::size_t>(total);  // one record larger than a chunk
            continue;
        }
        if (at_eof) {
            if (got - pos > 0 && !cur.resyncing) res.truncated_tail = true;
            break;
        }
        if (pos == 0) break;  // no progress possible (should not happen)
        want = kScanChunk;
    }
    return res;
}

}  // namespace tblog::view
