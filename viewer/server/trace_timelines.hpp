// The Profile dashboard's timelines (/data/tblog/profile/trace_columns answers), built once
// per trace file and kept in the Store: building one takes seconds for a million events
// (inflate, scan, intern, nest, pair flows), so a page opening a trace, Compare loading a
// second one and the export all read the kept answer instead of rebuilding it.
//
// An answer is kept for one version of its file, named by path, size and modification time
// as the loader saw them (ProfileTrace): a file rewritten (new size or mtime) is built anew,
// an unchanged one never again. A failure (refused, not valid) is kept the same way, so a bad
// file is not parsed again on every request. One build per version: callers asking while it
// is being built wait for that build. Answers are held up to a byte budget; past it the least
// recently used are dropped (and built again, lazily, when asked for).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace tblog::view {

struct TraceFileVersion {
    std::string path;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;  // 0 where the storage gives none (s3://: size only)
    bool operator==(const TraceFileVersion& o) const { return path == o.path && size == o.size && mtime_ns == o.mtime_ns; }
};

// A built answer, or why there is none (an HTTP status and a message).
struct TraceTimeline {
    std::shared_ptr<const std::string> bytes;
    int status = 200;
    std::string error;
};

struct TraceTimelineStats {
    std::uint64_t entries = 0;  // versions held (answers and failures)
    std::uint64_t bytes = 0;    // answer bytes held
    std::uint64_t builds = 0;   // builds run since start (each version once, unless dropped past the budget)
    std::uint64_t dropped = 0;  // answers dropped past the budget
};

class TraceTimelines {
public:
    static constexpr std::uint64_t kDefaultBudget = std::uint64_t(1) << 30;  // 1 GiB of answers
    explicit TraceTimelines(std::uint64_t budget = kDefaultBudget) : budget_(budget) {}

    using Build = std::function<TraceTimeline()>;

    // The timeline of `v`: the kept one, else build() run now (by this caller; others asking
    // for `v` meanwhile wait for it). build() reports failures in the result, never throws.
    TraceTimeline get(const TraceFileVersion& v, const Build& build) {
        std::unique_lock lk(mu_);
        for (;;) {
            auto it = entries_.find(v.path);
            if (it != entries_.end() && it->second.version == v) {
                Entry& e = it->second;
                if (e.building) {
                    cv_.wait(lk);
                    continue;  // the entry may have been replaced or dropped meanwhile
                }
                if (e.kept) {
                    touch(it);
                    return e.result;
                }
            }
            break;
        }
        Entry& e = entries_[v.path];
        forget(v.path, e);
        e = Entry{};
        e.version = v, e.building = true;
        ++stats_.builds;
        lk.unlock();
        TraceTimeline r = build();
        lk.lock();
        auto it = entries_.find(v.path);
        if (it != entries_.end() && it->second.version == v && it->second.building) {
            it->second.building = false, it->second.kept = true, it->second.built = true;
            it->second.result = r;
            it->second.bytes = r.bytes ? r.bytes->size() : 0;
            stats_.bytes += it->second.bytes;
            lru_.push_front(v.path);
            it->second.lru = lru_.begin();
            fit(v.path);
        }
        cv_.notify_all();
        return r;
    }

    // Whether `v` was ever built (kept, being built, or dropped past the budget since): the
    // loader builds each version once, ahead of the page, and leaves dropped ones to get().
    bool seen(const TraceFileVersion& v) const {
        std::lock_guard lk(mu_);
        const auto it = entries_.find(v.path);
        return it != entries_.end() && it->second.version == v && (it->second.building || it->second.built);
    }

    // Forgets the timelines of files not in `paths` (traces gone from the logdir).
    void retain(const std::set<std::string>& paths) {
        std::lock_guard lk(mu_);
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (paths.count(it->first) || it->second.building) {
                ++it;
                continue;
            }
            forget(it->first, it->second);
            it = entries_.erase(it);
        }
    }

    TraceTimelineStats stats() const {
        std::lock_guard lk(mu_);
        TraceTimelineStats s = stats_;
        s.entries = 0;
        for (const auto& [path, e] : entries_) s.entries += e.kept;
        return s;
    }

private:
    struct Entry {
        TraceFileVersion version;
        bool building = false, kept = false, built = false;
        TraceTimeline result;
        std::uint64_t bytes = 0;
        std::list<std::string>::iterator lru;
    };

    void touch(std::map<std::string, Entry>::iterator it) { lru_.splice(lru_.begin(), lru_, it->second.lru); }

    // Releases what `e` holds (its answer and its place in the LRU list).
    void forget(const std::string&, Entry& e) {
        if (!e.kept) return;
        stats_.bytes -= e.bytes;
        lru_.erase(e.lru);
        e.kept = false;
        e.result = {};
        e.bytes = 0;
    }

    // Drops the least recently used answers (never `keep`, the one just built) past the budget.
    void fit(const std::string& keep) {
        while (stats_.bytes > budget_ && !lru_.empty()) {
            const std::string victim = lru_.back();
            if (victim == keep) break;
            forget(victim, entries_[victim]);
            ++stats_.dropped;
        }
    }

    const std::uint64_t budget_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::map<std::string, Entry> entries_;
    std::list<std::string> lru_;  // paths of kept answers, most recently used first
    TraceTimelineStats stats_;
};

}  // namespace tblog::view
