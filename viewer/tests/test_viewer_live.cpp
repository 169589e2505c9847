// tblog-written logdirs, served while a SummaryWriter keeps writing: new points, files and
// runs appear at the next reload; restarts (purge_step, step regressions) replace the tail.
#include <catch2/catch.hpp>

#include <zlib.h>

#include "tblog/profiler.hpp"
#include "tblog/writer.hpp"
#include "viewer_test_support.hpp"

using vtest::enc;
using vtest::json;
namespace fs = std::filesystem;

namespace {

std::vector<std::int64_t> steps_of(const json& points) {
    std::vector<std::int64_t> out;
    for (const auto& p : points) out.push_back(p[1].get<std::int64_t>());
    return out;
}

}  // namespace

TEST_CASE("live reload: appended points, new files and new runs appear at the next pass") {
    tbtest::TempDir dir;
    const double interval = 0.3;
    tblog::SummaryWriter w((dir.path() / "train").string());
    for (int i = 0; i < 10; ++i) w.add_scalar("loss", 1.0 / (i + 1), i);
    w.flush();

    vtest::TestServer s(dir.path(), interval);
    CHECK(s.scalars("train", "loss").size() == 10);

    // More points in the same (growing) file: visible once a pass has started after the
    // flush, i.e. within one reload interval (plus the pass itself).
    for (int i = 10; i < 25; ++i) w.add_scalar("loss", 1.0 / (i + 1), i);
    w.add_scalar("acc", 0.5, 24);
    w.flush();
    std::uint64_t p = s.passes();
    s.wait_passes(p + 2);
    const json pts = s.scalars("train", "loss");
    REQUIRE(pts.size() == 25);
    CHECK(pts[24][2].get<double>() == static_cast<double>(static_cast<float>(1.0 / 25)));
    CHECK(s.scalars("train", "acc").size() == 1);

    // A second writer on the same run (a new event file) and a new run.
    {
        tblog::SummaryWriter w2((dir.path() / "train").string(), "", std::nullopt, 10, 120, ".second");
        w2.add_scalar("other", 1, 0);
    }
    {
        tblog::SummaryWriter w3((dir.path() / "eval" / "sub").string());
        w3.add_scalar("loss", 2, 0);
    }
    p = s.passes();
    s.wait_passes(p + 2);
    CHECK(s.scalars("train", "other").size() == 1);
    CHECK(s.scalars("eval/sub", "loss").size() == 1);
    const json runs = s.get_json("/data/runs");
    CHECK(std::find(runs.begin(), runs.end(), "eval/sub") != runs.end());
    const json st = s.get_json("/data/tblog/status");
    CHECK(st["files"] == 3);
    CHECK(st["corrupt_records"] == 0);

    // A run whose directory disappears disappears.
    fs::remove_all(dir.path() / "eval");
    p = s.passes();
    s.wait_passes(p + 2);
    CHECK(s.get("/data/plugin/scalars/scalars?run=eval%2Fsub&tag=loss").status == 404);
}

