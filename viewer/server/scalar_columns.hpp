// Every point of one scalar time series, at full resolution, in 20 bytes per point.
//
// Points are packed records (int64 step, double wall time, float value: 20 bytes, no padding)
// in chunks. Chunks start small (16 points) and double up to kMaxChunk, so a tag with a
// handful of points costs little and a tag with millions wastes at most one partly filled
// chunk; nothing is ever copied when the series grows (unlike std::vector's doubling).
// Full-size chunks come from ChunkPool, which carves them out of 2 MiB huge-page slabs:
// ingesting millions of points then takes a page fault per 2 MiB instead of per 4 KiB.
//
// Steps are kept strictly increasing: a point whose step is not greater than the last one
// first drops every point with step >= its step, as TensorBoard's loader does when a job
// restarts from a checkpoint (see truncate_from_step()).
//
// Under a memory budget (scalar_spill.hpp) chunks can be spilled: their bytes move to the
// Store's cache file and RAM keeps, per block of kSummaryBlock points, a BlockSummary. Every
// read below (point(), for_each(), scan()) answers the same with the chunk resident or
// spilled; scan() additionally hands whole spilled blocks to its caller as summaries when
// the caller says a summary is all it needs (the downsampled chart routes).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "scalar_spill.hpp"

namespace tblog::view {

struct ScalarPoint {
    std::int64_t step;
    double wall_time;
    float value;
};

// Blocks of kBlockBytes from huge-page-backed slabs, reused after release (thread-safe).
// Released blocks keep their pages until trim() gives all but the most recently released
// kWarmBlocks back to the kernel (after spilling: RSS must go down, not only the accounting).
class ChunkPool {
public:
    static constexpr std::size_t kBlockBytes = 4096 * 20;
    static constexpr std::size_t kWarmBlocks = 32;  // 2.5 MiB kept for the next chunks
    static ChunkPool& instance();
    unsigned char* allocate();
    void release(unsigned char* block);
    // MADV_DONTNEED on the free blocks beyond kWarmBlocks; returns the bytes given back.
    std::size_t trim();
    // Blocks free in the pool, and of those, the ones whose pages went back to the kernel.
    std::size_t free_blocks();
    std::size_t trimmed_blocks();

private:
    struct State;
    State& state();
};

// What RAM keeps of a spilled block of points: enough to reduce it to a chart bucket's
// first, last, min, max, NaN and infinities without its points. Offsets are within the block
// (kNone: no such point); min and max are the first point holding the block's smallest /
// largest finite value (strict < and >, as a scan in step order finds them).
struct BlockSummary {
    static constexpr std::uint16_t kNone = 0xffff;
    std::int64_t first_step, last_step;
    float vmin, vmax;
    std::uint16_t count, mn, mx, nan, pinf, ninf;
};

// Gives memory freed by spilling back to the kernel: the chunk pool's free blocks and the
// C heap's free pages (malloc_trim, where the C library has it).
void release_free_memory();

class ScalarColumns {
public:
    static constexpr std::size_t kFirstChunk = 16;
    static constexpr std::size_t kMaxChunk = 4096;
    static constexpr std::size_t kBytesPerPoint = 20;
    static constexpr std::size_t kSummaryBlock = 64;  // points per BlockSummary (40 bytes: 0.6 B a point)
    static_assert(kMaxChunk * kBytesPerPoint == ChunkPool::kBlockBytes, "full chunks are pool blocks");
    static_assert(kMaxChunk % kSummaryBlock == 0 && kSummaryBlock % kFirstChunk == 0, "blocks tile chunks");

    ScalarColumns() = default;
    ScalarColumns(const ScalarColumns&) = delete;  // owns its chunks; lives in place in a Series
    ScalarColumns& operator=(const ScalarColumns&) = delete;
    ~ScalarColumns() { truncate(0); }

    // Charges this series' RAM to `budget` from now on (call while empty) and lets it spill
    // to the budget's cache file.
    void attach(ScalarSpill* budget) { spill_ = budget; }

    // Moves resident chunks to the cache file: every full one, and the last (still growing)
    // one too when `with_tail`. Returns the RAM bytes given back. A cache file that cannot be
    // written leaves the points in RAM (reported once on stderr): nothing is lost.
    std::size_t spill(bool with_tail);
    // RAM held by points and summaries (what is charged to the budget).
    std::size_t resident_bytes() const { return resident_; }
    std::size_t spilled_chunks() const;

