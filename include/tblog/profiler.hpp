// tblog::Profiler — scoped spans, instant events and counters from any thread, plus a
// sampler of the process's CPU utilisation and resident memory, written as a Chrome Trace
// Event file where TensorBoard's profile plugin looks for one:
//   <logdir>/plugins/profile/<YYYY_MM_DD_HH_MM_SS>/<hostname>.trace.json.gz
// Perfetto (ui.perfetto.dev) and chrome://tracing open the file as is. Format: docs/profiler.md.
//
//   tblog::Profiler prof(writer.get_logdir(), "500,520");   // steps 500..520, like Keras'
//   for (int step = 0; step < 1000; ++step) {              // profile_batch='500,520'
//       prof.step(step);                                   // at the top of every step
//       { auto s = prof.span("forward");  ... }
//       { auto s = prof.span("backward"); ... }
//       prof.counter("loss", loss);
//   }                                                      // file written after step 520
//
// Cost: a span takes two clock reads and one 24-byte store into the calling thread's own
// buffer (see detail/profiler/trace_buffer.hpp); nothing is formatted until the session stops. When
// the profiler is not recording, span() returns an empty Span after one atomic load.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tblog/detail/io/logdir_paths.hpp"
#include "tblog/detail/io/naming.hpp"
#include "tblog/detail/io/storage.hpp"
#include "tblog/detail/profiler/trace_buffer.hpp"
#include "tblog/detail/profiler/trace_proc.hpp"
#include "tblog/detail/profiler/trace_writer.hpp"
#include "tblog/detail/profiler/trace_xspace.hpp"

namespace tblog {

// Steps [first, last], both included.
struct StepWindow {
    std::int64_t first = 0, last = 0;
};

// Keras' / PyTorch-TensorBoard's profile_batch: "500,520" (a range) or "7" (one step).
// Throws std::invalid_argument otherwise.
inline StepWindow parse_profile_batch(std::string_view spec) {
    const auto bad = [&]() -> StepWindow {
        throw std::invalid_argument("tblog: profile_batch must be 'N' or 'FIRST,LAST' with 0 <= FIRST <= LAST, got '" +
                                    std::string(spec) + "'");
    };
    const auto number = [&](std::string_view t) -> std::int64_t {
        while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
        while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
        if (t.empty() || t.size() > 18) bad();
        std::int64_t v = 0;
        for (char c : t) {
            if (c < '0' || c > '9') bad();
            v = v * 10 + (c - '0');
        }
        return v;
    };
    const auto comma = spec.find(',');
    StepWindow w;
    if (comma == std::string_view::npos) {
        w.first = w.last = number(spec);
    } else {
        w.first = number(spec.substr(0, comma));
        w.last = number(spec.substr(comma + 1));
    }
    if (w.last < w.first) bad();
    return w;
}

struct ProfilerOptions {
    // How often the sampler reads /proc/self/stat and /proc/self/statm while recording;
    // zero turns the sampler off.
    std::chrono::milliseconds sample_interval{100};
    // Memory all threads' event buffers may hold (24 bytes per event); past it new events
    // are dropped and counted in the file's otherData.dropped_events.
    std::size_t max_buffer_mb = 256;
    // The trace file's name is <hostname>.trace.json.gz; empty: this machine's name.
    std::string hostname;
    // Also write <hostname>.xplane.pb (XSpace, what current TensorBoard profile plugins read)
    // beside the JSON trace.
    bool write_xspace = true;
};

// What kind of call a framework operator was; see OpEvent.
using OpScope = detail::trace::OpScope;

// One framework operator call, as an adapter (tblog/torch.hpp) reports it: a span with the
// facts torch.profiler gives. Times from Profiler::clock_ns().
struct OpEvent {
    std::string_view name;
    std::int64_t t0_ns = 0, t1_ns = 0;
    OpScope scope = OpScope::forward;
    std::int64_t sequence_nr = -1;  // links a forward op to its backward (-1: none)
    // The forward op's thread, in the framework's own thread ids: for a backward op the
    // thread its forward op ran on, for a forward op its own (0: this OS thread). With the
    // sequence number it pairs a forward op with its backward.
    std::uint64_t fwd_thread_id = 0;
    // Input shapes as a JSON array of arrays ("[[2,3],[]]"), empty when not recorded.
    std::string_view input_shapes;
    // Or, cheaper for an adapter, the same shapes as integers (format_input_dims in
    // detail/profiler/trace_buffer.hpp: the input count, then each input's rank and sizes):
    // the text is made once per distinct list on the recording thread, not per op.
    const std::int64_t* input_dims = nullptr;
    std::size_t input_dims_size = 0;
};

class Profiler;

namespace detail::trace {
// Which buffer the calling thread writes for a profiler: a few (profiler id, buffer)
// pairs per thread, so the hot path finds its buffer without a lock.
struct TlsEntry {
    std::uint64_t owner = 0;
    ThreadBuffer* buf = nullptr;
};
inline constexpr int kTlsEntries = 4;
inline thread_local TlsEntry tls_buffers[kTlsEntries];
inline thread_local unsigned tls_next_slot = 0;
inline std::atomic<std::uint64_t> next_profiler_id{1};
}  // namespace detail::trace

// A running span; records [open, close) on the thread that opened it when it goes out of
// scope. Obtain one only from Profiler::span and keep it as a local variable:
//
//   auto s = prof.span("forward");
//
// Why a span cannot be closed on another thread: it points at the opening thread's own
// buffer, which only that thread may write. So a Span can be neither copied nor moved
// (C++17's guaranteed copy elision still lets span() return it by value), nor created with
// new (operator new is deleted), nor built by anyone but Profiler (private constructor):
// there is no way to hand it to another thread, and a local object is destroyed by the
// thread that created it. Hence the destructor checks nothing at run time. (Only deliberate
// circumvention — a global placement ::new, or a Span member of a heap object deleted by
// another thread — escapes this; don't.) The Profiler must outlive its spans.
class [[nodiscard]] Span {
public:
    Span(const Span&) = delete;
    Span(Span&&) = delete;
    Span& operator=(const Span&) = delete;
    Span& operator=(Span&&) = delete;
    static void* operator new(std::size_t) = delete;
    static void* operator new[](std::size_t) = delete;
    static void* operator new(std::size_t, void*) = delete;