TEST_CASE("a restarted job: steps going back replace the later points") {
    tbtest::TempDir dir;
    {
        tblog::SummaryWriter w((dir.path() / "run").string());
        for (int i = 0; i < 10; ++i) w.add_scalar("loss", i, i);
        // Preemption within one tag: step 7 again drops 7, 8, 9.
        w.add_scalar("loss", 70, 7);
    }
    vtest::TestServer s(dir.path());
    const json pts = s.scalars("run", "loss");
    CHECK(steps_of(pts) == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
    CHECK(pts[7][2].get<double>() == 70);
}

TEST_CASE("purge_step (SessionLog START) drops every tag's points from that step on") {
    tbtest::TempDir dir;
    const std::string run = (dir.path() / "run").string();
    {
        tblog::SummaryWriter w(run, "", std::nullopt, 10, 120, ".a");
        for (int i = 0; i < 10; ++i) {
            w.add_scalar("loss", i, i);
            w.add_scalar("lr", i, i);  // not rewritten after the restart
        }
    }
    {
        tblog::SummaryWriter w(run, "", /*purge_step=*/5, 10, 120, ".b");
        for (int i = 5; i < 8; ++i) w.add_scalar("loss", 100 + i, i);
    }
    vtest::TestServer s(dir.path());
    CHECK(steps_of(s.scalars("run", "loss")) == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
    CHECK(s.scalars("run", "loss")[5][2].get<double>() == 105);
    CHECK(steps_of(s.scalars("run", "lr")) == std::vector<std::int64_t>{0, 1, 2, 3, 4});
}

TEST_CASE("a tblog-written logdir on every dashboard route") {
    tbtest::TempDir dir;
    {
        tblog::SummaryWriter w((dir.path() / "exp").string());
        std::vector<float> values(1000);
        for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 37) / 10.0f;
        for (int step = 0; step < 3; ++step) {
            w.add_scalar("train/loss", 1.0 / (step + 1), step);
            w.add_histogram("weights", tblog::TensorView(values), step);
            w.add_text("notes", "step *" + std::to_string(step) + "*", step);
        }
        std::vector<float> img(3 * 4 * 5, 0.5f);
        w.add_image("img", tblog::TensorView(img.data(), {3, 4, 5}), 0);
        std::vector<float> sound(1600, 0.25f);
        w.add_audio("snd", tblog::TensorView(sound), 0, 16000);
        w.add_hparams({{"lr", 0.1}, {"opt", std::string("sgd")}}, {{"hp/acc", 0.9}}, {}, std::string("trial"));
    }
    vtest::TestServer s(dir.path());

    CHECK(s.scalars("exp", "train/loss").size() == 3);
    const json h = s.get_json("/data/plugin/histograms/histograms?run=exp&tag=weights");
    REQUIRE(h.size() == 3);
    double total = 0;
    for (const auto& row : h[0][2]) total += row[2].get<double>();
    CHECK(total == 1000);
    CHECK(s.get_json("/data/plugin/distributions/distributions?run=exp&tag=weights")[2][2].size() == 9);

    const json text = s.get_json("/data/plugin/text/text?run=exp&tag=notes%2Ftext_summary");
    REQUIRE(text.size() == 3);
    CHECK(text[2]["text"].get<std::string>().find("<p>step <em>2</em></p>") != std::string::npos);

    const json images = s.get_json("/data/plugin/images/images?run=exp&tag=img&sample=0");
    REQUIRE(images.size() == 1);
    const auto png = s.get("/data/plugin/images/individualImage?" + images[0]["query"].get<std::string>());
    CHECK(png.content_type == "image/png");
    CHECK(png.body.rfind("\x89PNG", 0) == 0);

    const json audio = s.get_json("/data/plugin/audio/audio?run=exp&tag=snd&sample=0");
    REQUIRE(audio.size() == 1);
    CHECK(s.get("/data/plugin/audio/individualAudio?" + audio[0]["query"].get<std::string>()).body.rfind("RIFF", 0) == 0);

    const json exp = json::parse(s.post("/data/plugin/hparams/experiment", "{}").body);
    CHECK(exp["hparamInfos"].size() == 2);
    const json groups = json::parse(
        s.post("/data/plugin/hparams/session_groups", R"({"allowedStatuses":["STATUS_SUCCESS"],"sliceSize":10})").body);
    REQUIRE(groups["sessionGroups"].size() == 1);
    CHECK(groups["sessionGroups"][0]["name"] == "exp/trial");
    CHECK(groups["sessionGroups"][0]["metricValues"][0]["value"].get<double>() == static_cast<double>(0.9f));
}

TEST_CASE("profiler traces are listed and served, gzipped or inflated") {
    tbtest::TempDir dir;
    {
        tblog::SummaryWriter w((dir.path() / "prof").string());
        w.add_scalar("x", 1, 0);
    }
    const std::string trace = R"({"traceEvents":[{"name":"step","ph":"X","ts":0,"dur":5,"pid":1,"tid":1}]})";
    vtest::write_file(dir.path() / "prof" / "plugins" / "profile" / "2024_01_01" / "host1.trace.json", trace);
    vtest::TestServer s(dir.path());
    const json runs = s.get_json("/data/tblog/profile/runs");
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["run"] == "prof");
    CHECK(runs[0]["session"] == "2024_01_01");
    CHECK(runs[0]["host"] == "host1");
    CHECK(s.get("/data/tblog/profile/trace?run=prof&session=2024_01_01&host=host1").body == trace);
    CHECK(s.get("/data/tblog/profile/trace?run=prof&session=2024_01_01&host=host2").status == 404);

    // Gzipped: sent as stored to a client taking gzip (cpp-httplib's client inflates it),
    // inflated by the server for one that does not.
    const fs::path gz = dir.path() / "prof" / "plugins" / "profile" / "2024_01_02" / "host2.trace.json.gz";
    fs::create_directories(gz.parent_path());
    gzFile f = gzopen(gz.c_str(), "wb");
    REQUIRE(f);
    gzwrite(f, trace.data(), static_cast<unsigned>(trace.size()));
    gzclose(f);
    s.reload();
    const std::string q = "/data/tblog/profile/trace?run=prof&session=2024_01_02&host=host2";
    CHECK(s.get(q).body == trace);
    httplib::Client raw("127.0.0.1", s.viewer().port());
    raw.set_decompress(false);
    auto zipped = raw.Get(q.c_str(), {{"Accept-Encoding", "gzip"}});
    REQUIRE(zipped);
    CHECK(zipped->get_header_value("Content-Encoding") == "gzip");
    CHECK(zipped->body == vtest::read_file(gz));
    auto plain = raw.Get(q.c_str(), {{"Accept-Encoding", "identity"}});
    REQUIRE(plain);
    CHECK(plain->body == trace);
}

