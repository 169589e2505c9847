// tblog::Profiler: the trace file is valid gzip'd Chrome Trace Event JSON where TensorBoard's
// profile plugin looks, spans nest and sit on their own thread's track, times are
// microseconds, counters and thread names are present, and step windows start and stop
// recording at the right steps. The file is read back with zlib + nlohmann-json, not with
// anything of the profiler's own.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <tuple>
#include <regex>
#include <set>
#include <thread>
#include <type_traits>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "support/test_support.hpp"
#include "tblog/profiler.hpp"
#include "xplane.pb.h"

namespace fs = std::filesystem;
using json = nlohmann::json;
using tbtest::TempDir;

namespace {

std::string gunzip_file(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    REQUIRE(f != nullptr);
    std::string out;
    char buf[65536];
    int n;
    while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    REQUIRE(n == 0);  // no gzip error
    gzclose(f);
    return out;
}

// The file must start with the gzip magic and hold one JSON object with traceEvents.
json read_trace(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    REQUIRE(f != nullptr);
    unsigned char magic[2] = {0, 0};
    REQUIRE(std::fread(magic, 1, 2, f) == 2);
    std::fclose(f);
    CHECK(magic[0] == 0x1f);
    CHECK(magic[1] == 0x8b);
    json j = json::parse(gunzip_file(path));
    REQUIRE(j.is_object());
    REQUIRE(j.contains("traceEvents"));
    REQUIRE(j["traceEvents"].is_array());
    return j;
}

std::vector<json> events(const json& trace, const std::string& ph, const std::string& name = "") {
    std::vector<json> out;
    for (const auto& e : trace["traceEvents"])
        if (e["ph"] == ph && (name.empty() || e["name"] == name)) out.push_back(e);
    return out;
}

// The one event of phase `ph` named `name` (fails the test if there is not exactly one).
json only(const json& trace, const std::string& ph, const std::string& name) {
    auto all = events(trace, ph, name);
    INFO(ph << " events named '" << name << "'");
    REQUIRE(all.size() == 1);
    return all[0];
}

std::string thread_name(const json& trace, long tid) {
    for (const auto& e : events(trace, "M", "thread_name"))
        if (e["tid"].get<long>() == tid) return e["args"]["name"].get<std::string>();
    return "<none>";
}

bool contains(const json& outer, const json& inner) {
    const double a0 = outer["ts"], a1 = a0 + outer["dur"].get<double>();
    const double b0 = inner["ts"], b1 = b0 + inner["dur"].get<double>();
    return a0 <= b0 && b1 <= a1;
}

tblog::ProfilerOptions quiet_options() {
    tblog::ProfilerOptions o;
    o.sample_interval = std::chrono::milliseconds(5);
    o.hostname = "testhost";
    return o;
}

}  // namespace

TEST_CASE("the trace lands at plugins/profile/<YYYY_MM_DD_HH_MM_SS>/<hostname>.trace.json.gz") {
    TempDir dir;
    tblog::Profiler prof(dir.str(), "", quiet_options());
    { auto s = prof.span("work"); }
    const std::string path = prof.stop();
    REQUIRE(fs::exists(path));
    const fs::path p(path);
    CHECK(p.filename() == "testhost.trace.json.gz");
    CHECK(std::regex_match(p.parent_path().filename().string(),
                           std::regex(R"(\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2})")));
    CHECK(p.parent_path().parent_path() == dir.path() / "plugins" / "profile");
    std::set<std::string> files;  // no temporary left behind
    for (const auto& e : fs::directory_iterator(p.parent_path())) files.insert(e.path().filename().string());
    CHECK(files == std::set<std::string>{"testhost.trace.json.gz", "testhost.xplane.pb"});
    auto trace = read_trace(path);
    CHECK(events(trace, "X", "work").size() == 1);
    CHECK(trace["otherData"]["hostname"] == "testhost");
    CHECK(prof.trace_files() == std::vector<std::string>{path});
    CHECK(prof.stop().empty());  // nothing recording any more: no second file
}

