// The memory budget of the store's data (--max_memory) and the cache file that holds what
// lies beyond it. (Named for its first tenant, the scalar points; it now also holds the
// payloads of every other kind.)
//
// Everything a Store keeps per run charges its resident bytes to the Store's one
// ScalarSpill: each run's and series' fixed costs (run_data.hpp), each ScalarColumns' point
// chunks and block summaries, each non-scalar payload (payload.hpp). When the total exceeds
// the budget the loader spills: payloads go to this file (RAM keeps their size and offset),
// then scalar chunks: their packed 20-byte points go to the file byte for byte as they were
// in RAM, and RAM keeps per 64-point block a summary (first/last step, first min, first max,
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
#include <optional>
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
    // Bytes held in RAM by everything charging this budget (points, summaries, payloads, fixed costs).
    std::int64_t resident() const { return resident_.load(std::memory_order_relaxed); }
    bool over_budget() const {
        return budget_ != kUnlimited && resident() + reserved() > static_cast<std::int64_t>(budget_);
    }
    void charge(std::int64_t delta) { resident_.fetch_add(delta, std::memory_order_relaxed); }

    // RAM of the budget set aside for what the store does not hold and cannot spill: the
    // process before it loads anything (code, libraries, the embedded UI), the loader's read
    // buffers, the answer caches' budgets. The store's data gets budget() - reserved().
    void reserve(std::int64_t delta) { reserved_.fetch_add(delta, std::memory_order_relaxed); }
    std::int64_t reserved() const { return reserved_.load(std::memory_order_relaxed); }

    // A slot of `bytes` in the cache file (opened on first use; throws std::runtime_error if
    // it cannot be created). Released slots of the same size are reused.
    std::uint64_t allocate(std::size_t bytes);
    void release(std::uint64_t offset, std::size_t bytes);

    // Throw std::runtime_error on an I/O failure.
    void write(std::uint64_t offset, const void* data, std::size_t n);
    void read(std::uint64_t offset, void* data, std::size_t n) const;

    // Bytes of cache file handed out (spilled points, including slots free for reuse).
    std::uint64_t file_bytes() const;
    // Bytes of spilled points and payloads currently in use (payloads by their slot's size class).
    std::uint64_t spilled_bytes() const;
    const std::filesystem::path& cache_dir() const { return dir_; }

private:
    const std::uint64_t budget_;
    const std::filesystem::path dir_;
    std::atomic<std::int64_t> resident_{0};
    std::atomic<std::int64_t> reserved_{0};
    mutable std::mutex mu_;  // guards what follows
    int fd_ = -1;
    std::uint64_t end_ = 0;   // file bytes handed out
    std::uint64_t in_use_ = 0;
    std::map<std::size_t, std::vector<std::uint64_t>> free_;  // released slots by size
};

// The memory limit of this process's cgroup: the lowest memory.max (cgroup v2) or
// memory.limit_in_bytes (v1, under <root>/memory) found on the cgroup's path from its own
// directory up to `root`, the cgroup filesystem's mount point. `self_cgroup` is the text of
// /proc/self/cgroup ("0::/path" for v2, "N:memory:/path" for v1). nullopt: no limit ("max",
// or v1's "unlimited" value near 2^63), or no cgroup file to read.
std::optional<std::uint64_t> cgroup_memory_limit(const std::filesystem::path& root, const std::string& self_cgroup);

// This process's resident set now (/proc/self/statm; 0 where there is none).
std::uint64_t process_resident_bytes();

// Half the memory this process may use: the machine's physical RAM (sysconf), or the
// cgroup's limit where that is lower (a container): the default --max_memory.
std::uint64_t default_memory_budget();

// "2G", "512M", "64K", "1.5G", "1048576" (bytes; K/M/G/T are powers of 1024, an optional
// trailing "B" or "iB" is accepted); "0" or "unlimited": no budget. Throws
// std::invalid_argument naming the flag and the value.
std::uint64_t parse_memory_size(const std::string& flag, const std::string& value);

}  // namespace tblog::view