TEST_CASE("tblog's XSpace traces are served as the same events as its JSON trace, PyTorch's traces are listed") {
    tbtest::TempDir dir;
    {
        tblog::ProfilerOptions po;
        po.hostname = "h";
        po.sample_interval = std::chrono::milliseconds(0);
        tblog::Profiler prof((dir.path() / "run").string(), "", po);
        prof.step(0);
        {
            auto sp = prof.span("forward");
            const auto t0 = tblog::Profiler::clock_ns();
            prof.record_op({"aten::mm", t0, t0 + 1500, tblog::OpScope::forward, 3, 0, "[[2,2],[2,2]]"});
        }
        prof.counter("loss", 0.5);
        prof.step(1);
    }
    // A PyTorch profiler trace (Kineto's Chrome-trace JSON, as tensorboard_trace_handler names it).
    const std::string kineto = R"({"schemaVersion":1,"traceEvents":[
      {"ph":"X","cat":"cpu_op","name":"aten::add","pid":7,"tid":7,"ts":10,"dur":4,"args":{"Sequence number":1}},
      {"ph":"i","cat":"cpu_instant_event","s":"t","name":"[memory]","pid":7,"tid":7,"ts":12,"args":{"Bytes":256,"Total Allocated":256}}]})";
    vtest::write_file(dir.path() / "run" / "worker0_123.1700000000000.pt.trace.json", kineto);
    vtest::TestServer s(dir.path());
    const json runs = s.get_json("/data/tblog/profile/runs");
    std::map<std::string, json> by_format;
    for (const auto& r : runs) by_format[r["format"]] = r;
    REQUIRE(by_format.size() == 3);
    CHECK(by_format["pytorch"]["run"] == "run");
    CHECK(by_format["pytorch"]["host"] == "worker0_123");
    CHECK(by_format["pytorch"]["session"] == "1700000000000");
    CHECK(by_format["xspace"]["session"] == by_format["chrome"]["session"]);
    const std::string q = "/data/tblog/profile/trace?run=run&host=h&session=" + by_format["chrome"]["session"].get<std::string>();
    const json from_json = s.get_json(q), from_xspace = s.get_json(q + "&format=xspace");
    CHECK(s.get_json(q + "&format=chrome") == from_json);  // the JSON trace is the default
    // The same spans, ops and counters, at the same times.
    const auto key = [](const json& t) {
        std::multiset<std::string> out;
        for (const auto& e : t["traceEvents"]) {
            if (e["ph"] != "X" && e["ph"] != "C") continue;
            std::string k = e["ph"].get<std::string>() + " " + e["name"].get<std::string>() + " " + e["ts"].dump() + " " + e.value("dur", json(0)).dump();
            if (e.value("cat", "") == "cpu_op") k += " " + e["args"]["Input Dims"].dump() + " " + e["args"]["Sequence number"].dump();
            out.insert(k);
        }
        return out;
    };
    CHECK(key(from_json).size() == 5);  // steps 0 and 1, forward, aten::mm, loss
    CHECK(key(from_xspace) == key(from_json));
    CHECK(s.get_json("/data/tblog/profile/trace?run=run&session=1700000000000&host=worker0_123") == json::parse(kineto));

    // The timeline in columns (what the dashboard reads; checked span by span against the
    // page's own JSON parser in viewer/web's traceColumns.test.ts): the header of each.
    const auto columns_header = [&](const std::string& route) {
        const auto r = s.get(route);
        REQUIRE(r.status == 200);
        REQUIRE(r.body.rfind("TBTRACE1", 0) == 0);
        const std::uint32_t n = static_cast<unsigned char>(r.body[8]) | static_cast<unsigned char>(r.body[9]) << 8 |
                                static_cast<unsigned char>(r.body[10]) << 16 | static_cast<std::uint32_t>(static_cast<unsigned char>(r.body[11])) << 24;
        return json::parse(r.body.substr(16, n));
    };
    const std::string cq = "/data/tblog/profile/trace_columns?run=run&host=h&session=" + by_format["chrome"]["session"].get<std::string>();
    for (const char* format : {"chrome", "xspace"}) {
        const json h = columns_header(cq + "&format=" + format);
        CHECK(h["events"] == (std::string(format) == "xspace" ? from_xspace : from_json)["traceEvents"].size());
        std::size_t spans = 0;
        for (const auto& t : h["threads"]) spans += t["spans"].get<std::size_t>();
        CHECK(spans == 4);  // steps 0 and 1, forward, aten::mm
        REQUIRE(h["counters"].size() == 1);
        CHECK(h["counters"][0]["label"].get<std::string>().find("loss") != std::string::npos);
    }
    const json k = columns_header("/data/tblog/profile/trace_columns?run=run&session=1700000000000&host=worker0_123");
    CHECK(k["events"] == 2);
    CHECK(k["memory"] == json::parse(R"([[12, 256, 256, 0, ""]])"));
}