TEST_CASE("the default hostname is the machine's") {
    TempDir dir;
    tblog::Profiler prof(dir.str());
    const fs::path p(prof.stop());
    CHECK(p.filename() == tblog::detail::hostname() + ".trace.json.gz");
}

TEST_CASE("spans nest by scope, with microsecond times") {
    TempDir dir;
    tblog::Profiler prof(dir.str(), "", quiet_options());
    const auto t0 = std::chrono::steady_clock::now();
    {
        auto outer = prof.span("outer");
        {
            auto a = prof.span("inner_a");
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        {
            auto b = prof.span("inner_b");
            auto c = prof.span("innermost");
        }
    }
    const double elapsed_us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    auto trace = read_trace(prof.stop());

    const json outer = only(trace, "X", "outer"), a = only(trace, "X", "inner_a"),
               b = only(trace, "X", "inner_b"), c = only(trace, "X", "innermost");
    CHECK(contains(outer, a));
    CHECK(contains(outer, b));
    CHECK(contains(b, c));
    CHECK_FALSE(contains(a, b));
    CHECK(a["ts"].get<double>() + a["dur"].get<double>() <= b["ts"].get<double>());
    // Microseconds: a 20 ms sleep lasts at least 20000 and at most what the test measured.
    CHECK(a["dur"].get<double>() >= 20000.0);
    CHECK(outer["dur"].get<double>() <= elapsed_us);
    for (const json* e : {&outer, &a, &b, &c}) {
        CHECK((*e)["tid"] == outer["tid"]);
        CHECK((*e)["pid"] == outer["pid"]);
        CHECK((*e)["ts"].get<double>() >= 0.0);
    }
}

TEST_CASE("threads get their own tracks and names") {
    TempDir dir;
    tblog::Profiler prof(dir.str(), "", quiet_options());
    { auto s = prof.span("on main"); }
    std::thread loader([&] {
        prof.set_thread_name("data loader");
        auto s = prof.span("load batch");
    });
    std::thread unnamed([&] { auto s = prof.span("anonymous"); });
    loader.join();
    unnamed.join();
    auto trace = read_trace(prof.stop());

    const long main_tid = only(trace, "X", "on main")["tid"];
    const long load_tid = only(trace, "X", "load batch")["tid"];
    const long anon_tid = only(trace, "X", "anonymous")["tid"];
    CHECK(main_tid == only(trace, "X", "on main")["pid"].get<long>());  // kernel ids: the main thread's is the pid
    CHECK(std::set<long>{main_tid, load_tid, anon_tid}.size() == 3);
    CHECK(thread_name(trace, main_tid) == "main");
    CHECK(thread_name(trace, load_tid) == "data loader");
    CHECK(thread_name(trace, anon_tid) != "<none>");
    CHECK(events(trace, "M", "process_name").size() == 1);
}

TEST_CASE("instant events and counters, user and sampled") {
    TempDir dir;
    tblog::Profiler prof(dir.str(), "", quiet_options());
    prof.instant("checkpoint saved");
    prof.counter("loss", 0.75);
    prof.counter("loss", 0.5);
    prof.counter("loss", std::numeric_limits<double>::quiet_NaN());  // not representable: skipped
    std::this_thread::sleep_for(std::chrono::milliseconds(30));      // a few sampler readings
    auto trace = read_trace(prof.stop());

    CHECK(only(trace, "i", "checkpoint saved")["s"] == "t");
    auto loss = events(trace, "C", "loss");
    REQUIRE(loss.size() == 2);
    CHECK(loss[0]["args"]["value"] == 0.75);
    CHECK(loss[1]["args"]["value"] == 0.5);
    CHECK(loss[0]["ts"].get<double>() <= loss[1]["ts"].get<double>());

    // The sampler reads at start and stop at least, so both tracks exist.
    auto rss = events(trace, "C", "Resident memory");
    auto cpu = events(trace, "C", "CPU utilization");
    REQUIRE(rss.size() >= 2);
    REQUIRE(cpu.size() >= 1);
    CHECK(cpu.size() == rss.size() - 1);
    for (const auto& e : rss) CHECK(e["args"]["MiB"].get<double>() > 0.1);
    for (const auto& e : cpu) CHECK(e["args"]["percent"].get<double>() >= 0.0);
}

TEST_CASE("the sampler can be turned off") {
    TempDir dir;
    auto opt = quiet_options();
    opt.sample_interval = std::chrono::milliseconds(0);
    tblog::Profiler prof(dir.str(), "", opt);
    prof.counter("x", 1);
    auto trace = read_trace(prof.stop());
    CHECK(events(trace, "C", "Resident memory").empty());
    CHECK(events(trace, "C", "x").size() == 1);
}

TEST_CASE("profile_batch windows record only their steps") {
    TempDir dir;
    tblog::Profiler prof(dir.str(), "2,4", quiet_options());
    CHECK_FALSE(prof.recording());
    for (int step = 0; step < 8; ++step) {
        prof.step(step);
        CHECK(prof.recording() == (step >= 2 && step <= 4));
        auto s = prof.span("step body " + std::to_string(step));
        if (step == 4) CHECK(prof.trace_files().empty());
        if (step == 5) CHECK(prof.trace_files().size() == 1);  // written when step 5 began
    }
    REQUIRE(prof.trace_files().size() == 1);
    auto trace = read_trace(prof.trace_files()[0]);
    std::set<std::string> bodies, steps;
    for (const auto& e : events(trace, "X")) {
        CHECK(e["ts"].get<double>() >= 0.0);  // nothing before the session's start
        const std::string n = e["name"];
        if (n.rfind("step body ", 0) == 0) bodies.insert(n);
        if (n.rfind("ProfilerStep#", 0) == 0) steps.insert(n);
    }
    CHECK(bodies == std::set<std::string>{"step body 2", "step body 3", "step body 4"});
    CHECK(steps == std::set<std::string>{"ProfilerStep#2", "ProfilerStep#3", "ProfilerStep#4"});
    // Each body lies inside its step.
    for (int s = 2; s <= 4; ++s)
        CHECK(contains(only(trace, "X", "ProfilerStep#" + std::to_string(s)),
                       only(trace, "X", "step body " + std::to_string(s))));
    CHECK(prof.stop().empty());  // the window already wrote its file
}

TEST_CASE("a single-step window, and one the steps jump into") {
    TempDir dir;
    tblog::Profiler prof(dir.str(), "3", quiet_options());
    for (int step : {0, 3, 4}) prof.step(step);
    REQUIRE(prof.trace_files().size() == 1);
    auto trace = read_trace(prof.trace_files()[0]);
    only(trace, "X", "ProfilerStep#3");
    CHECK(events(trace, "X", "ProfilerStep#4").empty());

    TempDir dir2;
    tblog::Profiler jump(dir2.str(), "10,20", quiet_options());
    jump.step(0);
    jump.step(15);  // inside the window: starts
    CHECK(jump.recording());
    const std::string path = jump.stop();  // stopped by hand before the window ends
    CHECK_FALSE(path.empty());
    CHECK(events(read_trace(path), "X", "ProfilerStep#15").size() == 1);
}

TEST_CASE("profile_batch specs") {
    CHECK(tblog::parse_profile_batch("500,520").first == 500);
    CHECK(tblog::parse_profile_batch("500,520").last == 520);
    CHECK(tblog::parse_profile_batch(" 7 ").first == 7);
    CHECK(tblog::parse_profile_batch("7").last == 7);
    for (const char* bad : {"", ",", "5,", "a,b", "-1,3", "9,3", "1,2,3", "1.5"})
        CHECK_THROWS_AS(tblog::parse_profile_batch(bad), std::invalid_argument);
    TempDir dir;
    CHECK_THROWS_AS(tblog::Profiler(dir.str(), "x"), std::invalid_argument);
    CHECK_THROWS_AS(tblog::Profiler(""), std::invalid_argument);
}

TEST_CASE("sessions started and stopped by hand get their own run directories") {
    TempDir dir;
    tblog::Profiler prof(dir.str(), "", quiet_options());
    { auto s = prof.span("first"); }
    const auto p1 = prof.stop();
    { auto s = prof.span("between"); }  // not recording: dropped
    CHECK_FALSE(prof.recording());
    prof.start();
    { auto s = prof.span("second"); }
    const auto p2 = prof.stop();
    REQUIRE(p1 != p2);
    CHECK(fs::path(p1).parent_path() != fs::path(p2).parent_path());
    auto t1 = read_trace(p1), t2 = read_trace(p2);
    CHECK(events(t1, "X", "first").size() == 1);
    CHECK(events(t1, "X", "second").empty());
    CHECK(events(t2, "X", "second").size() == 1);
    CHECK(events(t2, "X", "first").empty());
    CHECK(events(t2, "X", "between").empty());
}

TEST_CASE("a span still open at stop is left out of that session and the next") {
    TempDir dir;
    tblog::Profiler prof(dir.str(), "", quiet_options());
    std::string p1;
    {
        auto s = prof.span("straddles");
        p1 = prof.stop();
        prof.start();
    }
    const auto p2 = prof.stop();
    CHECK(events(read_trace(p1), "X", "straddles").empty());
    CHECK(events(read_trace(p2), "X", "straddles").empty());
}

TEST_CASE("many threads, many spans: every event arrives, across buffer chunks") {
    TempDir dir;
    tblog::Profiler prof(dir.str(), "", quiet_options());
    constexpr int kThreads = 4, kSpans = 3 * static_cast<int>(tblog::detail::trace::kChunkRecords) / 2;
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t)
        ts.emplace_back([&, t] {
            for (int i = 0; i < kSpans; ++i) {
                auto s = prof.span(i % 2 ? "odd" : "even");
                if (i % 1000 == 0) prof.counter("progress " + std::to_string(t), i);
            }
        });
    for (auto& t : ts) t.join();
    auto trace = read_trace(prof.stop());
    CHECK(events(trace, "X", "odd").size() + events(trace, "X", "even").size() ==
          static_cast<std::size_t>(kThreads * kSpans));
    std::set<long> tids;
    for (const auto& e : events(trace, "X")) tids.insert(e["tid"].get<long>());
    CHECK(tids.size() == kThreads);
    CHECK(trace["otherData"]["dropped_events"] == 0);
}