    ~Span() {
        if (buf_)
            buf_->append({t0_, detail::trace::now_ns(), name_, detail::trace::Phase::complete});
    }

private:
    friend class Profiler;
    Span() = default;
    Span(detail::trace::ThreadBuffer* b, std::uint32_t name, std::int64_t t0) : buf_(b), t0_(t0), name_(name) {}

    detail::trace::ThreadBuffer* buf_ = nullptr;  // null: not recording when opened
    std::int64_t t0_ = 0;
    std::uint32_t name_ = 0;
};

class Profiler {
public:
    // Records from now until stop() (or the destructor) when `profile_batch` is empty;
    // otherwise only during the steps it names, driven by step().
    explicit Profiler(std::string logdir, std::string_view profile_batch = "", ProfilerOptions options = {})
        : logdir_(std::move(logdir)), opt_(std::move(options)),
          pool_(static_cast<std::int64_t>(
                    std::max<std::size_t>(1, opt_.max_buffer_mb * 1024 * 1024 / sizeof(detail::trace::Chunk))),
                kSpareChunks) {
        if (logdir_.empty()) throw std::invalid_argument("tblog: Profiler needs a logdir");
        if (opt_.hostname.empty()) opt_.hostname = detail::hostname();
        detail::check_contained_path("Profiler hostname '" + opt_.hostname + "'",
                                     "plugins/profile/session/" + opt_.hostname + ".trace.json.gz");
        if (!profile_batch.empty()) window_ = parse_profile_batch(profile_batch);
        pool_.set_on_low([this] { helper_cv_.notify_one(); });
        helper_ = std::thread([this] { helper_loop(); });
        if (!window_) start();
    }

    Profiler(const Profiler&) = delete;
    Profiler& operator=(const Profiler&) = delete;

    ~Profiler() {
        try {
            stop();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "tblog: profiler: %s\n", e.what());
        }
        {
            std::lock_guard<std::mutex> lk(helper_mu_);
            quit_ = true;
        }
        helper_cv_.notify_all();
        helper_.join();
    }

    // ---- recording (any thread, lock-free after a thread's first call) -------------------

    // Opens a span named `name` on the calling thread; it closes when the Span is destroyed.
    // Spans nest by scope. The name is copied (once per distinct name and thread).
    Span span(std::string_view name) {
        if (!recording_.load(std::memory_order_relaxed)) return Span();
        auto* b = buffer();
        const auto id = b->name_id(name, names_);
        return Span(b, id, detail::trace::now_ns());
    }