TEST_CASE("scalar answers kept between appends follow the data: new points, a run written again, a run appearing") {
    tbtest::TempDir dir;
    auto write_run = [&](const std::string& run, int n, double scale) {
        tblog::SummaryWriter w((dir.path() / run).string());
        for (int i = 0; i < n; ++i) w.add_scalar("loss", scale * (i + 1), i);
    };
    auto w = std::make_unique<tblog::SummaryWriter>((dir.path() / "train").string());
    for (int i = 0; i < 300; ++i) w->add_scalar("loss", i + 1, i);  // > 1 KiB of JSON: gzipped to who takes it
    w->flush();
    vtest::TestServer s(dir.path());
    httplib::Client raw("127.0.0.1", s.viewer().port());
    raw.set_decompress(false);
    const std::string full = "/data/plugin/scalars/scalars?run=train&tag=loss",
                      down = "/data/tblog/scalars?run=train&tag=loss&buckets=100";
    const std::string form = "tag=loss&buckets=100&runs=train&runs=eval";
    // Each route as a client taking gzip (twice: the second answer comes from the cache) and
    // one that does not; the three must agree. Returns the plain answer.
    auto agreed = [&](const std::string& path, bool post) {
        std::string zipped[2], plain;
        for (int i = 0; i < 3; ++i) {
            const httplib::Headers h = {{"Accept-Encoding", i < 2 ? "gzip" : "identity"}};
            auto r = post ? raw.Post(path.c_str(), h, form, "application/x-www-form-urlencoded") : raw.Get(path.c_str(), h);
            REQUIRE(r);
            REQUIRE(r->status == 200);
            CHECK(r->get_header_value("Content-Encoding") == (i < 2 ? "gzip" : ""));
            (i < 2 ? zipped[i] : plain) = r->body;
        }
        CHECK(zipped[0] == zipped[1]);
        const vtest::Reply inflated = post ? s.post(path, form, "application/x-www-form-urlencoded") : s.get(path);
        CHECK(inflated.body == plain);
        return json::parse(plain);
    };
    auto check_all = [&](std::size_t points, double last_value) {
        const json a = agreed(full, false);
        REQUIRE(a.size() == points);
        CHECK(a.back()[2] == last_value);
        const json d = agreed(down, false);
        CHECK(d["total"] == points);
        CHECK(d["points"].back()[2] == last_value);
        const json m = agreed("/data/tblog/scalars_multirun", true);
        CHECK(m["train"]["total"] == points);
        return m;
    };
    CHECK(!check_all(300, 300).contains("eval"));

    for (int i = 300; i < 310; ++i) w->add_scalar("loss", i + 1, i);  // appended: answered anew
    w->flush();
    s.reload();
    check_all(310, 310);

    // The run written again with as many points, other values: another run, not the kept answer.
    w.reset();
    fs::remove_all(dir.path() / "train");
    s.reload();
    CHECK(s.get(full).status == 404);
    write_run("train", 310, 2);
    write_run("eval", 5, 1);
    s.reload();
    const json m = check_all(310, 620);
    CHECK(m["eval"]["total"] == 5);  // a run that appeared joins the batched answer
    auto cut = raw.Get(full.c_str(), {{"Range", "bytes=0-9"}, {"Accept-Encoding", "gzip"}});
    REQUIRE(cut);
    CHECK(cut->status == 206);  // a Range is cut from the plain answer, as before
    CHECK(cut->body == s.get(full).body.substr(0, 10));
}

