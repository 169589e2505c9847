// The profiler's per-thread event store: one ThreadBuffer per (profiler, thread), written by
// that thread only and read by whoever serialises the trace.
//
// Why this shape: a span must cost the calling thread well under 100 ns, so recording may
// take no lock and allocate nothing per event. Each thread appends fixed-size Records to a
// linked list of large chunks it alone writes; a chunk is allocated once per
// kChunkRecords events. The reader (Profiler::stop) drains concurrently: it reads each
// chunk up to the count the writer published with a release store, and frees a chunk only
// once the writer has linked the next one (after which the writer never touches it again).
// Names are interned into small integer ids through a per-thread cache, so a Record stays
// 24 bytes and the hot path compares a short string instead of copying it.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tblog::detail::trace {

// complete: a span; op: a framework operator (a span with an op_info record right after
// it, appended together by append2); instant; counter.
enum class Phase : std::uint8_t { complete, instant, counter, op, op_info };

// What kind of call an op was (LibTorch's RecordScope, reduced to what a profile shows).
enum class OpScope : std::uint8_t { forward, backward, user, torchscript, other };

inline const char* op_scope_name(OpScope s) {
    switch (s) {
        case OpScope::forward: return "forward";
        case OpScope::backward: return "backward";
        case OpScope::user: return "user";
        case OpScope::torchscript: return "torchscript";
        default: return "other";
    }
}

inline constexpr std::uint32_t kNoName = 0xFFFFFFFFu;

// One recorded event. Times are steady-clock nanoseconds (see trace_proc.hpp now_ns).
// An op_info record reuses the fields: t0 = sequence number (-1: none), t1 = forward
// thread id, name = the input-shapes string's id (kNoName: none), aux = the OpScope.
struct Record {
    std::int64_t t0;  // start (complete, op), time (instant, counter)
    union {
        std::int64_t t1;  // complete, op: end time (the member aggregate initialisation sets)
        double value;     // counter: the value
    };
    std::uint32_t name;  // id in the profiler's NameTable
    Phase phase;
    std::uint8_t aux = 0;
};
static_assert(sizeof(Record) == 24, "Record is meant to fill 24 bytes");

// Every name a profiler has seen, shared by its threads; touched only on a thread's first
// use of a name (under the lock) and when serialising.
class NameTable {
public:
    std::uint32_t intern(std::string_view s) {
        std::lock_guard<std::mutex> lk(mu_);
        auto it = ids_.find(std::string(s));
        if (it != ids_.end()) return it->second;
        const auto id = static_cast<std::uint32_t>(names_.size());
        names_.emplace_back(s);
        ids_.emplace(names_.back(), id);
        return id;
    }
    // A copy, so the serialiser does not hold the lock while writing.
    std::vector<std::string> snapshot() const {
        std::lock_guard<std::mutex> lk(mu_);
        return names_;
    }

private:
    mutable std::mutex mu_;
    std::vector<std::string> names_;
    std::unordered_map<std::string, std::uint32_t> ids_;
};

// Key -> name id, open addressing, owner thread only: what the per-thread caches below share.
// id(h, same, make): the id stored under hash h for the key same() accepts, else make()'s
// (key, id), stored.
template <class Key>
class IdTable {
public:
    template <class Same, class Make>
    std::uint32_t id(std::uint64_t h, Same&& same, Make&& make) {
        std::size_t i = h & mask_;
        while (slots_[i].used) {
            if (slots_[i].hash == h && same(slots_[i].key)) return slots_[i].id;
            i = (i + 1) & mask_;
        }
        auto [key, id] = make();
        slots_[i] = Slot{h, id, true, std::move(key)};
        if (++used_ * 2 > slots_.size()) grow();
        return id;
    }

private:
    struct Slot {
        std::uint64_t hash = 0;
        std::uint32_t id = 0;
        bool used = false;
        Key key;
    };

    void grow() {
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(old.size() * 2, Slot{});
        mask_ = slots_.size() - 1;
        for (auto& s : old) {
            if (!s.used) continue;
            std::size_t i = s.hash & mask_;
            while (slots_[i].used) i = (i + 1) & mask_;
            slots_[i] = std::move(s);
        }
    }

    std::vector<Slot> slots_ = std::vector<Slot>(64);
    std::size_t mask_ = 63;
    std::size_t used_ = 0;
};

