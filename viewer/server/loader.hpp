// Keeps the Store in step with the logdir(s).
//
// A pass (at start, then every --reload_interval seconds) walks each logdir, registers every
// directory holding *tfevents* files as a run, and reads what each run's files gained since
// the last pass: files in name order, each from its saved offset (never re-read). Runs are
// loaded in parallel by a pool of worker threads; a run's files are read by one worker, in
// order, because their events form one stream. Runs whose directory vanished are dropped.
//
// The walk also notes profiler traces (<run>/plugins/profile/<session>/<host>.trace.json[.gz]),
// and after the pass builds the Profile dashboard's timeline of each new or changed one into
// the Store (trace_timelines.hpp), so opening a trace in the page does not wait for it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ingest.hpp"
#include "options.hpp"
#include "record_scan.hpp"
#include "store.hpp"

namespace tblog::view {

struct LoaderStats {
    std::uint64_t passes = 0;
    std::uint64_t runs = 0;
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;            // event-file bytes consumed
    std::uint64_t records = 0;          // records read (CRC-valid)
    std::uint64_t fast_records = 0;     // of which decoded by the scalar fast path
    std::uint64_t corrupt_records = 0;  // skipped for bad CRCs / damaged headers
    std::uint64_t skipped_bytes = 0;    // bytes skipped while resynchronising after damage
    std::uint64_t unparsable = 0;       // CRC-valid records that are not Events
    std::uint64_t dropped_values = 0;   // values not matching their series' kind
    std::uint64_t truncated_files = 0;  // files currently ending inside a record
    std::uint64_t dead_files = 0;
    double last_pass_seconds = 0;
    double first_pass_seconds = 0;
    double first_pass_cpu_seconds = 0;  // CPU time of the loading threads (all of them)
};

// A profiler trace file: tblog's (or TensorFlow's) <run>/plugins/profile/<session>/
// <host>.trace.json[.gz] ("chrome") and <host>.xplane.pb ("xspace"), or PyTorch's
// <run>/<worker>.<stamp>.pt.trace.json[.gz] (what torch.profiler.tensorboard_trace_handler
// writes; "pytorch": session = <stamp>, host = <worker>).
struct ProfileTrace {
    std::string run;      // run name (relative directory of the run)
    std::string session;  // plugins/profile/<session>
    std::string host;     // <host>.trace.json[.gz]
    std::string format;   // "chrome", "xspace" or "pytorch"
    std::filesystem::path path;
    std::uint64_t bytes = 0;
    std::int64_t mtime_ns = 0;  // modification time (0 on s3://); with path and bytes, the version
    bool gzipped = false;
};

class Loader {
public:
    Loader(const Options& options, Store& store);
    ~Loader();

    // Runs a first pass at once and then one every reload interval, on a background thread.
    void start();
    void stop();

    // One synchronous pass (also what the background thread runs).
    void pass();

    // Blocks until at least `n` passes completed (or the timeout elapsed).
    bool wait_for_passes(std::uint64_t n, std::chrono::milliseconds timeout) const;

    LoaderStats stats() const;
    std::vector<ProfileTrace> profile_traces() const;

private:
    struct RunState {
        std::shared_ptr<Run> run;
        std::map<std::string, FileCursor> files;  // by path: the order events are read in
        std::unique_ptr<RunIngestor> ingestor;
        bool truncated = false;
    };
    struct Discovery {
        std::map<std::string, std::pair<std::filesystem::path, std::vector<std::string>>> runs;  // name -> (dir, files)
        std::vector<ProfileTrace> traces;
        bool incomplete = false;  // a remote listing failed: vanished runs are not dropped
    };

    Discovery discover() const;
    void load_run(RunState& rs, std::string& buffer);
    void fit_budget_elsewhere(const Run& loading);

    const Options& opt_;
    Store& store_;
    std::map<std::string, std::unique_ptr<RunState>> states_;  // touched by pass() only
    std::mutex pass_mu_;                                       // one pass at a time

    mutable std::mutex mu_;  // guards stats_, traces_, stop_
    mutable std::condition_variable cv_;
    LoaderStats stats_;
    std::vector<ProfileTrace> traces_;
    bool stop_ = false;
    std::mutex join_mu_;
    std::thread thread_;
};

}  // namespace tblog::view
