#include "scalar_columns.hpp"

#include <sys/mman.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_set>
#include <cstring>

namespace tblog::view {

namespace {
constexpr std::size_t kSlabBytes = std::size_t{2} << 20;  // one x86-64 / AArch64 huge page
constexpr std::size_t kBlocksPerSlab = kSlabBytes / ChunkPool::kBlockBytes;
}  // namespace

struct ChunkPool::State {
    std::mutex mu;
    std::vector<unsigned char*> free;  // released or never used blocks, the most recent last
    std::size_t cold = 0;              // free[0, cold) have no pages (trimmed or never touched)
    std::unordered_set<std::uintptr_t> small_pages;  // slabs no longer hinted as huge pages
};

ChunkPool& ChunkPool::instance() {
    static ChunkPool pool;
    return pool;
}

// Never destroyed: series in static objects may release blocks during exit.
ChunkPool::State& ChunkPool::state() {
    static State* s = new State;
    return *s;
}

unsigned char* ChunkPool::allocate() {
    State& s = state();
    std::lock_guard lk(s.mu);
    if (s.free.empty()) {
        auto* slab = static_cast<unsigned char*>(std::aligned_alloc(kSlabBytes, kSlabBytes));
        if (!slab) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
        ::madvise(slab, kSlabBytes, MADV_HUGEPAGE);  // a hint: without THP, ordinary pages
#endif
        for (std::size_t i = kBlocksPerSlab; i-- > 0;) s.free.push_back(slab + i * kBlockBytes);
    }
    unsigned char* b = s.free.back();
    s.free.pop_back();
    s.cold = std::min(s.cold, s.free.size());
    return b;
}

void ChunkPool::release(unsigned char* block) {
    State& s = state();
    std::lock_guard lk(s.mu);
    s.free.push_back(block);
}

std::size_t ChunkPool::trim() {
    State& s = state();
    std::lock_guard lk(s.mu);
    if (s.free.size() <= kWarmBlocks) return 0;
    const std::size_t to = s.free.size() - kWarmBlocks;
    std::size_t given = 0;
    for (std::size_t i = s.cold; i < to; ++i) {
        if (::madvise(s.free[i], kBlockBytes, MADV_DONTNEED) == 0) given += kBlockBytes;
#ifdef MADV_NOHUGEPAGE
        // A slab that gives blocks back is no longer a huge page candidate: khugepaged would
        // collapse it into a whole huge page again (it fills up to max_ptes_none = 511 of 512
        // missing pages), giving back to the RSS what was just trimmed (100 M points under
        // 140M: peak RSS 134 MiB with, 96 MiB without transparent huge pages).
        const auto slab = reinterpret_cast<std::uintptr_t>(s.free[i]) & ~(std::uintptr_t{kSlabBytes} - 1);
        if (s.small_pages.insert(slab).second) ::madvise(reinterpret_cast<void*>(slab), kSlabBytes, MADV_NOHUGEPAGE);
#endif
    }
    s.cold = std::max(s.cold, to);
    return given;
}

std::size_t ChunkPool::free_blocks() {
    State& s = state();
    std::lock_guard lk(s.mu);
    return s.free.size();
}

std::size_t ChunkPool::trimmed_blocks() {
    State& s = state();
    std::lock_guard lk(s.mu);
    return s.cold;
}

void release_free_memory() {
    ChunkPool::instance().trim();
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
}

namespace {

// The summary of `n` packed points, found as a scan in step order finds a bucket's extremes.
BlockSummary summarize(const unsigned char* p, std::size_t n) {
    BlockSummary b{};
    b.count = static_cast<std::uint16_t>(n);
    b.mn = b.mx = b.nan = b.pinf = b.ninf = BlockSummary::kNone;
    for (std::size_t k = 0; k < n; ++k, p += ScalarColumns::kBytesPerPoint) {
        std::int64_t step;
        float v;
        std::memcpy(&step, p, 8);
        std::memcpy(&v, p + 16, 4);
        if (k == 0) b.first_step = step;
        b.last_step = step;
        const auto at = static_cast<std::uint16_t>(k);
        if (std::isnan(v)) {
            if (b.nan == BlockSummary::kNone) b.nan = at;
        } else if (std::isinf(v)) {
            if (v > 0 && b.pinf == BlockSummary::kNone) b.pinf = at;
            if (v < 0 && b.ninf == BlockSummary::kNone) b.ninf = at;
        } else {
            if (b.mn == BlockSummary::kNone || v < b.vmin) b.mn = at, b.vmin = v;
            if (b.mx == BlockSummary::kNone || v > b.vmax) b.mx = at, b.vmax = v;
        }
    }
    return b;
}

}  // namespace

std::size_t ScalarColumns::spill_chunk(Chunk& c, std::size_t filled) {
    if (!c.data || !spill_ || filled == 0) return 0;
    try {
        if (c.slot == kNoSlot) c.slot = spill_->allocate(c.capacity * kBytesPerPoint);
        spill_->write(c.slot, c.data, filled * kBytesPerPoint);
    } catch (const std::exception& e) {
        static std::once_flag logged;
        std::call_once(logged, [&] { std::fprintf(stderr, "%s (keeping points in RAM)\n", e.what()); });
        return 0;
    }
    const std::size_t bs = block_points(c), blocks = filled / bs;
    c.summary.reset(new BlockSummary[blocks]);
    for (std::size_t b = 0; b < blocks; ++b) c.summary[b] = summarize(c.data + b * bs * kBytesPerPoint, bs);
    c.summarized = blocks;
    free_data(c.capacity, c.data);
    if (tail_ == c.data) tail_ = nullptr;
    c.data = nullptr;
    const std::size_t freed = c.capacity * kBytesPerPoint, kept = blocks * sizeof(BlockSummary);
    charge(static_cast<std::ptrdiff_t>(kept) - static_cast<std::ptrdiff_t>(freed));
    return freed - kept;
}

std::size_t ScalarColumns::spill(bool with_tail) {
    std::size_t freed = 0;
    for (std::size_t i = spilled_prefix_; i < chunks_.size(); ++i) {
        const bool tail = i + 1 == chunks_.size();
        if (tail && !with_tail) break;
        Chunk& c = chunks_[i];
        freed += spill_chunk(c, std::min(c.capacity, size_ - c.first));
        if (!c.data && i == spilled_prefix_) ++spilled_prefix_;
    }
    // The blocks just freed go back to the kernel beyond the pool's warm few, now rather than
    // after the pass: otherwise the pool keeps its high-water mark (the whole budget's worth
    // of chunks, from before anything spilled) while the summaries grow beside it, and the
    // RSS reaches the budget plus every summary.
    if (freed) ChunkPool::instance().trim();
    return freed;
}

// The last chunk is spilled and a point is coming: its points come back, into a fresh block
// (its slot stays its own, so spilling it again rewrites the same bytes of the file).
void ScalarColumns::reload_tail() {
    Chunk& c = chunks_.back();
    unsigned char* data = allocate_data(c.capacity);
    try {
        spill_->read(c.slot, data, (size_ - c.first) * kBytesPerPoint);
    } catch (...) {
        free_data(c.capacity, data);
        throw;
    }
    charge(static_cast<std::ptrdiff_t>(c.capacity * kBytesPerPoint) -
           static_cast<std::ptrdiff_t>(c.summarized * sizeof(BlockSummary)));
    c.data = tail_ = data;
    spilled_prefix_ = std::min(spilled_prefix_, chunks_.size() - 1);
    c.summary.reset();
    c.summarized = 0;
}

std::size_t ScalarColumns::spilled_chunks() const {
    std::size_t n = 0;
    for (const Chunk& c : chunks_) n += c.data == nullptr;
    return n;
}

}  // namespace tblog::view
