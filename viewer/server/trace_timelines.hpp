// The Profile dashboard's timelines (/data/tblog/profile/trace_columns answers), built once
// per trace file and kept in the Store: building one takes seconds for a million events
// (inflate, scan, intern, nest, pair flows), so a page opening a trace, Compare loading a
// second one and the export all read the kept answer instead of rebuilding it.
//
// An answer is kept for one version of its file, named by path, size and modification time
// as the loader saw them (ProfileTrace): a file rewritten (new size or mtime) is built anew,
// an unchanged one never again. A failure (refused, not valid) is kept the same way, so a bad
// file is not parsed again on every request. One build per version: callers asking while it
// is being built wait for that build (versioned_cache.hpp). Answers are held up to a byte
// budget; past it the least recently used are dropped (and built again, lazily, when asked
// for), and one larger than the whole budget is handed to its callers but not kept.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "versioned_cache.hpp"

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

// entries: versions held (answers and failures); bytes: their answer and message bytes;
// builds: builds run since start (each version once, unless dropped past the budget);
// hits: answers found kept or waited for; dropped: answers dropped past the budget.
using TraceTimelineStats = VersionedCacheStats;

class TraceTimelines {
public:
    static constexpr std::uint64_t kDefaultBudget = std::uint64_t{1} << 30;  // 1 GiB of answers
    // `on_bytes`: told each change of the bytes kept (the Store charges them to its budget).
    explicit TraceTimelines(std::uint64_t budget = kDefaultBudget, std::function<void(std::int64_t)> on_bytes = {})
        : cache_(budget, budget, timeline_bytes, std::move(on_bytes)) {}

    using Build = std::function<TraceTimeline()>;

    // The timeline of `v`: the kept one, else build() run now (by this caller; others asking
    // for `v` meanwhile wait for it). build() reports failures in the result, never throws.
    TraceTimeline get(const TraceFileVersion& v, const Build& build) {
        return *cache_.get(v.path, v, [&] {
            {
                std::lock_guard lk(mu_);
                built_[v.path] = v;
            }
            return std::make_shared<const TraceTimeline>(build());
        });
    }

    // Whether `v` was ever built (kept, being built, or dropped past the budget since): the
    // loader builds each version once, ahead of the page, and leaves dropped ones to get().
    bool seen(const TraceFileVersion& v) const {
        std::lock_guard lk(mu_);
        const auto it = built_.find(v.path);
        return it != built_.end() && it->second == v;
    }

    // Forgets the timelines of files not in `paths` (traces gone from the logdir).
    void retain(const std::set<std::string>& paths) {
        cache_.retain([&](const std::string& path) { return paths.count(path) > 0; });
        std::lock_guard lk(mu_);
        for (auto it = built_.begin(); it != built_.end();) it = paths.count(it->first) ? std::next(it) : built_.erase(it);
    }

    TraceTimelineStats stats() const { return cache_.stats(); }

private:
    static std::uint64_t timeline_bytes(const std::string&, const TraceFileVersion&, const TraceTimeline& t) {
        return (t.bytes ? t.bytes->size() : 0) + t.error.size();
    }

    VersionedCache<std::string, TraceFileVersion, TraceTimeline> cache_;
    mutable std::mutex mu_;
    std::map<std::string, TraceFileVersion> built_;  // the last version built of each path
};

}  // namespace tblog::view