TEST_CASE("stopping while other threads record loses nothing it should keep") {
    TempDir dir;
    tblog::Profiler prof(dir.str(), "", quiet_options());
    std::atomic<bool> done{false};
    std::atomic<long> spans{0};
    std::thread worker([&] {
        while (!done) {
            auto s = prof.span("busy");
            spans.fetch_add(1, std::memory_order_relaxed);
        }
    });
    std::size_t seen = 0;
    for (int i = 0; i < 5; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        seen += events(read_trace(prof.stop()), "X", "busy").size();
        prof.start();
    }
    done = true;
    worker.join();
    seen += events(read_trace(prof.stop()), "X", "busy").size();
    CHECK(seen > 0);
    CHECK(seen <= static_cast<std::size_t>(spans.load()));
}

TEST_CASE("the buffer budget drops and counts events past it") {
    TempDir dir;
    auto opt = quiet_options();
    opt.max_buffer_mb = 0;  // one chunk
    tblog::Profiler prof(dir.str(), "", opt);
    const int n = static_cast<int>(tblog::detail::trace::kChunkRecords) + 1000;
    for (int i = 0; i < n; ++i) auto s = prof.span("s");
    auto trace = read_trace(prof.stop());
    CHECK(events(trace, "X", "s").size() == tblog::detail::trace::kChunkRecords);
    CHECK(trace["otherData"]["dropped_events"] == 1000);
}

