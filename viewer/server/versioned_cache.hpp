// Values built once per version of their key, kept up to a byte budget: the mechanism behind
// the scalar routes' answers kept as sent (http/response_cache.hpp) and the Profile
// dashboard's timelines (trace_timelines.hpp).
//
// A key holds one value, for one version (e.g. a series' epoch and size, a file's size and
// mtime): asked for under that version it is returned as kept; asked under another, it is
// built again and replaces the old one. Building is what the cache saves (encoding thousands
// of points, parsing a million-event trace), so one version is built once: callers asking for
// it while it is being built wait for that build instead of building it beside it.
//
// Bounded in bytes (the size function says what a value costs, key and version included if
// they are large): past the budget the least recently used values are dropped, and built
// again when next asked for. A value larger than `max_value` is handed to the callers that
// waited for it but not kept (a few huge answers would otherwise push out every other).
//
// An owner that counts the memory it holds elsewhere (the Store's budget, for the timelines)
// passes `on_bytes`: it is told every change of the kept bytes (+ kept, - dropped), under the
// cache's lock, so its count follows what is kept as it changes.
//
// A build returning null has nothing to share (e.g. an HTTP error the caller answers itself,
// a streamed body); nor has a build that throws (the exception goes to its caller). Either
// way the callers that waited for it are woken and build their own, unkept; none hangs.
//
// When two versions of one key are built at once, the build that started last is the one
// kept, whatever order they finish in (the data only moves on). Thread-safe; builds run
// without the lock held.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace tblog::view {

struct VersionedCacheStats {
    std::uint64_t entries = 0;  // values kept
    std::uint64_t bytes = 0;    // their size (as the size function counts it)
    std::uint64_t builds = 0;   // builds run (misses), every version once unless dropped meanwhile
    std::uint64_t hits = 0;     // values found kept or waited for
    std::uint64_t dropped = 0;  // values dropped past the budget
    std::uint64_t waiting = 0;  // callers blocked right now on another caller's build
    std::uint64_t budget = 0;
};

template <class Key, class Version, class Value, class Hash = std::hash<Key>>
class VersionedCache {
public:
    using Ptr = std::shared_ptr<const Value>;
    using Size = std::function<std::uint64_t(const Key&, const Version&, const Value&)>;
    using OnBytes = std::function<void(std::int64_t delta)>;

    VersionedCache(std::uint64_t budget, std::uint64_t max_value, Size size, OnBytes on_bytes = {})
        : budget_(budget),
          max_value_(max_value < budget ? max_value : budget),
          size_(std::move(size)),
          on_bytes_(std::move(on_bytes)) {}
    VersionedCache(const VersionedCache&) = delete;
    VersionedCache& operator=(const VersionedCache&) = delete;

    // The value of `key` under `version`: the kept one, or the one another caller is building
    // (waited for), else `build()` (returning Ptr, or something convertible to it) run by this
    // caller. Null only if this caller's own build returned null.
    template <class Build>
    Ptr get(const Key& key, const Version& version, Build&& build) {
        std::unique_lock lk(mu_);
        std::shared_ptr<Flight> flight;
        if (Ptr v = used_locked(key, version)) {
            ++stats_.hits;
            return v;
        }
        if (auto f = flight_locked(key, version)) {
            ++stats_.waiting;
            f->cv.wait(lk, [&] { return f->done; });
            --stats_.waiting;
            if (f->value) {
                ++stats_.hits;
                return f->value;
            }
            // nothing to share: build our own, beside the others woken with us, and keep none
        } else {
            flight = std::make_shared<Flight>();
            flight->version = version;
            flight->order = ++order_;
            flights_.emplace(key, flight);
        }
        ++stats_.builds;
        lk.unlock();
        Ptr v;
        try {
            v = build();
        } catch (...) {
            if (flight) land(key, *flight, nullptr);
            throw;
        }
        if (flight) land(key, *flight, v);
        return v;
    }

    // The kept value of `key` under `version`, if any, counted as used (not as a hit); neither
    // waits nor builds.
    Ptr peek(const Key& key, const Version& version) {
        std::lock_guard lk(mu_);
        return used_locked(key, version);
    }

