#include "loader.hpp"

#include "log_storage.hpp"
#include "plugins/profile/trace_file.hpp"
#include "tblog/detail/text/utf8.hpp"

#include <sys/stat.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <set>

namespace tblog::view {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct WalkContext {
    std::set<std::pair<dev_t, ino_t>> visited;  // directories, to survive symlink cycles
};

// Depth-first walk following symlinks; calls on_dir(dir, rel, regular file names).
template <class F>
void walk(const fs::path& dir, const std::string& rel, WalkContext& ctx, F&& on_dir, int depth = 0) {
    struct stat st {};
    if (depth > 64 || ::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
    if (!ctx.visited.insert({st.st_dev, st.st_ino}).second) return;
    std::vector<std::string> files, subdirs;
    std::error_code ec;
    for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        std::error_code sec;
        if (it->is_directory(sec))
            subdirs.push_back(name);
        else if (it->is_regular_file(sec))
            files.push_back(name);
    }
    std::sort(files.begin(), files.end());
    std::sort(subdirs.begin(), subdirs.end());
    on_dir(dir, rel, files);
    for (const auto& sub : subdirs) walk(dir / sub, rel == "." ? sub : rel + "/" + sub, ctx, on_dir, depth + 1);
}

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Names from file systems and other writers (run directories, tags, profile sessions) that
// are not valid UTF-8 cannot go into JSON as they are: they are shown with each undecodable
// byte as \xHH (utf8::backslash_escape). The run keeps its real directory for file access
// (Run::dir()), so only the name is changed.
std::string display_name(std::string_view s) { return detail::utf8::backslash_escape(s); }

std::string run_name(const std::string& prefix, const std::string& rel) {
    if (prefix.empty()) return display_name(rel);
    return display_name(rel == "." ? prefix : prefix + "/" + rel);
}

}  // namespace

Loader::Loader(const Options& options, Store& store) : opt_(options), store_(store) {}

Loader::~Loader() { stop(); }

void Loader::start() {
    if (opt_.reload_interval < 0) return;  // as TensorBoard: a negative interval loads nothing
    thread_ = std::thread([this] {
        for (;;) {
            pass();
            std::unique_lock lk(mu_);
            if (opt_.reload_interval <= 0) {
                cv_.wait(lk, [this] { return stop_; });
                return;
            }
            const auto period = std::chrono::duration<double>(opt_.reload_interval);
            if (cv_.wait_for(lk, period, [this] { return stop_; })) return;
        }
    });
}