TEST_CASE("any name makes valid JSON (quotes, control characters, invalid UTF-8)") {
    TempDir dir;
    tblog::Profiler prof(dir.str(), "", quiet_options());
    const std::string weird = std::string("a\"b\\c\nd\x01 \xC3\xA9 \xFF\xFE end \xE2\x82") + std::string(1, '\0') + "z";
    { auto s = prof.span(weird); }
    prof.set_thread_name("t\"h\xC0");
    { auto s = prof.span("\xF0\x9F\x98\x80 emoji"); }
    auto trace = read_trace(prof.stop());
    std::set<std::string> names;
    for (const auto& e : events(trace, "X")) names.insert(e["name"].get<std::string>());
    CHECK(names.count("a\"b\\c\nd\x01 \xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD end \xEF\xBF\xBD\xEF\xBF\xBD" +
                      std::string(1, '\0') + "z") == 1);
    CHECK(names.count("\xF0\x9F\x98\x80 emoji") == 1);
}

TEST_CASE("/proc parsing") {
    using tblog::detail::trace::parse_stat_cpu_seconds;
    using tblog::detail::trace::parse_statm_rss_bytes;
    // A command name with spaces and parentheses: fields are counted after the last ')'.
    const std::string stat =
        "1234 (my (odd) prog) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 3 0 100 1000 200";
    auto cpu = parse_stat_cpu_seconds(stat, 100);
    REQUIRE(cpu);
    CHECK(*cpu == Approx(3.0));  // (250 + 50) ticks at 100 Hz
    CHECK_FALSE(parse_stat_cpu_seconds("1234 (x) S 1 2", 100));
    CHECK_FALSE(parse_stat_cpu_seconds("garbage", 100));
    auto rss = parse_statm_rss_bytes("1000 250 10 1 0 50 0\n", 4096);
    REQUIRE(rss);
    CHECK(*rss == 250u * 4096u);
    CHECK_FALSE(parse_statm_rss_bytes("", 4096));
    auto live = tblog::detail::trace::read_proc_sample();
    REQUIRE(live);
    CHECK(live->rss_bytes > 0);
}