    // A point in time on the calling thread's track.
    void instant(std::string_view name) {
        if (!recording_.load(std::memory_order_relaxed)) return;
        auto* b = buffer();
        b->append({detail::trace::now_ns(), 0, b->name_id(name, names_), detail::trace::Phase::instant});
    }

    // A value on the counter track `name` (e.g. loss, queue depth). JSON cannot hold NaN or
    // infinity: such values are skipped.
    void counter(std::string_view name, double value) {
        if (!recording_.load(std::memory_order_relaxed) || !std::isfinite(value)) return;
        auto* b = buffer();
        detail::trace::Record r{detail::trace::now_ns(), {0}, b->name_id(name, names_), detail::trace::Phase::counter};
        r.value = value;
        b->append(r);
    }

    // A framework operator that ran on the calling thread (see OpEvent); dropped when not
    // recording. Names and shapes are interned once per distinct string (dims list) and thread.
    void record_op(const OpEvent& op) {
        if (!recording_.load(std::memory_order_relaxed)) return;
        auto* b = buffer();
        using detail::trace::Record;
        Record a{op.t0_ns, {op.t1_ns}, b->name_id(op.name, names_), detail::trace::Phase::op};
        const std::uint32_t shapes = op.input_dims_size ? b->dims_id(op.input_dims, op.input_dims_size, names_)
                                     : op.input_shapes.empty() ? detail::trace::kNoName
                                                               : b->name_id(op.input_shapes, names_);
        Record info{op.sequence_nr, {static_cast<std::int64_t>(op.fwd_thread_id)}, shapes,
                    detail::trace::Phase::op_info, static_cast<std::uint8_t>(op.scope)};
        b->append2(a, info);
    }

    // The clock spans and ops are timed with (steady clock, nanoseconds).
    static std::int64_t clock_ns() { return detail::trace::now_ns(); }

    // Calls hook(true) whenever recording starts and hook(false) before a session's trace is
    // written (under the profiler's session lock: a hook must not call start/stop/step).
    // Called at once with true if recording already. Returns an id for remove_recording_hook.
    std::size_t add_recording_hook(std::function<void(bool)> hook) {
        std::lock_guard<std::mutex> lk(mu_);
        const std::size_t id = next_hook_++;
        hooks_.push_back({id, std::move(hook)});
        if (recording_) hooks_.back().second(true);
        return id;
    }
    // Removes a hook (calling it with false first if recording).
    void remove_recording_hook(std::size_t id) {
        std::lock_guard<std::mutex> lk(mu_);
        for (auto it = hooks_.begin(); it != hooks_.end(); ++it)
            if (it->first == id) {
                if (recording_) it->second(false);
                hooks_.erase(it);
                return;
            }
    }

    // Names the calling thread's track (default: the OS thread name, "main" for the main thread).
    void set_thread_name(std::string_view name) {
        auto* b = buffer();
        std::lock_guard<std::mutex> lk(registry_mu_);
        b->name() = std::string(name);
    }

    // ---- sessions --------------------------------------------------------------------------

    // Marks the start of training step `step` (call it at the top of each step). With a
    // profile_batch window, recording starts at its first step and the file is written when
    // a step after its last one begins (or at stop()). While recording, each step also
    // appears as a "ProfilerStep#<n>" span, as in PyTorch's profiler.
    void step(std::int64_t step) {
        std::lock_guard<std::mutex> lk(mu_);
        const auto now = detail::trace::now_ns();
        if (recording_ && open_step_) {
            steps_.push_back({open_step_->step, open_step_->t0, now, open_step_->tid});
            open_step_.reset();
        }
        if (window_ && !window_done_) {
            if (!recording_ && step >= window_->first && step <= window_->last) {
                start_locked();
            } else if (recording_ && step > window_->last) {
                window_done_ = true;
                stop_locked();
            }
        }
        // Read the clock again: a session that has just started must not begin after its step.
        if (recording_) open_step_ = detail::trace::StepMark{step, detail::trace::now_ns(), 0, detail::trace::current_tid()};
    }

    // Starts recording now (no effect if already recording).
    void start() {
        std::lock_guard<std::mutex> lk(mu_);
        start_locked();
    }

    // Stops recording and writes the trace file; returns its path ("" if nothing was being
    // recorded). Spans still open are left out.
    std::string stop() {
        std::lock_guard<std::mutex> lk(mu_);
        return stop_locked();
    }

