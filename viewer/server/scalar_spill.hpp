// The memory budget of the store's scalar points (--max_memory) and the cache file that holds
// the points beyond it.
//
// Every ScalarColumns of a Store charges its resident bytes (point chunks and block
// summaries) to the Store's one ScalarSpill. When the total exceeds the budget the loader
// spills chunks: their packed 20-byte points go to this file, byte for byte as they were in
// RAM, and RAM keeps per 64-point block a summary (first/last step, first min, first max,
// first NaN/+inf/-inf) from which the downsampled chart routes answer without reading the
// points back. Full-resolution reads (CSV/JSON export, zoom, single points) pread the bytes.
//
// Why a columnar cache file rather than re-reading the event files by record offset: a chunk
// comes back with one pread of exactly its bytes (no protobuf parsing, no CRC, no records of
// other tags interleaved with the wanted ones), it works the same for s3:// logdirs (where a
// re-read is an HTTP range request), and it costs 20 bytes a point on disk, less than the
// event records themselves (~30 bytes a scalar). The file is unlinked as soon as it is
// created, so it vanishes with the process, even after a crash.
//
// Thread safety: charge() is atomic; slots are handed out under a mutex; reads and writes
// are pread/pwrite of disjoint ranges (a chunk's owner serialises access to its own slot
// under its run's lock).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace tblog::view {

class ScalarSpill {
public:
    static constexpr std::uint64_t kUnlimited = std::numeric_limits<std::uint64_t>::max();

    explicit ScalarSpill(std::uint64_t budget = kUnlimited, std::filesystem::path cache_dir = {});
    ~ScalarSpill();
    ScalarSpill(const ScalarSpill&) = delete;
    ScalarSpill& operator=(const ScalarSpill&) = delete;

    std::uint64_t budget() const { return budget_; }
    // Bytes of scalar points and summaries held in RAM by every series charging this budget.
    std::int64_t resident() const { return resident_.load(std::memory_order_relaxed); }
    bool over_budget() const { return budget_ != kUnlimited && resident() > static_cast<std::int64_t>(budget_); }
    void charge(std::int64_t delta) { resident_.fetch_add(delta, std::memory_order_relaxed); }

    // A slot of `bytes` in the cache file (opened on first use; throws std::runtime_error if
    // it cannot be created). Released slots of the same size are reused.
    std::uint64_t allocate(std::size_t bytes);
    void release(std::uint64_t offset, std::size_t bytes);

    // Throw std::runtime_error on an I/O failure.
    void write(std::uint64_t offset, const void* data, std::size_t n);
    void read(std::uint64_t offset, void* data, std::size_t n) const;

    // Bytes of cache file handed out (spilled points, including slots free for reuse).
    std::uint64_t file_bytes() const;
    // Bytes of spilled points currently in use.
    std::uint64_t spilled_bytes() const;
    const std::filesystem::path& cache_dir() const { return dir_; }

private:
    const std::uint64_t budget_;
    const std::filesystem::path dir_;
    std::atomic<std::int64_t> resident_{0};
    mutable std::mutex mu_;  // guards what follows
    int fd_ = -1;
    std::uint64_t end_ = 0;   // file bytes handed out
    std::uint64_t in_use_ = 0;
    std::map<std::size_t, std::vector<std::uint64_t>> free_;  // released slots by size
};

// Half the machine's physical RAM (sysconf): the default --max_memory.
std::uint64_t default_memory_budget();

// "2G", "512M", "64K", "1.5G", "1048576" (bytes; K/M/G/T are powers of 1024, an optional
// trailing "B" or "iB" is accepted); "0" or "unlimited": no budget. Throws
// std::invalid_argument naming the flag and the value.
std::uint64_t parse_memory_size(const std::string& flag, const std::string& value);

}  // namespace tblog::view