// The plugin listing, the scalar tag index and the projector's runs are kept in the answer
// cache under the shape of the store (plugin_index.hpp's store_shape): asked again they are the
// same; a new run, a plugin's first data or a projector config appearing at a pass change them.
TEST_CASE("answers kept per shape of the store follow a new run, a plugin's first data and a projector config") {
    tbtest::TempDir dir;
    { tblog::SummaryWriter w((dir.path() / "train").string()); w.add_scalar("loss", 1, 1); }
    vtest::TestServer s(dir.path());
    auto twice = [&](const std::string& path) {
        const json a = s.get_json(path);
        CHECK(s.get_json(path) == a);
        return a;
    };
    CHECK(twice("/data/plugins_listing")["histograms"]["enabled"] == false);
    CHECK(twice("/data/tblog/scalar_tags")["runs"] == json::array({"train"}));
    CHECK(twice("/data/plugin/projector/runs") == json::array());

    {
        tblog::SummaryWriter w((dir.path() / "eval").string());
        w.add_scalar("loss", 2, 1);
        w.add_histogram("weights", std::vector<double>{1, 2, 3}, 1);
    }
    s.reload();
    CHECK(twice("/data/plugins_listing")["histograms"]["enabled"] == true);
    CHECK(twice("/data/tblog/scalar_tags")["runs"] == json::array({"eval", "train"}));
    CHECK(twice("/data/plugin/projector/runs") == json::array());

    {  // files only, no new series: found by the next pass
        const std::vector<float> mat = {1, 2, 3, 4, 5, 6};
        tblog::SummaryWriter w((dir.path() / "train").string());
        w.add_embedding(tblog::TensorView(mat.data(), {3, 2}), {"cat", "dog", "cat"});
    }
    s.reload();
    CHECK(twice("/data/plugin/projector/runs") == json::array({"train"}));
}