    bool recording() const { return recording_.load(std::memory_order_relaxed); }
    const std::string& logdir() const { return logdir_; }

    // Every trace file this profiler has written, oldest first.
    std::vector<std::string> trace_files() const {
        std::lock_guard<std::mutex> lk(mu_);
        return files_;
    }
    // Every XSpace file (<host>.xplane.pb, beside its trace file), oldest first.
    std::vector<std::string> xspace_files() const {
        std::lock_guard<std::mutex> lk(mu_);
        return xspace_files_;
    }

private:
    detail::trace::ThreadBuffer* buffer() {
        using detail::trace::tls_buffers;
        for (auto& e : tls_buffers)
            if (e.owner == id_) return e.buf;
        return register_thread();
    }

    detail::trace::ThreadBuffer* register_thread() {
        const long tid = detail::trace::current_tid();
        std::string name = detail::trace::current_thread_os_name();
        if (tid == detail::trace::current_pid()) name = "main";
        if (name.empty()) name = "thread " + std::to_string(tid);
        detail::trace::ThreadBuffer* b;
        {
            std::lock_guard<std::mutex> lk(registry_mu_);
            threads_.push_back(std::make_unique<detail::trace::ThreadBuffer>(tid, std::move(name), pool_));
            b = threads_.back().get();
        }
        auto& slot = detail::trace::tls_buffers[detail::trace::tls_next_slot++ % detail::trace::kTlsEntries];
        slot = {id_, b};
        return b;
    }

    void start_locked() {
        if (recording_) return;
        discard_recorded();  // left-overs: spans that closed after the last stop
        session_start_ns_ = detail::trace::now_ns();
        session_start_unix_ = detail::now_seconds();
        {
            std::lock_guard<std::mutex> lk(helper_mu_);
            samples_.clear();
        }
        steps_.clear();
        open_step_.reset();
        pool_.reset_dropped();
        take_sample();
        {
            // Under the helper's lock, so a helper about to wait cannot miss the wake-up.
            std::lock_guard<std::mutex> lk(helper_mu_);
            next_sample_ = std::chrono::steady_clock::now() + opt_.sample_interval;
            recording_ = true;
        }
        helper_cv_.notify_all();
        for (auto& h : hooks_) h.second(true);
    }

    std::string stop_locked() {
        if (!recording_) return {};
        for (auto& h : hooks_) h.second(false);
        recording_ = false;
        detail::trace::Session s;
        s.end_ns = detail::trace::now_ns();
        take_sample();
        if (open_step_) steps_.push_back({open_step_->step, open_step_->t0, s.end_ns, open_step_->tid});
        open_step_.reset();
        s.start_ns = session_start_ns_;
        s.start_unix_s = session_start_unix_;
        s.pid = detail::trace::current_pid();
        s.process_name = detail::trace::process_name();
        s.hostname = opt_.hostname;
        s.steps = std::move(steps_);
        steps_.clear();
        {
            std::lock_guard<std::mutex> lk(helper_mu_);
            for (const auto& p : samples_)
                if (p.t_ns >= s.start_ns) s.samples.push_back(p);
            samples_.clear();
        }
        {
            std::lock_guard<std::mutex> lk(registry_mu_);
            // Buffers live as long as the profiler: the writer drains them after the lock.
            for (auto& t : threads_) s.threads.push_back({t->tid(), t->name(), t.get()});
        }
        s.names = &names_;

        s.dropped_events = pool_.dropped();
        const auto threads = detail::trace::collect(s);
        const auto names = names_.snapshot();  // after draining: holds every name recorded
        if (!detail::url_scheme(logdir_).empty()) {
            // s3://...: each file is written locally, then stored as one object (tblog/s3.hpp
            // registers the storage); the local copy is removed.
            const auto store = detail::storage_for(logdir_, S3Options{});
            const std::string dir = logdir_ + "/plugins/profile/" + detail::trace::profile_run_stamp(std::time(nullptr));
            const std::string path = dir + "/" + opt_.hostname + ".trace.json.gz";
            put_via_temp(*store, path, ".json.gz",
                         [&](const std::string& tmp) { detail::trace::write_chrome_trace(tmp, s, threads, names); });
            if (opt_.write_xspace) {
                const std::string xs = dir + "/" + opt_.hostname + ".xplane.pb";
                put_via_temp(*store, xs, ".xplane.pb",
                             [&](const std::string& tmp) { detail::trace::write_xspace(tmp, s, threads, names); });
                xspace_files_.push_back(xs);
            }
            files_.push_back(path);
            return path;
        }
        const std::string dir = new_run_dir();
        const std::string path = dir + "/" + opt_.hostname + ".trace.json.gz";
        detail::trace::write_chrome_trace(path, s, threads, names);
        if (opt_.write_xspace) {
            const std::string xs = dir + "/" + opt_.hostname + ".xplane.pb";
            detail::trace::write_xspace(xs, s, threads, names);
            xspace_files_.push_back(xs);
        }
        files_.push_back(path);
        return path;
    }

