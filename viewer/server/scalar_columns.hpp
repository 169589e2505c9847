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
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace tblog::view {

struct ScalarPoint {
    std::int64_t step;
    double wall_time;
    float value;
};

// Blocks of kBlockBytes from huge-page-backed slabs, reused after release (thread-safe).
class ChunkPool {
public:
    static constexpr std::size_t kBlockBytes = 4096 * 20;
    static ChunkPool& instance();
    unsigned char* allocate();
    void release(unsigned char* block);

private:
    struct State;
    State& state();
};

class ScalarColumns {
public:
    static constexpr std::size_t kFirstChunk = 16;
    static constexpr std::size_t kMaxChunk = 4096;
    static constexpr std::size_t kBytesPerPoint = 20;
    static_assert(kMaxChunk * kBytesPerPoint == ChunkPool::kBlockBytes, "full chunks are pool blocks");

    ScalarColumns() = default;
    ScalarColumns(const ScalarColumns&) = delete;  // owns its chunks; lives in place in a Series
    ScalarColumns& operator=(const ScalarColumns&) = delete;
    ~ScalarColumns() { truncate(0); }

    std::size_t size() const { return size_; }
    // Bumped whenever points are dropped: within one epoch, point i stays point i, so a client
    // holding the first n points of epoch e only needs the points from n on (live reload).
    std::uint64_t epoch() const { return epoch_; }
    bool empty() const { return size_ == 0; }

    void push(std::int64_t step, double wall_time, float value) {
        if (size_ && step <= last_step_) truncate_from_step(step);
        if (size_ == capacity_) add_chunk();
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

    std::int64_t step(std::size_t i) const { return load<std::int64_t>(at(i)); }
    double wall_time(std::size_t i) const { return load<double>(at(i) + 8); }
    float value(std::size_t i) const { return load<float>(at(i) + 16); }
    ScalarPoint point(std::size_t i) const { return unpack(at(i)); }

    // Calls f(ScalarPoint) for points [begin, end) in order, chunk by chunk (no per-point search).
    template <class F>
    void for_each(std::size_t begin, std::size_t end, F&& f) const {
        end = std::min(end, size_);
        for (const Chunk& c : chunks_) {
            const std::size_t c_end = std::min(c.first + c.capacity, size_);
            if (c_end <= begin) continue;
            if (c.first >= end) break;
            const std::size_t from = std::max(begin, c.first) - c.first;
            const std::size_t to = std::min(end, c_end) - c.first;
            for (std::size_t k = from; k < to; ++k) f(unpack(c.data + k * kBytesPerPoint));
        }
    }

    // Bytes held, for the memory statistics.
    std::size_t bytes_reserved() const { return capacity_ * kBytesPerPoint + chunks_.capacity() * sizeof(Chunk); }

private:
    struct Chunk {
        std::size_t first;     // index of this chunk's first point in the series
        std::size_t capacity;  // points
        unsigned char* data;   // capacity packed points
    };

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
        unsigned char* data = cap == kMaxChunk ? ChunkPool::instance().allocate() : new unsigned char[cap * kBytesPerPoint];
        chunks_.push_back(Chunk{capacity_, cap, data});
        capacity_ += cap;
        tail_ = data;
        tail_first_ = chunks_.back().first;
    }

    static void free_chunk(const Chunk& c) {
        if (c.capacity == kMaxChunk)
            ChunkPool::instance().release(c.data);
        else
            delete[] c.data;
    }

    // Chunk sizes are 16, 32, ..., kMaxChunk, then kMaxChunk each: the chunk of point i is
    // found by arithmetic, not by search.
    const unsigned char* at(std::size_t i) const {
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
        return chunks_[ci].data + (i - first) * kBytesPerPoint;
    }

    std::vector<Chunk> chunks_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
    unsigned char* tail_ = nullptr;  // the last chunk's data (where push writes)
    std::size_t tail_first_ = 0;     // index of its first point
    std::int64_t last_step_ = 0;
    std::uint64_t epoch_ = 0;
};

}  // namespace tblog::view