// The Profile dashboard's timeline is built once per version of its trace file (path, size,
// mtime) and kept in the Store (trace_timelines.hpp): asked again, or found unchanged by a
// later pass, it is not rebuilt ("builds" in /data/tblog/status counts builds); rewritten,
// the next pass builds the new one; deleted, it is forgotten.
TEST_CASE("trace timelines are built once per trace file version and rebuilt when the file changes") {
    tbtest::TempDir dir;
    const fs::path file = dir.path() / "run" / "plugins" / "profile" / "s1" / "h.trace.json";
    const auto trace = [](const std::string& name, int spans) {
        std::string t = R"({"traceEvents":[)";
        for (int i = 0; i < spans; ++i)
            t += (i ? "," : "") + std::string(R"({"ph":"X","pid":1,"tid":1,"name":")") + name + R"(","ts":)" +
                 std::to_string(10 * i) + R"(,"dur":5})";
        return t + "]}";
    };
    vtest::write_file(file, trace("aaaa", 3));
    vtest::TestServer s(dir.path());
    const std::string q = "/data/tblog/profile/trace_columns?run=run&session=s1&host=h";
    const auto builds = [&] { return s.get_json("/data/tblog/status")["trace_timelines"]["builds"].get<std::uint64_t>(); };
    // what a timeline holds: its span count and the names (the header and the strings array)
    const auto timeline = [&] {
        const auto r = s.get(q);
        REQUIRE(r.status == 200);
        const std::uint32_t n = static_cast<unsigned char>(r.body[8]) | static_cast<unsigned char>(r.body[9]) << 8;
        const json h = json::parse(r.body.substr(16, n));
        const auto at = h["arrays"]["strings"];
        const std::size_t base = (16 + n + 7) & ~std::size_t(7);
        return std::make_tuple(r.body, h["threads"][0]["spans"].get<int>(),
                               r.body.substr(base + at[0].get<std::size_t>(), at[1].get<std::size_t>()));
    };
    const auto [first, spans, names] = timeline();
    CHECK(spans == 3);
    CHECK(names.find("aaaa") != std::string::npos);
    CHECK(builds() == 1);  // by the loader or by this request, never both
    s.reload();            // a pass finding the file unchanged
    CHECK(std::get<0>(timeline()) == first);
    CHECK(builds() == 1);

    // rewritten, longer: a new size
    vtest::write_file(file, trace("aaaa", 4));
    s.reload();
    CHECK(builds() == 2);  // built by the pass, ahead of the page
    CHECK(std::get<1>(timeline()) == 4);
    CHECK(builds() == 2);

    // rewritten with the same size: a new mtime
    vtest::write_file(file, trace("bbbb", 4));
    fs::last_write_time(file, fs::last_write_time(file) + std::chrono::seconds(5));
    s.reload();
    const auto [third, spans3, names3] = timeline();
    CHECK(spans3 == 4);
    CHECK(names3.find("bbbb") != std::string::npos);
    CHECK(names3.find("aaaa") == std::string::npos);
    CHECK(builds() == 3);
    CHECK(s.get_json("/data/tblog/status")["trace_timelines"]["entries"] == 1);

    // a file that is no trace: the failure is kept too (not parsed again per request)
    vtest::write_file(file, R"({"traceEvents":[{"ph":"X",}]})");
    s.reload();
    CHECK(s.get(q).status == 500);
    CHECK(s.get(q).status == 500);
    CHECK(builds() == 4);

    fs::remove(file);
    s.reload();
    CHECK(s.get(q).status == 404);
    CHECK(s.get_json("/data/tblog/status")["trace_timelines"]["entries"] == 0);
}

// The timelines' share is charged as they are kept, not set aside up front: a logdir without
// traces leaves it to the data, and a kept timeline's bytes are reserved from the budget until
// it goes (memory_shares.hpp, Store).
TEST_CASE("Profile timelines charge the bytes they keep to --max_memory, and give them back") {
    tbtest::TempDir dir;
    const fs::path file = dir.path() / "run" / "plugins" / "profile" / "s1" / "h.trace.json";
    std::string t = R"({"traceEvents":[)";
    for (int i = 0; i < 2000; ++i)
        t += (i ? "," : "") + std::string(R"({"ph":"X","pid":1,"tid":1,"name":"op)") + std::to_string(i % 50) +
             R"(","ts":)" + std::to_string(10 * i) + R"(,"dur":5})";
    vtest::write_file(file, t + "]}");
    auto o = vtest::TestServer::options(dir.path(), 0, "");
    o.max_memory = std::uint64_t{64} << 20;
    vtest::TestServer s(o);
    const tblog::view::MemoryShares& m = s.viewer().memory_shares();
    const auto& budget = s.viewer().store().budget();
    // built by the loader after its pass, or by this request (which waits for the loader's)
    REQUIRE(s.get("/data/tblog/profile/trace_columns?run=run&session=s1&host=h").status == 200);
    const json st = s.get_json("/data/tblog/status");
    const std::uint64_t kept = st["trace_timelines"]["bytes"];
    REQUIRE(st["trace_timelines"]["entries"] == 1);
    CHECK(kept > 20000);
    CHECK(budget.reserved() == static_cast<std::int64_t>(m.answers + kept));
    CHECK(st["memory_shares"]["data"] == m.data - kept);
    fs::remove(file);
    s.reload();
    CHECK(s.get_json("/data/tblog/status")["trace_timelines"]["entries"] == 0);
    CHECK(budget.reserved() == static_cast<std::int64_t>(m.answers));  // given back
}