    void discard_recorded() {
        std::lock_guard<std::mutex> lk(registry_mu_);
        for (auto& t : threads_) t->drain([](const detail::trace::Record&) {});
    }

    // Writes one file with `write(tmp_path)` into the temp directory and stores it at `url`.
    template <class Write>
    void put_via_temp(detail::Storage& store, const std::string& url, const char* suffix, Write&& write) {
        const auto tmp = std::filesystem::temp_directory_path() /
                         ("tblog-trace-" + std::to_string(detail::process_id()) + "-" + std::to_string(id_) + suffix);
        write(tmp.string());
        std::ifstream in(tmp, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), {});
        in.close();
        std::error_code ec;
        std::filesystem::remove(tmp, ec);
        store.put_file(url, bytes);
    }

    // <logdir>/plugins/profile/<stamp>, a stamp no earlier run used (one second later if
    // two sessions end within the same second).
    std::string new_run_dir() {
        namespace fs = std::filesystem;
        const fs::path base = fs::path(logdir_) / "plugins" / "profile";
        std::time_t t = std::time(nullptr);
        fs::path dir;
        for (;; ++t) {
            dir = base / detail::trace::profile_run_stamp(t);
            if (!fs::exists(dir)) break;
        }
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw std::system_error(ec, "tblog: cannot create '" + dir.string() + "'");
        return dir.string();
    }

    void take_sample() {
        if (opt_.sample_interval.count() <= 0) return;
        if (auto p = detail::trace::read_proc_sample()) {
            std::lock_guard<std::mutex> lk(helper_mu_);
            samples_.push_back(*p);
        }
    }

    // The helper thread keeps spare buffer chunks ready (see ChunkPool) and, while
    // recording, reads /proc every sample_interval.
    void helper_loop() {
        using Clock = std::chrono::steady_clock;
        const bool sampling = opt_.sample_interval.count() > 0;
        std::unique_lock<std::mutex> lk(helper_mu_);
        while (!quit_) {
            const bool due = sampling && recording_ && Clock::now() >= next_sample_;
            if (due) {
                next_sample_ += opt_.sample_interval;
                if (next_sample_ <= Clock::now()) next_sample_ = Clock::now() + opt_.sample_interval;
            }
            lk.unlock();
            pool_.refill();
            if (due) take_sample();
            lk.lock();
            if (quit_) break;
            if (sampling && recording_)
                helper_cv_.wait_until(lk, next_sample_);
            else
                helper_cv_.wait_for(lk, std::chrono::seconds(1));  // start() and the pool wake it
        }
    }

    const std::uint64_t id_ = detail::trace::next_profiler_id.fetch_add(1);
    std::string logdir_;
    ProfilerOptions opt_;
    std::optional<StepWindow> window_;
    bool window_done_ = false;

    std::atomic<bool> recording_{false};
    detail::trace::NameTable names_;
    static constexpr std::size_t kSpareChunks = 8;  // ~0.8 MB kept ready
    detail::trace::ChunkPool pool_;

    mutable std::mutex mu_;  // sessions: start/stop/step
    std::int64_t session_start_ns_ = 0;
    double session_start_unix_ = 0;
    std::vector<detail::trace::StepMark> steps_;
    std::optional<detail::trace::StepMark> open_step_;
    std::vector<std::string> files_, xspace_files_;
    std::vector<std::pair<std::size_t, std::function<void(bool)>>> hooks_;
    std::size_t next_hook_ = 1;

    std::mutex registry_mu_;  // threads_ and their names
    std::vector<std::unique_ptr<detail::trace::ThreadBuffer>> threads_;

    std::mutex helper_mu_;  // samples_, next_sample_, quit_
    std::condition_variable helper_cv_;
    std::vector<detail::trace::ProcSample> samples_;
    std::chrono::steady_clock::time_point next_sample_;
    bool quit_ = false;
    std::thread helper_;
};

}  // namespace tblog
