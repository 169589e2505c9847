// Reading the records appended to an event file since the last visit.
//
// Each event file has a FileCursor: the offset of the next unread record. A visit reads the
// bytes between the cursor and the current end of the file in large chunks (pread, no
// per-record syscalls), checks both CRCs of every record and hands the good records to the
// caller one chunk at a time. Nothing is ever read twice.
//
// What the bytes can hold at the end of a file still being written:
//   * a partial record (short header, short data): "not written yet"; the cursor stays
//     before it and the next visit picks it up whole;
//   * a record whose data CRC fails: skipped and counted; if it ends exactly at the end of
//     the file it gets one more visit first (some filesystems show the new size before the
//     data);
//   * a header whose CRC fails (a damaged length): the bytes are scanned forward for the next
//     valid record header and reading resumes there; nothing valid after it means the damage
//     is at the tail and the cursor waits there. The scan strides over zeros and garbage,
//     computing a CRC only where a header could start (a 1 GiB zero-filled file is skipped
//     at memory speed).
// The first problem of each file is logged once; all are counted.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace tblog::view {

struct FileCursor {
    std::uint64_t offset = 0;             // next record starts here
    std::uint64_t suspect_offset = ~0ULL;  // a bad-CRC record at EOF, given one more visit
    bool resyncing = false;               // searching for a valid header after damage
    bool dead = false;                    // unreadable (vanished, shrank)
    bool logged = false;                  // first problem already reported
    std::uint64_t corrupt_records = 0;    // records skipped for a bad CRC
    std::uint64_t skipped_bytes = 0;      // bytes skipped while resynchronising
    std::uint64_t header_checks = 0;      // header CRCs computed (resync skips most positions without one)
};

struct ScanResult {
    std::uint64_t bytes = 0;       // bytes consumed by this visit
    std::uint64_t records = 0;     // good records delivered
    bool truncated_tail = false;   // the file ends inside a record (for now)
};

using RecordBatchFn = std::function<void(const std::vector<std::string_view>&)>;

// Reads the new records of `path` from `cursor`, delivering them in batches (views into a
// buffer valid only during the call). `buffer` is reused between calls.
ScanResult scan_new_records(const std::string& path, FileCursor& cursor, std::string& buffer,
                            const RecordBatchFn& on_batch);

// Chunk size of one read.
inline constexpr std::size_t kScanChunk = std::size_t{4} << 20;

}  // namespace tblog::view