// Compile-time guarantees behind "a span is closed on the thread that opened it".
template <class T, class = void>
struct heap_allocatable : std::false_type {};
template <class T>
struct heap_allocatable<T, std::void_t<decltype(T::operator new(sizeof(T)))>> : std::true_type {};
struct WithNew {  // the detector's positive case
    static void* operator new(std::size_t n) { return ::operator new(n); }
};

TEST_CASE("a Span cannot be copied, moved, heap-allocated or made outside Profiler") {
    using tblog::Span;
    STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<Span>);
    STATIC_REQUIRE_FALSE(std::is_move_constructible_v<Span>);
    STATIC_REQUIRE_FALSE(std::is_copy_assignable_v<Span>);
    STATIC_REQUIRE_FALSE(std::is_move_assignable_v<Span>);
    STATIC_REQUIRE_FALSE(std::is_default_constructible_v<Span>);
    STATIC_REQUIRE_FALSE(heap_allocatable<Span>::value);
    STATIC_REQUIRE(heap_allocatable<WithNew>::value);  // the detector can say yes
}

TEST_CASE("a profiler that never records writes nothing") {
    TempDir dir;
    {
        tblog::Profiler prof(dir.str(), "100,200", quiet_options());
        for (int step = 0; step < 10; ++step) {
            prof.step(step);
            auto s = prof.span("idle");
        }
    }
    CHECK_FALSE(fs::exists(dir.path() / "plugins"));
}

// ---- framework ops and the XSpace file ------------------------------------------------