// Per-thread name -> id cache. A hit costs one hash of the name and one comparison; a miss
// asks the shared NameTable once.
class NameCache {
public:
    std::uint32_t id(std::string_view s, NameTable& table) {
        return ids_.id(
            hash(s), [&](const std::string& k) { return std::string_view(k) == s; },
            [&] { return std::pair<std::string, std::uint32_t>(std::string(s), table.intern(s)); });
    }

private:
    // FNV-1a over 8-byte words (the tail byte-wise): a span name is usually one or two words.
    static std::uint64_t hash(std::string_view s) {
        std::uint64_t h = 14695981039346656037ull ^ s.size();
        std::size_t i = 0;
        for (; i + 8 <= s.size(); i += 8) {
            std::uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            h = (h ^ w) * 1099511628211ull;
            h ^= h >> 29;
        }
        for (; i < s.size(); ++i) h = (h ^ static_cast<unsigned char>(s[i])) * 1099511628211ull;
        return h ^ (h >> 32);
    }

    IdTable<std::string> ids_;
};

// Input shapes as an adapter records them per op, as integers: the number of inputs, then per
// input its rank and its sizes ({2, 2,3, 0} is two inputs: a 2x3 tensor and a non-tensor).
// As text, what the trace holds ("Input Dims", as Kineto's): "[[2,3],[]]".
inline std::string format_input_dims(const std::int64_t* d, std::size_t n) {
    std::string out = "[";
    std::size_t i = 0;
    const std::int64_t inputs = n ? d[i++] : 0;
    for (std::int64_t k = 0; k < inputs && i < n; ++k) {
        if (k) out += ',';
        out += '[';
        const std::int64_t rank = d[i++];
        for (std::int64_t r = 0; r < rank && i < n; ++r) {
            if (r) out += ',';
            out += std::to_string(d[i++]);
        }
        out += ']';
    }
    out += ']';
    return out;
}

// Per-thread input-dims -> name id cache, so an op pays a hash and a comparison of a few
// integers, and the text is made once per distinct list of shapes.
class DimsCache {
public:
    std::uint32_t id(const std::int64_t* d, std::size_t n, NameTable& table) {
        std::uint64_t h = 14695981039346656037ull ^ n;
        for (std::size_t i = 0; i < n; ++i) {
            h = (h ^ static_cast<std::uint64_t>(d[i])) * 1099511628211ull;
            h ^= h >> 29;
        }
        return ids_.id(
            h, [&](const std::vector<std::int64_t>& k) { return k.size() == n && std::equal(k.begin(), k.end(), d); },
            [&] {
                return std::pair<std::vector<std::int64_t>, std::uint32_t>(std::vector<std::int64_t>(d, d + n),
                                                                           table.intern(format_input_dims(d, n)));
            });
    }

private:
    IdTable<std::vector<std::int64_t>> ids_;
};

inline constexpr std::uint32_t kChunkRecords = 4096;  // ~96 KiB per chunk

struct Chunk {
    std::atomic<std::uint32_t> count{0};  // records published by the writer
    std::atomic<Chunk*> next{nullptr};    // set once, when the writer moves on
    Record rec[kChunkRecords];
};

// Where buffers get their chunks. Chunks come from a stock of spares that the profiler's
// helper thread keeps topped up with memory it has already touched, and go back to it when
// drained. Why: the first write to a fresh page makes the kernel fault it in, which costs
// ~0.3 us on bare metal but tens of microseconds in some VMs — dozens of nanoseconds per
// event if the recording thread paid it. The pool also caps the memory all buffers of a
// profiler hold: past the budget, events are dropped and counted (a profiler left recording
// forever must not eat the machine).
class ChunkPool {
public:
    ChunkPool(std::int64_t budget_chunks, std::size_t spare_target)
        : budget_(budget_chunks), target_(spare_target), keep_max_(std::max<std::size_t>(64, spare_target)) {}
    ChunkPool(const ChunkPool&) = delete;
    ChunkPool& operator=(const ChunkPool&) = delete;
    ~ChunkPool() {
        for (Chunk* c : spare_) delete c;
    }

    // A fresh chunk, or nullptr when the budget is spent (unless `force`: a new thread's
    // first chunk). Once per kChunkRecords events, so a short lock is fine.
    Chunk* take(bool force = false) {
        if (in_use_.fetch_add(1, std::memory_order_relaxed) >= budget_ && !force) {
            in_use_.fetch_sub(1, std::memory_order_relaxed);
            dropped_.fetch_add(1, std::memory_order_relaxed);
            return nullptr;
        }
        Chunk* c = nullptr;
        bool low;
        {
            std::lock_guard<std::mutex> lk(mu_);
            if (!spare_.empty()) {
                c = spare_.back();
                spare_.pop_back();
            }
            low = spare_.size() * 2 < target_;
        }
        if (low && on_low_) on_low_();
        if (!c) return new Chunk;
        c->count.store(0, std::memory_order_relaxed);
        c->next.store(nullptr, std::memory_order_relaxed);
        return c;
    }