void Loader::stop() {
    {
        std::lock_guard lk(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    std::lock_guard lk(join_mu_);  // two threads stopping at once must not both join
    if (thread_.joinable()) thread_.join();
}

bool Loader::wait_for_passes(std::uint64_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, timeout, [&] { return stats_.passes >= n; });
}

LoaderStats Loader::stats() const {
    std::lock_guard lk(mu_);
    return stats_;
}

std::vector<ProfileTrace> Loader::profile_traces() const {
    std::lock_guard lk(mu_);
    return traces_;
}

Loader::Discovery Loader::discover() const {
    Discovery d;
    for (const auto& root : opt_.logdirs) {
        WalkContext ctx;
        auto on_dir = [&](const fs::path& dir, const std::string& rel, const std::vector<std::string>& files) {
            std::vector<std::string> events;
            for (const auto& f : files)
                if (f.find("tfevents") != std::string::npos) events.push_back((dir / f).string());
            if (!events.empty()) {
                auto& slot = d.runs[run_name(root.name, rel)];
                if (slot.second.empty()) slot.first = dir;
                slot.second.insert(slot.second.end(), events.begin(), events.end());
            }
            const auto add_trace = [&](const std::string& run_rel, const std::string& session, const std::string& host,
                                       const char* format, const std::string& f, bool gz) {
                ProfileTrace t;
                t.run = run_name(root.name, run_rel);
                t.session = display_name(session);
                t.host = display_name(host);
                t.format = format;
                t.path = dir / f;
                if (is_remote_path(t.path.string())) {
                    t.bytes = remote_size(t.path.string()).value_or(0);
                } else if (struct stat st {}; ::stat(t.path.c_str(), &st) == 0) {
                    t.bytes = static_cast<std::uint64_t>(st.st_size);
                    t.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
                }
                t.gzipped = gz;
                d.traces.push_back(std::move(t));
            };
            // <run>/<worker>.<stamp>.pt.trace.json[.gz]: PyTorch's profiler
            for (const auto& f : files) {
                const bool gz = ends_with(f, ".pt.trace.json.gz");
                if (!gz && !ends_with(f, ".pt.trace.json")) continue;
                const std::string stem = f.substr(0, f.size() - (gz ? 17 : 14));
                const auto dot = stem.find('.');
                add_trace(rel, dot == std::string::npos ? stem : stem.substr(dot + 1), stem.substr(0, dot), "pytorch", f, gz);
            }
            // <run>/plugins/profile/<session>/<host>.trace.json[.gz] and <host>.xplane.pb
            const fs::path session_dir = dir.filename(), profile_dir = dir.parent_path();
            if (profile_dir.filename() == "profile" && profile_dir.parent_path().filename() == "plugins") {
                const std::string suffix = "/plugins/profile/" + session_dir.string();
                const std::string run_rel =
                    rel.size() > suffix.size() ? rel.substr(0, rel.size() - suffix.size()) : std::string(".");
                for (const auto& f : files) {
                    if (ends_with(f, ".pt.trace.json") || ends_with(f, ".pt.trace.json.gz")) continue;
                    if (ends_with(f, ".xplane.pb")) {
                        add_trace(run_rel, session_dir.string(), f.substr(0, f.size() - 10), "xspace", f, false);
                        continue;
                    }
                    const bool gz = ends_with(f, ".trace.json.gz");
                    if (!gz && !ends_with(f, ".trace.json")) continue;
                    add_trace(run_rel, session_dir.string(), f.substr(0, f.size() - (gz ? 14 : 11)), "chrome", f, gz);
                }
            }
        };
        if (!is_remote_path(root.dir.string())) {
            walk(root.dir, ".", ctx, on_dir);
            continue;
        }
        try {
            remote_walk(root.dir.string(), [&](const std::string& dir, const std::string& rel,
                                               const std::vector<std::string>& files) { on_dir(fs::path(dir), rel, files); });
        } catch (const std::exception& e) {
            // The store did not answer: keep what was loaded, try again next pass.
            std::fprintf(stderr, "%s\n", e.what());
            d.incomplete = true;
        }
    }
    return d;
}

// The run being loaded is spilled to its summaries and still the budget is exceeded: the
// rest is held by other runs (loaded earlier in the pass, when there was room, or by a
// previous pass), which nothing else would spill before the pass ends, so meanwhile each
// new point's summary would be charged on top of the budget (at 300 M points under 256M,
// ~180 MiB of summaries above it by the end of the pass). Runs that are busy (being
// loaded by another thread, or read by a route) are skipped rather than waited for.
void Loader::fit_budget_elsewhere(const Run& loading) {
    for (const auto& run : store_.runs()) {
        if (!store_.budget().over_budget()) return;
        if (run.get() == &loading) continue;
        std::unique_lock lk(run->mutex, std::try_to_lock);
        if (lk.owns_lock()) store_.fit_budget(*run);
    }
}

void Loader::load_run(RunState& rs, std::string& buffer) {
    rs.truncated = false;
    for (auto& [path, cursor] : rs.files) {
        try {
            const ScanResult r = scan_new_records(path, cursor, buffer, [&](const std::vector<std::string_view>& recs) {
                {
                    std::unique_lock lk(rs.run->mutex);
                    for (const auto& rec : recs) rs.ingestor->apply(rec);
                    store_.fit_budget(*rs.run);
                }
                if (store_.budget().over_budget()) fit_budget_elsewhere(*rs.run);
            });
            rs.truncated = rs.truncated || r.truncated_tail;
        } catch (const std::exception& e) {
            // An I/O failure while storing (e.g. the scalar cache file cannot be read back) must
            // not end the process from a loader thread: the run keeps what it has, and the next
            // pass reads on from the file's cursor (re-read records replace their steps).
            std::fprintf(stderr, "tblog-view: loading %s: %s (kept what was loaded; retried next pass)\n", path.c_str(),
                         e.what());
        }
    }
}

void Loader::pass() {
    std::lock_guard pass_lock(pass_mu_);
    const auto t0 = std::chrono::steady_clock::now();
    Discovery d = discover();

    // Register new runs and files; forget runs whose directory is gone.
    for (auto it = states_.begin(); it != states_.end();) {
        if (!d.incomplete && !d.runs.count(it->first)) {
            store_.remove(it->first);
            it = states_.erase(it);
        } else {
            ++it;
        }
    }
    std::vector<RunState*> work;
    for (auto& [name, entry] : d.runs) {
        auto& st = states_[name];
        if (!st) {
            st = std::make_unique<RunState>();
            st->run = store_.add(name, entry.first);
            st->ingestor = std::make_unique<RunIngestor>(*st->run, opt_.sampling);
        }
        for (const auto& f : entry.second) st->files.try_emplace(f);
        work.push_back(st.get());
    }

    // Load runs in parallel: workers take the next run until none is left.
    unsigned n_threads = opt_.load_threads > 0 ? static_cast<unsigned>(opt_.load_threads)
                                               : std::max(1u, std::thread::hardware_concurrency());
    n_threads = std::min<unsigned>(n_threads, static_cast<unsigned>(std::max<std::size_t>(1, work.size())));
    std::atomic<std::size_t> next{0};
    std::mutex cpu_mu;
    double cpu = 0;
    auto worker = [&] {
        const double c0 = thread_cpu_seconds();
        std::string buffer;
        for (std::size_t i; (i = next.fetch_add(1)) < work.size();) load_run(*work[i], buffer);
        std::lock_guard lk(cpu_mu);
        cpu += thread_cpu_seconds() - c0;
    };
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < n_threads; ++i) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
    store_.fit_budget();

    LoaderStats s;
    for (auto& [name, st] : states_) {
        ++s.runs;
        for (auto& [path, c] : st->files) {
            ++s.files;
            s.bytes += c.offset;
            s.corrupt_records += c.corrupt_records;
            s.skipped_bytes += c.skipped_bytes;
            s.dead_files += c.dead;
        }
        const IngestCounters& ic = st->ingestor->counters();
        s.records += ic.events;
        s.fast_records += ic.fast_events;
        s.unparsable += ic.unparsable;
        s.dropped_values += ic.dropped_values;
        s.truncated_files += st->truncated;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    {
        std::lock_guard lk(mu_);
        s.passes = stats_.passes + 1;
        s.last_pass_seconds = secs;
        s.first_pass_seconds = stats_.passes == 0 ? secs : stats_.first_pass_seconds;
        s.first_pass_cpu_seconds = stats_.passes == 0 ? cpu : stats_.first_pass_cpu_seconds;
        stats_ = s;
        traces_ = d.traces;
    }
    cv_.notify_all();
    // After the pass is counted: the runs' data is served meanwhile; a route asking for a
    // timeline being built here waits for this build rather than starting its own.
    if (!d.incomplete) {
        std::set<std::string> paths;
        for (const auto& t : d.traces) paths.insert(t.path.string());
        store_.timelines().retain(paths);
    }
    for (const auto& t : d.traces) {
        {
            std::lock_guard lk(mu_);
            if (stop_) return;
        }
        prebuild_trace_timeline(opt_, store_, t);
    }
    // the timelines kept are charged to the budget (Store): make room for them in the data
    if (!d.traces.empty()) store_.fit_budget();
}

}  // namespace tblog::view