// The caches' budgets come out of --max_memory (memory_shares.hpp): with a budget, the answer
// cache and the timelines get their shares and the data's budget sets them aside; with 0 the
// caches keep their caps. A budget too small for an answer leaves it unkept.
TEST_CASE("the answer cache and the timelines take their shares of --max_memory") {
    tbtest::TempDir dir;
    {
        tblog::SummaryWriter w((dir.path() / "train").string());
        for (int i = 0; i < 300; ++i) w.add_scalar("loss", i + 1, i);
    }
    for (const std::uint64_t max_memory : {std::uint64_t{0}, std::uint64_t{64} << 10, std::uint64_t{1} << 30, std::uint64_t{16} << 30}) {
        auto o = vtest::TestServer::options(dir.path(), 0, "");
        o.max_memory = max_memory;
        vtest::TestServer s(o);
        const tblog::view::MemoryShares& m = s.viewer().memory_shares();
        const json st = s.get_json("/data/tblog/status");
        CHECK(st["memory_shares"]["answers"] == m.answers);
        CHECK(st["memory_shares"]["timelines"] == m.timelines);
        CHECK(st["answer_cache"]["budget"] == m.answers);
        CHECK(st["trace_timelines"]["budget"] == m.timelines);
        if (max_memory == 0) {
            CHECK(m.answers == std::uint64_t{32} << 20);
            CHECK(m.timelines == std::uint64_t{1} << 30);
            CHECK(st["memory_shares"]["data"] == 0);
        } else {
            CHECK(m.answers == std::min<std::uint64_t>(std::uint64_t{32} << 20, max_memory / 16));
            CHECK(m.timelines == std::min<std::uint64_t>(std::uint64_t{1} << 30, max_memory / 4));
            CHECK(m.data + m.answers == max_memory);  // the whole process within it
            CHECK(st["memory_shares"]["data"] == m.data);  // no trace: no timeline kept
            CHECK(s.viewer().store().budget().reserved() >= static_cast<std::int64_t>(m.answers));
        }
        // the same answer asked twice: kept unless the answer cache's share is too small for it
        const std::string q = "/data/plugin/scalars/scalars?run=train&tag=loss";
        CHECK(s.get(q).body == s.get(q).body);
        const json a = s.get_json("/data/tblog/status")["answer_cache"];
        CHECK(a["entries"] == (max_memory == (std::uint64_t{64} << 10) ? 0 : 1));
        CHECK(a["hits"] == (max_memory == (std::uint64_t{64} << 10) ? 0 : 1));
    }
}