    // A drained chunk (its writer has moved on) comes back for reuse.
    void give_back(Chunk* c) {
        in_use_.fetch_sub(1, std::memory_order_relaxed);
        {
            std::lock_guard<std::mutex> lk(mu_);
            if (spare_.size() < keep_max_) {
                spare_.push_back(c);
                return;
            }
        }
        delete c;
    }

    // Helper thread: tops the spares up to the target with pre-touched chunks.
    void refill() {
        for (;;) {
            {
                std::lock_guard<std::mutex> lk(mu_);
                if (spare_.size() >= target_) return;
            }
            auto* c = new Chunk;
            std::memset(static_cast<void*>(c->rec), 0, sizeof c->rec);  // fault the pages in now
            std::lock_guard<std::mutex> lk(mu_);
            spare_.push_back(c);
        }
    }

    // What take() calls when spares run low (wakes the helper). Set before recording starts.
    void set_on_low(std::function<void()> f) { on_low_ = std::move(f); }

    std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
    void reset_dropped() { dropped_.store(0, std::memory_order_relaxed); }

private:
    std::function<void()> on_low_;
    const std::int64_t budget_;
    const std::size_t target_, keep_max_;
    std::atomic<std::int64_t> in_use_{0};
    std::atomic<std::uint64_t> dropped_{0};
    std::mutex mu_;
    std::vector<Chunk*> spare_;
};

// The events of one thread for one profiler. append() is the owner thread's only; drain()
// may run on any thread concurrently with it (one drainer at a time, the profiler's lock).
class ThreadBuffer {
public:
    ThreadBuffer(long tid, std::string name, ChunkPool& pool)
        : tid_(tid), name_(std::move(name)), pool_(pool) {
        head_ = tail_ = pool_.take(/*force=*/true);
    }
    ThreadBuffer(const ThreadBuffer&) = delete;
    ThreadBuffer& operator=(const ThreadBuffer&) = delete;
    ~ThreadBuffer() {
        for (Chunk* c = head_; c;) {
            Chunk* n = c->next.load(std::memory_order_acquire);
            delete c;
            c = n;
        }
    }

    // Owner thread only.
    void append(const Record& r) {
        if (n_ == kChunkRecords && !next_chunk()) return;
        tail_->rec[n_++] = r;
        tail_->count.store(n_, std::memory_order_release);
    }

    // Owner thread only: two records that must stay adjacent (an op and its op_info) go
    // into the same chunk, so a reader never sees one without the other.
    void append2(const Record& a, const Record& b) {
        if (n_ + 2 > kChunkRecords && !next_chunk()) return;
        tail_->rec[n_] = a;
        tail_->rec[n_ + 1] = b;
        n_ += 2;
        tail_->count.store(n_, std::memory_order_release);
    }

    // Owner thread only: the id of `name` (interned on first use).
    std::uint32_t name_id(std::string_view name, NameTable& table) { return names_.id(name, table); }
    // Owner thread only: the id of the text of input dims (format_input_dims).
    std::uint32_t dims_id(const std::int64_t* d, std::size_t n, NameTable& table) { return dims_.id(d, n, table); }

    // Calls f(record) for every record published since the last drain, then forgets them.
    template <class F>
    void drain(F&& f) {
        for (;;) {
            const std::uint32_t n = head_->count.load(std::memory_order_acquire);
            for (; pos_ < n; ++pos_) f(head_->rec[pos_]);
            Chunk* next = head_->next.load(std::memory_order_acquire);
            if (!next) return;
            // The writer linked `next` only after filling this chunk: finish it, free it.
            const std::uint32_t full = head_->count.load(std::memory_order_acquire);
            for (; pos_ < full; ++pos_) f(head_->rec[pos_]);
            pool_.give_back(head_);
            head_ = next;
            pos_ = 0;
        }
    }

    long tid() const { return tid_; }
    // The thread's track name; guarded by the profiler's registry lock.
    std::string& name() { return name_; }

private:
    bool next_chunk() {
        Chunk* c = pool_.take();
        if (!c) return false;
        tail_->next.store(c, std::memory_order_release);
        tail_ = c;
        n_ = 0;
        return true;
    }

    const long tid_;
    std::string name_;
    ChunkPool& pool_;
    // Writer side.
    Chunk* tail_;
    std::uint32_t n_ = 0;
    NameCache names_;
    DimsCache dims_;
    // Reader side.
    Chunk* head_;
    std::uint32_t pos_ = 0;
};

}  // namespace tblog::detail::trace