    std::size_t size() const { return size_; }
    // Bumped whenever points are dropped: within one epoch, point i stays point i, so a client
    // holding the first n points of epoch e only needs the points from n on (live reload).
    std::uint64_t epoch() const { return epoch_; }
    bool empty() const { return size_ == 0; }

    void push(std::int64_t step, double wall_time, float value) {
        if (size_ && step <= last_step_) truncate_from_step(step);
        if (size_ == capacity_)
            add_chunk();
        else if (!tail_)
            reload_tail();
        unsigned char* p = tail_ + (size_ - tail_first_) * kBytesPerPoint;
        std::memcpy(p, &step, 8);
        std::memcpy(p + 8, &wall_time, 8);
        std::memcpy(p + 16, &value, 4);
        ++size_;
        last_step_ = step;
    }

    // Drops every point with step >= `step` (steps are sorted, so this is a suffix).
    void truncate_from_step(std::int64_t step) { truncate(lower_bound(step)); }

    // Keeps the first `n` points; chunks left without points go back to their allocator.
    void truncate(std::size_t n) {
        if (n >= size_) return;
        ++epoch_;
        size_ = n;
        while (!chunks_.empty() && chunks_.back().first >= size_) {
            capacity_ -= chunks_.back().capacity;
            free_chunk(chunks_.back());
            chunks_.pop_back();
        }
        spilled_prefix_ = std::min(spilled_prefix_, chunks_.size());
        tail_ = chunks_.empty() ? nullptr : chunks_.back().data;
        tail_first_ = chunks_.empty() ? 0 : chunks_.back().first;
        if (size_) last_step_ = step(size_ - 1);
    }

    // Index of the first point whose step is >= `step` (size() if none).
    std::size_t lower_bound(std::int64_t step) const {
        std::size_t lo = 0, hi = size_;
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (this->step(mid) < step)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo;
    }

    std::int64_t step(std::size_t i) const {
        unsigned char buf[kBytesPerPoint];
        return load<std::int64_t>(at(i, buf));
    }
    double wall_time(std::size_t i) const { return point(i).wall_time; }
    float value(std::size_t i) const { return point(i).value; }
    ScalarPoint point(std::size_t i) const {
        unsigned char buf[kBytesPerPoint];
        return unpack(at(i, buf));
    }

    // Calls f(ScalarPoint) for points [begin, end) in order, chunk by chunk (no per-point search).
    template <class F>
    void for_each(std::size_t begin, std::size_t end, F&& f) const {
        scan(begin, end, [](const BlockSummary&) { return false; }, [](std::size_t, const BlockSummary&) {},
             [&](std::size_t, const ScalarPoint& p) { f(p); });
    }

    // Like for_each, but on_point(i, p) gets each point's index, and a spilled block lying
    // wholly in [begin, end) for which want(summary) is true is handed over as
    // on_block(index of its first point, summary) instead of its points. Calls come in
    // index order either way.
    template <class Want, class OnBlock, class OnPoint>
    void scan(std::size_t begin, std::size_t end, Want&& want, OnBlock&& on_block, OnPoint&& on_point) const {
        end = std::min(end, size_);
        std::vector<unsigned char> buf;  // for points read back from the cache file
        for (const Chunk& c : chunks_) {
            const std::size_t c_end = std::min(c.first + c.capacity, size_);
            if (c_end <= begin) continue;
            if (c.first >= end) break;
            const std::size_t from = std::max(begin, c.first) - c.first;
            const std::size_t to = std::min(end, c_end) - c.first;
            if (c.data) {
                for (std::size_t k = from; k < to; ++k) on_point(c.first + k, unpack(c.data + k * kBytesPerPoint));
                continue;
            }
            // Spilled: summaries where wanted, the other points read back in runs.
            auto read_points = [&](std::size_t a, std::size_t b) {
                while (a < b) {
                    const std::size_t n = std::min(b - a, kMaxChunk);
                    buf.resize(n * kBytesPerPoint);
                    spill_->read(c.slot + a * kBytesPerPoint, buf.data(), buf.size());
                    for (std::size_t k = 0; k < n; ++k) on_point(c.first + a + k, unpack(buf.data() + k * kBytesPerPoint));
                    a += n;
                }
            };
            const std::size_t bs = block_points(c);
            std::size_t pending = from;  // first point not yet delivered
            for (std::size_t k = from; k < to;) {
                const std::size_t blk = k / bs, b_end = (blk + 1) * bs;
                if (k == blk * bs && b_end <= to && blk < c.summarized && want(c.summary[blk])) {
                    read_points(pending, k);
                    on_block(c.first + k, c.summary[blk]);
                    pending = b_end;
                }
                k = std::min(b_end, to);
            }
            read_points(pending, to);
        }
    }