namespace {

// What an adapter reports for one op, timed now.
void fake_op(tblog::Profiler& prof, std::string_view name, tblog::OpScope scope, std::int64_t seq,
             std::string_view shapes = "", std::uint64_t fwd_tid = 0) {
    const auto t0 = tblog::Profiler::clock_ns();
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    prof.record_op({name, t0, tblog::Profiler::clock_ns(), scope, seq, fwd_tid, shapes});
}

tensorflow::profiler::XSpace read_xspace(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.is_open());
    tensorflow::profiler::XSpace space;
    REQUIRE(space.ParseFromIstream(&in));
    return space;
}

// "ns" as the JSON trace prints microseconds: exact to the nanosecond.
std::int64_t us_to_ns(const json& v) { return std::llround(v.get<double>() * 1000.0); }

}  // namespace

TEST_CASE("ops carry scope, sequence number, forward thread and input shapes, and forward links to backward") {
    TempDir dir;
    auto opt = quiet_options();
    opt.sample_interval = std::chrono::milliseconds(0);
    tblog::Profiler prof(dir.str(), "", opt);
    {
        auto s = prof.span("forward");
        fake_op(prof, "aten::addmm", tblog::OpScope::forward, 7, "[[4,3],[3,2],[4,2]]");
    }
    long main_tid = tblog::detail::trace::current_tid();
    {
        auto s = prof.span("backward");
        fake_op(prof, "autograd::engine::evaluate_function: AddmmBackward0", tblog::OpScope::backward, 7, "",
                static_cast<std::uint64_t>(main_tid));
        fake_op(prof, "aten::mm", tblog::OpScope::forward, -1);
    }
    fake_op(prof, "Optimizer.step#SGD.step", tblog::OpScope::user, -1);
    auto trace = read_trace(prof.stop());
    const auto fwd = only(trace, "X", "aten::addmm");
    CHECK(fwd["cat"] == "cpu_op");
    CHECK(fwd["args"]["scope"] == "forward");
    CHECK(fwd["args"]["Sequence number"] == 7);
    CHECK(fwd["args"]["Input Dims"] == json::parse("[[4,3],[3,2],[4,2]]"));
    CHECK(contains(only(trace, "X", "forward"), fwd));
    const auto bwd = only(trace, "X", "autograd::engine::evaluate_function: AddmmBackward0");
    CHECK(bwd["args"]["scope"] == "backward");
    CHECK(bwd["args"]["Fwd thread id"] == main_tid);
    CHECK_FALSE(bwd["args"].contains("Input Dims"));
    CHECK(only(trace, "X", "Optimizer.step#SGD.step")["args"]["scope"] == "user");
    // One flow, from the forward op to the backward op of sequence number 7.
    const auto s = events(trace, "s"), f = events(trace, "f");
    REQUIRE(s.size() == 1);
    REQUIRE(f.size() == 1);
    CHECK(s[0]["id"] == 7);
    CHECK(f[0]["id"] == 7);
    CHECK(s[0]["ts"] == fwd["ts"]);
    CHECK(f[0]["ts"] == bwd["ts"]);
    CHECK(f[0]["bp"] == "e");
}

