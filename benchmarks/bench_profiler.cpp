// What a profiler span costs the thread that opens it, and what writing the trace costs.
//
//   span (recording):     `{ auto s = prof.span("forward"); }` in batches of 1000, per span;
//                         median and p99 over the batches (after warm-up).
//   span (not recording): the same while the profiler is outside its step window.
//   span, 4 threads:      the recording case with four threads at once (each its own buffer).
//   nested x3:            three nested spans, per span.
//   counter:              prof.counter("loss", v), per call.
//   stop():               serialising + gzip-writing the recorded spans, per million spans
//                         (JSON trace and XSpace).
//   record_op:            what an adapter (tblog/torch.hpp) pays per op, with input shapes.
//   XSpace, 1 M events:   detail::trace::write_xspace alone on 1 M events (ops with stats and
//                         plain spans, 4 threads), beside the JSON trace writer on the same.
// The target is <= 100 ns per span on the calling thread.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <tblog/profiler.hpp>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// CPU time of this thread: what a write costs when other processes share the cores.
static double thread_cpu_s() {
    timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9;
}

struct Cost {
    double median, p99;
};

template <class F>
static Cost per_op(F&& batch, int ops_per_batch, int batches = 2000, int warmup = 200) {
    std::vector<double> v;
    v.reserve(batches);
    for (int b = 0; b < batches + warmup; ++b) {
        const auto t0 = Clock::now();
        batch();
        const double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
        if (b >= warmup) v.push_back(ns / ops_per_batch);
    }
    std::sort(v.begin(), v.end());
    return {v[v.size() / 2], v[v.size() * 99 / 100]};
}

static tblog::ProfilerOptions options() {
    tblog::ProfilerOptions o;
    o.max_buffer_mb = 4096;  // keep every span: the benchmark measures recording, not dropping
    return o;
}

static void row(const char* what, Cost c) {
    std::printf("| %s | %.1f | %.1f |\n", what, c.median, c.p99);
    std::fflush(stdout);
}

int main(int argc, char** argv) {
    const fs::path root = argc > 1 ? argv[1] : (fs::temp_directory_path() / "tblog-bench-profiler");
    fs::remove_all(root);
    constexpr int kBatch = 1000;
    std::printf("| operation | median (ns/op) | p99 (ns/op) |\n|---|---|---|\n");

    {
        tblog::Profiler prof((root / "span").string(), "", options());
        row("span (recording)", per_op([&] {
                for (int i = 0; i < kBatch; ++i) auto s = prof.span("forward");
            }, kBatch));
        // Serialising what was just recorded.
        const auto t0 = Clock::now();
        prof.stop();
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        const double events = 2200.0 * kBatch;
        std::printf("| stop(): serialise + gzip, per 1 M spans | %.0f ms | - |\n", 1e3 * s / (events / 1e6));
    }
    {
        tblog::Profiler prof((root / "ops").string(), "", options());
        row("record_op (recording, with input shapes)", per_op([&] {
                for (int i = 0; i < kBatch; ++i) {
                    const auto t = tblog::Profiler::clock_ns();
                    prof.record_op({"aten::addmm", t, t + 100, tblog::OpScope::forward, i, 0, "[[32],[64,64],[64,32]]"});
                }
            }, kBatch));
    }
    {
        // The XSpace writer alone, on 1 M events: 4 threads x 250k (half ops with stats).
        using namespace tblog::detail::trace;
        NameTable names;
        const std::uint32_t op = names.intern("aten::addmm"), span = names.intern("forward"),
                            shapes = names.intern("[[32],[64,64],[64,32]]");
        Session s;
        s.start_ns = 0;
        s.end_ns = 1'000'000'000;
        s.start_unix_s = 1.7e9;
        s.hostname = "bench";
        std::vector<CollectedThread> threads;
        for (long tid = 1; tid <= 4; ++tid) {
            CollectedThread t{tid, "thread", {}};
            for (std::int64_t i = 0; i < 125'000; ++i) {
                t.records.push_back(Record{i * 1000, {i * 1000 + 900}, span, Phase::complete});
                t.records.push_back(Record{i * 1000 + 10, {i * 1000 + 500}, op, Phase::op});
                t.records.push_back(Record{i, {0}, shapes, Phase::op_info, 0});
            }
            threads.push_back(std::move(t));
        }
        const auto all = names.snapshot();
        fs::create_directories(root);
        auto t0 = Clock::now();
        double c0 = thread_cpu_s();
        write_xspace((root / "bench.xplane.pb").string(), s, threads, all);
        const double xs = std::chrono::duration<double>(Clock::now() - t0).count(), xs_cpu = thread_cpu_s() - c0;
        t0 = Clock::now();
        c0 = thread_cpu_s();
        write_chrome_trace((root / "bench.trace.json.gz").string(), s, threads, all);
        const double js = std::chrono::duration<double>(Clock::now() - t0).count(), js_cpu = thread_cpu_s() - c0;
        std::printf("| XSpace file, 1 M events (write_xspace) | %.0f ms wall, %.0f ms thread CPU (%.0f MB) | - |\n", 1e3 * xs,
                    1e3 * xs_cpu, fs::file_size(root / "bench.xplane.pb") / 1e6);
        std::printf("| JSON trace, same 1 M events (write_chrome_trace, gzip) | %.0f ms wall, %.0f ms thread CPU | - |\n", 1e3 * js,
                    1e3 * js_cpu);
    }
    {
        tblog::Profiler prof((root / "nested").string(), "", options());
        row("nested x3 (recording, per span)", per_op([&] {
                for (int i = 0; i < kBatch / 4; ++i) {
                    auto a = prof.span("step");
                    auto b = prof.span("forward");
                    auto c = prof.span("linear");
                }
            }, 3 * (kBatch / 4)));
    }
    {
        tblog::Profiler prof((root / "counter").string(), "", options());
        row("counter (recording)", per_op([&] {
                for (int i = 0; i < kBatch / 4; ++i) prof.counter("loss", i * 0.5);
            }, kBatch / 4));
    }
    {
        tblog::Profiler prof((root / "idle").string(), "1000000,1000001", options());
        prof.step(0);
        row("span (not recording)", per_op([&] {
                for (int i = 0; i < kBatch; ++i) auto s = prof.span("forward");
            }, kBatch));
    }
    {
        tblog::Profiler prof((root / "mt").string(), "", options());
        std::vector<Cost> costs(4);
        std::vector<std::thread> ts;
        for (int t = 0; t < 4; ++t)
            ts.emplace_back([&, t] {
                costs[t] = per_op([&] {
                    for (int i = 0; i < kBatch / 4; ++i) auto s = prof.span("forward");
                }, kBatch / 4, 1000, 100);
            });
        for (auto& t : ts) t.join();
        std::sort(costs.begin(), costs.end(), [](Cost a, Cost b) { return a.median < b.median; });
        row("span, 4 threads at once (worst thread)", costs.back());
        prof.stop();
    }
    fs::remove_all(root);
    return 0;
}