    // Bytes held, for the memory statistics.
    std::size_t bytes_reserved() const { return resident_ + chunks_.capacity() * sizeof(Chunk); }

private:
    static constexpr std::uint64_t kNoSlot = ~std::uint64_t{0};
    struct Chunk {
        std::size_t first;     // index of this chunk's first point in the series
        std::size_t capacity;  // points
        unsigned char* data;   // capacity packed points; nullptr while spilled
        std::uint64_t slot = kNoSlot;  // its place in the cache file, once spilled
        std::unique_ptr<BlockSummary[]> summary;  // while spilled: its first `summarized` blocks
        std::size_t summarized = 0;
    };
    static std::size_t block_points(const Chunk& c) { return std::min(kSummaryBlock, c.capacity); }

    void charge(std::ptrdiff_t delta) {
        resident_ = static_cast<std::size_t>(static_cast<std::ptrdiff_t>(resident_) + delta);
        if (spill_) spill_->charge(delta);
    }
    std::size_t spill_chunk(Chunk& c, std::size_t filled);
    void reload_tail();

    template <class T>
    static T load(const unsigned char* p) {
        T v;
        std::memcpy(&v, p, sizeof(T));
        return v;
    }
    static ScalarPoint unpack(const unsigned char* p) {
        return ScalarPoint{load<std::int64_t>(p), load<double>(p + 8), load<float>(p + 16)};
    }

    void add_chunk() {
        const std::size_t cap = chunks_.empty() ? kFirstChunk : std::min(chunks_.back().capacity * 2, kMaxChunk);
        unsigned char* data = allocate_data(cap);
        chunks_.push_back(Chunk{capacity_, cap, data, kNoSlot, nullptr, 0});
        charge(static_cast<std::ptrdiff_t>(cap * kBytesPerPoint));
        capacity_ += cap;
        tail_ = data;
        tail_first_ = chunks_.back().first;
    }

    static unsigned char* allocate_data(std::size_t cap) {
        return cap == kMaxChunk ? ChunkPool::instance().allocate() : new unsigned char[cap * kBytesPerPoint];
    }
    static void free_data(std::size_t cap, unsigned char* data) {
        if (cap == kMaxChunk)
            ChunkPool::instance().release(data);
        else
            delete[] data;
    }

    void free_chunk(Chunk& c) {
        if (c.data) {
            free_data(c.capacity, c.data);
            charge(-static_cast<std::ptrdiff_t>(c.capacity * kBytesPerPoint));
        }
        if (c.summary) charge(-static_cast<std::ptrdiff_t>(c.summarized * sizeof(BlockSummary)));
        if (c.slot != kNoSlot) spill_->release(c.slot, c.capacity * kBytesPerPoint);
    }

    // Chunk sizes are 16, 32, ..., kMaxChunk, then kMaxChunk each: the chunk of point i is
    // found by arithmetic, not by search.
    // The bytes of point i: in its chunk, or read back into `buf` from the cache file.
    const unsigned char* at(std::size_t i, unsigned char* buf) const {
        std::size_t ci = 0, first = 0, cap = kFirstChunk;
        while (cap < kMaxChunk && i >= first + cap) {
            first += cap;
            cap *= 2;
            ++ci;
        }
        if (i >= first + cap) {
            const std::size_t rest = (i - first) / kMaxChunk;
            ci += rest;
            first += rest * kMaxChunk;
        }
        const Chunk& c = chunks_[ci];
        if (c.data) return c.data + (i - first) * kBytesPerPoint;
        spill_->read(c.slot + (i - first) * kBytesPerPoint, buf, kBytesPerPoint);
        return buf;
    }

    std::vector<Chunk> chunks_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
    unsigned char* tail_ = nullptr;  // the last chunk's data (where push writes)
    std::size_t tail_first_ = 0;     // index of its first point
    std::int64_t last_step_ = 0;
    std::uint64_t epoch_ = 0;
    std::size_t resident_ = 0;        // bytes of resident chunks and summaries
    std::size_t spilled_prefix_ = 0;  // chunks [0, this) are all spilled (spill() starts after them)
    ScalarSpill* spill_ = nullptr;    // the budget charged and the cache file (none: never spills)
};

}  // namespace tblog::view