TEST_CASE("input shapes given as integers are written as the same text, in the JSON trace and the XSpace") {
    TempDir dir;
    auto opt = quiet_options();
    opt.sample_interval = std::chrono::milliseconds(0);
    opt.hostname = "testhost";
    tblog::Profiler prof(dir.str(), "", opt);
    // inputs: a 4x3 tensor, a non-tensor, a scalar tensor, a 0x7 tensor; then none at all
    const std::vector<std::vector<std::int64_t>> dims = {{4, 2, 4, 3, 0, 0, 2, 0, 7}, {0}, {1, 1, 5}};
    const char* text[] = {"[[4,3],[],[],[0,7]]", "[]", "[[5]]"};
    for (int round = 0; round < 3; ++round)  // later rounds hit the per-thread cache
        for (std::size_t i = 0; i < dims.size(); ++i) {
            const auto t0 = tblog::Profiler::clock_ns();
            const std::string name = "aten::op" + std::to_string(i);  // OpEvent holds a view of it
            tblog::OpEvent op{name, t0, t0 + 1000, tblog::OpScope::forward, static_cast<std::int64_t>(i), 0, ""};
            op.input_dims = dims[i].data();
            op.input_dims_size = dims[i].size();
            prof.record_op(op);
        }
    const auto trace = read_trace(prof.stop());
    for (std::size_t i = 0; i < dims.size(); ++i) {
        const auto ops = events(trace, "X", "aten::op" + std::to_string(i));
        REQUIRE(ops.size() == 3);
        for (const auto& e : ops) CHECK(e["args"]["Input Dims"] == json::parse(text[i]));
    }
    const auto space = read_xspace(prof.xspace_files().at(0));
    std::multiset<std::string> shapes;
    for (const auto& plane : space.planes())
        for (const auto& line : plane.lines())
            for (const auto& ev : line.events())
                for (const auto& st : ev.stats())
                    if (plane.stat_metadata().at(st.metadata_id()).name() == "input_shapes") shapes.insert(st.str_value());
    CHECK(shapes == std::multiset<std::string>{text[0], text[0], text[0], text[1], text[1], text[1], text[2], text[2], text[2]});
}