    // Keeps `value` as `key`'s under `version` (if it is not too large).
    void put(const Key& key, const Version& version, Ptr value) {
        std::lock_guard lk(mu_);
        keep_locked(key, version, std::move(value), ++order_);
    }

    // Forgets the kept values of the keys `keep(key)` refuses (e.g. files gone).
    template <class Keep>
    void retain(Keep&& keep) {
        std::lock_guard lk(mu_);
        for (auto it = index_.begin(); it != index_.end();) {
            if (keep(it->first)) {
                ++it;
                continue;
            }
            bytes_changed(-static_cast<std::int64_t>(it->second->bytes));
            stats_.bytes -= it->second->bytes;
            lru_.erase(it->second);
            it = index_.erase(it);
        }
    }

    VersionedCacheStats stats() const {
        std::lock_guard lk(mu_);
        VersionedCacheStats s = stats_;
        s.entries = index_.size();
        s.budget = budget_;
        return s;
    }

private:
    struct Flight {  // a build under way
        Version version;
        std::uint64_t order = 0;
        bool done = false;
        Ptr value;
        std::condition_variable cv;
    };
    struct Kept {
        Key key;
        Version version;
        Ptr value;
        std::uint64_t bytes = 0, order = 0;  // order: of the build (or put) that made it
    };
    using Lru = std::list<Kept>;  // most recently used first

    Ptr used_locked(const Key& key, const Version& version) {
        const auto it = index_.find(key);
        if (it == index_.end() || !(it->second->version == version)) return nullptr;
        lru_.splice(lru_.begin(), lru_, it->second);
        return it->second->value;
    }

    std::shared_ptr<Flight> flight_locked(const Key& key, const Version& version) const {
        const auto [b, e] = flights_.equal_range(key);
        for (auto it = b; it != e; ++it)
            if (it->second->version == version) return it->second;
        return nullptr;
    }

    // The build of `flight` is over: keep its value, hand it to the callers waiting.
    void land(const Key& key, Flight& flight, Ptr value) {
        std::lock_guard lk(mu_);
        if (value) keep_locked(key, flight.version, value, flight.order);
        flight.done = true;
        flight.value = std::move(value);
        flight.cv.notify_all();
        const auto [b, e] = flights_.equal_range(key);
        for (auto it = b; it != e; ++it)
            if (it->second.get() == &flight) {
                flights_.erase(it);
                break;
            }
    }

    void keep_locked(const Key& key, const Version& version, Ptr value, std::uint64_t order) {
        const std::uint64_t bytes = size_(key, version, *value);
        const auto it = index_.find(key);
        if (it != index_.end()) {
            if (it->second->order > order) return;  // a later build's value is kept already
            bytes_changed(-static_cast<std::int64_t>(it->second->bytes));
            stats_.bytes -= it->second->bytes;
            lru_.erase(it->second);
            index_.erase(it);
        }
        if (bytes > max_value_) return;
        lru_.push_front(Kept{key, version, std::move(value), bytes, order});
        index_.emplace(key, lru_.begin());
        bytes_changed(static_cast<std::int64_t>(bytes));
        stats_.bytes += bytes;
        while (stats_.bytes > budget_) {  // never the value just kept: it fits the budget alone
            const Kept& victim = lru_.back();
            bytes_changed(-static_cast<std::int64_t>(victim.bytes));
            stats_.bytes -= victim.bytes;
            index_.erase(victim.key);
            lru_.pop_back();
            ++stats_.dropped;
        }
    }

    void bytes_changed(std::int64_t delta) {
        if (on_bytes_ && delta) on_bytes_(delta);
    }

    const std::uint64_t budget_, max_value_;
    const Size size_;
    const OnBytes on_bytes_;
    mutable std::mutex mu_;
    Lru lru_;
    std::unordered_map<Key, typename Lru::iterator, Hash> index_;
    std::unordered_multimap<Key, std::shared_ptr<Flight>, Hash> flights_;
    std::uint64_t order_ = 0;
    VersionedCacheStats stats_;
};

}  // namespace tblog::view