TEST_CASE("the XSpace file decodes with protobuf and holds the JSON trace's events, one for one") {
    TempDir dir;
    tblog::Profiler prof(dir.str(), "1,3", quiet_options());
    std::thread worker;
    for (int step = 0; step < 5; ++step) {
        prof.step(step);
        auto s = prof.span("train_step_body");
        fake_op(prof, "aten::linear", tblog::OpScope::forward, step, "[[2,3]]");
        fake_op(prof, "LinearBackward0", tblog::OpScope::backward, step);
        prof.counter("loss", 1.0 / (step + 1));
        prof.instant("checkpoint");
        if (step == 2) {  // joined inside the step: its span must fall in the window "1,3"
            worker = std::thread([&] {
                prof.set_thread_name("loader");
                auto l = prof.span("load batch");
            });
            worker.join();
        }
    }
    REQUIRE(prof.trace_files().size() == 1);
    REQUIRE(prof.xspace_files().size() == 1);
    const fs::path xs = prof.xspace_files()[0];
    CHECK(xs.parent_path() == fs::path(prof.trace_files()[0]).parent_path());
    CHECK(xs.filename() == "testhost.xplane.pb");
    const auto trace = read_trace(prof.trace_files()[0]);
    const auto space = read_xspace(xs.string());

    REQUIRE(space.hostnames_size() == 1);
    CHECK(space.hostnames(0) == "testhost");
    REQUIRE(space.planes_size() == 1);
    const auto& plane = space.planes(0);
    CHECK(plane.name() == "/host:CPU");
    std::map<std::string, std::int64_t> stat_id;
    for (const auto& [id, m] : plane.stat_metadata()) {
        CHECK(m.id() == id);
        stat_id[m.name()] = id;
    }
    for (const char* n : {"step_num", "group_id", "_r", "scope", "sequence_number", "input_shapes", "value"})
        CHECK(stat_id.count(n) == 1);

    // Every JSON event with a time (X, i, C) is an XEvent on its thread's line (the
    // sampler's counters on the process counters line) with the same name, start and
    // duration to the nanosecond, and the same stats; and nothing else is.
    using Key = std::tuple<long, std::string, std::int64_t, std::int64_t, std::string>;
    const auto stat_text = [](const json& e) -> std::string {
        if (e["ph"] == "C") {
            const auto& args = e["args"];
            return "value=" + std::to_string(args.begin().value().get<double>());
        }
        if (e.value("cat", "") == "cpu_op")
            return "scope=" + e["args"]["scope"].get<std::string>() + " seq=" +
                   std::to_string(e["args"]["Sequence number"].get<long>()) +
                   (e["args"].contains("Input Dims") ? " shapes=" + e["args"]["Input Dims"].dump() : "");
        if (e.value("cat", "") == "step") return "step=" + std::to_string(e["args"]["step"].get<long>());
        return "";
    };
    std::multiset<Key> from_json;
    for (const auto& e : trace["traceEvents"]) {
        const std::string ph = e["ph"];
        if (ph != "X" && ph != "i" && ph != "C") continue;
        const long tid = ph == "C" && e["tid"] == 0 ? 0 : e["tid"].get<long>();
        from_json.insert({tid, e["name"], us_to_ns(e["ts"]), ph == "X" ? us_to_ns(e["dur"]) : 0, stat_text(e)});
    }
    std::multiset<Key> from_xspace;
    std::set<std::string> line_names;
    for (const auto& line : plane.lines()) {
        line_names.insert(line.name());
        CHECK(line.display_name() == line.name() + " (" + std::to_string(line.id()) + ")");
        CHECK(line.timestamp_ns() == std::llround(trace["otherData"]["start_time_unix_s"].get<double>() * 1e9));
        std::int64_t prev = -1;
        for (const auto& ev : line.events()) {
            REQUIRE(plane.event_metadata().count(ev.metadata_id()) == 1);
            const auto& meta = plane.event_metadata().at(ev.metadata_id());
            CHECK(ev.offset_ps() % 1000 == 0);
            CHECK(ev.offset_ps() >= prev);  // sorted by start
            prev = ev.offset_ps();
            std::map<std::string, const tensorflow::profiler::XStat*> st;
            for (const auto& x : ev.stats()) st[plane.stat_metadata().at(x.metadata_id()).name()] = &x;
            std::string stats;
            std::string name = meta.display_name().empty() ? meta.name() : meta.display_name();
            if (meta.name() == "train") {  // a step marker, as xprof recognises one
                REQUIRE(st.count("step_num"));
                CHECK(st["_r"]->int64_value() == 1);
                CHECK(st["group_id"]->int64_value() == st["step_num"]->int64_value());
                stats = "step=" + std::to_string(st["step_num"]->int64_value());
            } else if (st.count("scope")) {
                stats = "scope=" + st["scope"]->str_value() + " seq=" + std::to_string(st["sequence_number"]->int64_value()) +
                        (st.count("input_shapes") ? " shapes=" + json::parse(st["input_shapes"]->str_value()).dump() : "");
            } else if (st.count("value")) {
                stats = "value=" + std::to_string(st["value"]->double_value());
                name = meta.name();
            }
            from_xspace.insert({static_cast<long>(line.id()), name, ev.offset_ps() / 1000, ev.duration_ps() / 1000, stats});
        }
    }
    CHECK(from_json.size() > 20);
    CHECK(from_xspace == from_json);
    CHECK(line_names.count("loader") == 1);
    CHECK(line_names.count("Process counters") == 1);
    // The steps 1..3 as step markers, nothing from outside the window.
    std::set<std::int64_t> steps;
    for (const auto& k : from_xspace)
        if (std::get<1>(k).rfind("ProfilerStep#", 0) == 0) steps.insert(std::stoll(std::get<1>(k).substr(13)));
    CHECK(steps == std::set<std::int64_t>{1, 2, 3});
}

TEST_CASE("write_xspace = false writes the JSON trace only") {
    TempDir dir;
    auto opt = quiet_options();
    opt.write_xspace = false;
    tblog::Profiler prof(dir.str(), "", opt);
    { auto s = prof.span("work"); }
    const fs::path p = prof.stop();
    CHECK(prof.xspace_files().empty());
    CHECK(std::distance(fs::directory_iterator(p.parent_path()), fs::directory_iterator()) == 1);
}
