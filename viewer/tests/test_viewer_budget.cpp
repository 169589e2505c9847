// --max_memory: one logdir served twice, with every point in RAM and with a budget so small
// that nearly every scalar chunk spills to the cache file. Every answer must be the same
// bytes, and the store's RAM accounting must stay within the budget.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>
#include <thread>

#include <unistd.h>

#include "http_test_client.hpp"
#include "scalar_json.hpp"
#include "tblog/writer.hpp"
#include "viewer_test_support.hpp"

using vtest::enc;
using vtest::json;
namespace fs = std::filesystem;
namespace tv = tblog::view;

namespace {

constexpr int kSteps = 30000;

// A value with ties (few distinct values), NaN and infinities here and there, and a spike:
// everything the downsampled routes must pick exactly as from RAM.
float value_at(int run, int tag, int i) {
    if (i % 997 == 13) return std::numeric_limits<float>::quiet_NaN();
    if (i % 1499 == 7) return std::numeric_limits<float>::infinity();
    if (i % 2003 == 5) return -std::numeric_limits<float>::infinity();
    if (i == 12345 + run) return 1e6f;
    return static_cast<float>(((i * (run + 3) + tag * 7) % 17) - 8) / 4.0f;
}

// Runs "a", "b" (gappy steps) and "c" (restarted with purge_step inside its spilled
// points), three scalar tags each, plus a histogram and an image.
void write_logdir(const fs::path& dir) {
    for (int r = 0; r < 2; ++r) {
        tblog::SummaryWriter w((dir / (r == 0 ? "a" : "b")).string());
        for (int i = 0; i < kSteps; ++i) {
            const int step = r == 0 ? i : i * 3 + (i % 5);
            for (int t = 0; t < 3; ++t) w.add_scalar("tag" + std::to_string(t), value_at(r, t, i), step);
            if (i % 1000 == 0) w.add_histogram("h", std::vector<double>{1.0 * i, 2.0, 3.0 + r}, step);
        }
        std::vector<std::uint8_t> img(3 * 4 * 4, 100);
        w.add_image("img", tblog::TensorView(img.data(), {3, 4, 4}), 0);
    }
    const std::string c = (dir / "c").string();
    {
        tblog::SummaryWriter w(c, "", std::nullopt, 10, 120, ".1");
        for (int i = 0; i < kSteps; ++i)
            for (int t = 0; t < 3; ++t) w.add_scalar("tag" + std::to_string(t), value_at(2, t, i), i);
    }
    tblog::SummaryWriter w(c, "", /*purge_step=*/20000, 10, 120, ".2");
    for (int i = 20000; i < 25000; ++i) w.add_scalar("tag0", value_at(3, 0, i), i);
}

// Appends steps to run "a" (a live run): the spilled tail chunks come back and grow.
void append_to_a(const fs::path& dir) {
    tblog::SummaryWriter w((dir / "a").string(), "", std::nullopt, 10, 120, ".more");
    for (int i = kSteps; i < kSteps + 5000; ++i)
        for (int t = 0; t < 3; ++t) w.add_scalar("tag" + std::to_string(t), value_at(0, t, i), i);
}

// Runs "k" and "l" with every non-scalar kind, payloads big enough to spill (noise images
// and audio, 60-bucket histograms, long texts), more records than the samples keep (the
// reservoirs replace payloads while loading), and a few scalars.
void write_kinds_logdir(const fs::path& dir) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> unit(0.0f, 1.0f);
    for (const char* run : {"k", "l"}) {
        tblog::SummaryWriter w((dir / run).string());
        for (int i = 0; i < 150; ++i) {
            std::vector<double> values(500);
            for (auto& v : values) v = unit(rng) * 10 - i % 7;
            w.add_histogram("weights", values, i);
            std::string text = "## step " + std::to_string(i) + "\n\n";
            for (int k = 0; k < 40; ++k) text += "| " + std::to_string(k * i) + " | *cell* |\n";
            w.add_text("notes", text, i);
            w.add_scalar("loss", 1.0 / (i + 1), i);
            if (i % 5 == 0) {
                std::vector<std::uint8_t> img(3 * 20 * 20);
                for (auto& b : img) b = static_cast<std::uint8_t>(rng());
                w.add_image("noise", tblog::TensorView(img.data(), {3, 20, 20}), i);
                std::vector<float> sound(3000);
                for (auto& x : sound) x = unit(rng) * 2 - 1;
                w.add_audio("hiss", tblog::TensorView(sound), i, 8000);
                std::vector<int> labels(200);
                std::vector<float> preds(200);
                for (int k = 0; k < 200; ++k) labels[k] = rng() % 2, preds[k] = unit(rng);
                w.add_pr_curve("pr", labels, preds, i);
            }
            if (i % 50 == 0) {
                std::vector<float> verts(3 * 60);
                for (auto& x : verts) x = unit(rng);
                w.add_mesh("cloud", tblog::TensorView(verts.data(), {1, 60, 3}), std::nullopt, std::nullopt,
                           std::nullopt, i);
            }
        }
        std::vector<tblog::GraphNode> nodes;
        for (int n = 0; n < 40; ++n)
            nodes.push_back({"layer" + std::to_string(n) + "/linear", "aten::linear",
                             n ? std::vector<std::string>{"layer" + std::to_string(n - 1) + "/linear"}
                               : std::vector<std::string>{},
                             {{8, 64}}});
        w.add_graph(nodes);
        w.add_custom_scalars_multilinechart({"loss"}, "training", "loss");
    }
}

tv::Options options(const fs::path& logdir, std::uint64_t max_memory) {
    tv::Options o = vtest::TestServer::options(logdir, 0, "");
    o.max_memory = max_memory;
    return o;
}

std::string form(const std::string& tag, std::initializer_list<const char*> runs) {
    std::string f = "tag=" + enc(tag);
    for (const char* r : runs) f += std::string("&runs=") + enc(r);
    return f;
}

// Every scalar-reading answer, keyed by request, as bytes.
std::vector<std::pair<std::string, std::string>> answers(vtest::TestServer& s, const std::string& since_a = "") {
    std::vector<std::pair<std::string, std::string>> out;
    auto get = [&](const std::string& path) {
        const vtest::Reply r = s.get(path);
        REQUIRE(r.status == 200);
        out.emplace_back("GET " + path, r.body);
    };
    auto post = [&](const std::string& path, const std::string& body, const char* type) {
        const vtest::Reply r = s.post(path, body, type);
        REQUIRE(r.status == 200);
        out.emplace_back("POST " + path + " " + body, r.body);
    };
    const char* urlencoded = "application/x-www-form-urlencoded";
    get("/data/runs");
    get("/data/plugin/scalars/tags");
    get("/data/plugin/histograms/tags");
    for (const char* run : {"a", "b", "c"})
        for (const char* tag : {"tag0", "tag1", "tag2"}) {
            const std::string q = std::string("?run=") + run + "&tag=" + tag;
            get("/data/plugin/scalars/scalars" + q);
            get("/data/plugin/scalars/scalars" + q + "&format=csv");
            for (const char* b : {"1", "7", "100", "1000", "20000"}) get("/data/tblog/scalars" + q + "&buckets=" + b);
            get("/data/tblog/scalars" + q + "&buckets=50&start_step=4000&end_step=17777");  // a zoomed range
            get("/data/tblog/scalars" + q + "&buckets=3&start_step=100&end_step=200");
            get("/data/plugin/custom_scalars/download_data" + q);
        }
    if (!since_a.empty()) get("/data/tblog/scalars?run=a&tag=tag0&buckets=100&since=" + since_a);
    post("/data/plugin/scalars/scalars_multirun", form("tag1", {"a", "b", "c"}), urlencoded);
    post("/data/tblog/scalars_multirun", form("tag0", {"a", "b", "c"}) + "&buckets=333", urlencoded);
    post("/data/tblog/scalars_multirun", form("tag2", {"c", "a"}) + "&buckets=10&since=&since=0:100", urlencoded);
    for (const char* run : {"a", "b"}) {
        get(std::string("/data/plugin/histograms/histograms?run=") + run + "&tag=h");
        get(std::string("/data/plugin/distributions/distributions?run=") + run + "&tag=h");
    }
    post("/data/plugin/histograms/histograms_multirun", form("h", {"a", "b"}), urlencoded);
    post("/data/plugin/distributions/distributions_multirun", form("h", {"a", "b"}), urlencoded);
    const std::string ts =
        R"([{"plugin":"scalars","tag":"tag0"},{"plugin":"scalars","tag":"tag2","run":"c"},)"
        R"({"plugin":"histograms","tag":"h"},{"plugin":"images","tag":"img","run":"a","sample":0}])";
    post("/data/plugin/timeseries/timeSeries", "requests=" + enc(ts), urlencoded);
    get("/data/plugin/timeseries/tags");
    return out;
}

void require_same(const std::vector<std::pair<std::string, std::string>>& x,
                  const std::vector<std::pair<std::string, std::string>>& y) {
    REQUIRE(x.size() == y.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        INFO(x[i].first);
        REQUIRE(x[i].first == y[i].first);
        CHECK(x[i].second.size() == y[i].second.size());
        CHECK(x[i].second == y[i].second);
    }
}

// Every answer reading non-scalar payloads, keyed by request, as bytes: the listings, then
// every blob they list.
std::vector<std::pair<std::string, std::string>> kind_answers(vtest::TestServer& s) {
    std::vector<std::pair<std::string, std::string>> out;
    auto get = [&](const std::string& path) {
        const vtest::Reply r = s.get(path);
        INFO(path);
        REQUIRE(r.status == 200);
        out.emplace_back("GET " + path, r.body);
        return r.body;
    };
    auto post = [&](const std::string& path, const std::string& body) {
        const vtest::Reply r = s.post(path, body, "application/x-www-form-urlencoded");
        INFO(path);
        REQUIRE(r.status == 200);
        out.emplace_back("POST " + path + " " + body, r.body);
        return r.body;
    };
    for (const char* plugin : {"text", "histograms", "distributions", "images", "audio", "pr_curves", "mesh"})
        get(std::string("/data/plugin/") + plugin + "/tags");
    get("/data/plugin/custom_scalars/layout");
    for (const std::string run : {"k", "l"}) {
        const std::string r = "?run=" + run;
        get("/data/plugin/text/text" + r + "&tag=notes/text_summary");
        get("/data/plugin/text/text" + r + "&tag=notes/text_summary&markdown=false");
        get("/data/plugin/histograms/histograms" + r + "&tag=weights");
        get("/data/plugin/distributions/distributions" + r + "&tag=weights");
        get("/data/plugin/pr_curves/pr_curves" + r + "&tag=pr");
        get("/data/plugin/graphs/graph" + r);
        get("/data/plugin/graphs/graph" + r + "&limit_attr_size=10&large_attrs_key=_too_large");
        const json meshes = json::parse(get("/data/plugin/mesh/meshes" + r + "&tag=cloud"));
        for (const auto& m : meshes)
            get("/data/plugin/mesh/data" + r + "&tag=cloud&content_type=VERTEX&sample=0&step=" +
                std::to_string(m["step"].get<std::int64_t>()));
        for (const char* kind : {"images", "audio"}) {
            const std::string list = std::string("/data/plugin/") + kind + "/" + kind + r + "&tag=" +
                                     (kind == std::string("images") ? "noise" : "hiss") + "&sample=0";
            const json entries = json::parse(get(list));
            CHECK(!entries.empty());
            for (const auto& e : entries)
                get(std::string("/data/plugin/") + kind +
                    (kind == std::string("images") ? "/individualImage?" : "/individualAudio?") +
                    e["query"].get<std::string>());
        }
    }
    post("/data/plugin/histograms/histograms_multirun", form("weights", {"k", "l"}));
    post("/data/plugin/images/images_multirun", form("noise", {"l", "k"}) + "&sample=0");
    const std::string ts =
        R"([{"plugin":"histograms","tag":"weights"},{"plugin":"images","tag":"noise","run":"k","sample":0}])";
    const json series = json::parse(post("/data/plugin/timeseries/timeSeries", "requests=" + enc(ts)));
    for (const auto& step : series[1]["runToSeries"]["k"])
        get("/data/plugin/timeseries/imageData?imageId=" + step["imageId"].get<std::string>());
    get("/data/plugin/timeseries/tags");
    return out;
}

// Payloads of tensors and blobs now in the cache file.
std::size_t spilled_payloads(vtest::TestServer& s) {
    std::size_t n = 0;
    for (const auto& run : s.viewer().store().runs()) {
        std::shared_lock lk(run->mutex);
        for (const auto& [tag, ser] : run->series) {
            for (const auto& it : ser.tensors.items()) n += it.value.spilled();
            for (const auto& it : ser.blobs.items())
                for (const auto& b : it.value) n += b.spilled();
        }
    }
    return n;
}

std::int64_t resident(vtest::TestServer& s) { return s.viewer().store().budget().resident(); }

std::size_t spilled_chunks(vtest::TestServer& s) {
    std::size_t n = 0;
    for (const auto& run : s.viewer().store().runs()) {
        std::shared_lock lk(run->mutex);
        for (const auto& [tag, ser] : run->series) n += ser.scalars.spilled_chunks();
    }
    return n;
}

}  // namespace

TEST_CASE("memory budget (--max_memory): answers are the same bytes with every point in RAM and with most spilled") {
    tbtest::TempDir dir;
    write_logdir(dir.path());
    constexpr std::uint64_t kBudget = 256 * 1024;  // ~5 % of the ~5 MB these points take in RAM

    vtest::TestServer full(options(dir.path(), 0));
    vtest::TestServer small(options(dir.path(), kBudget));
    CHECK(full.viewer().store().budget().budget() == tv::ScalarSpill::kUnlimited);
    CHECK(spilled_chunks(full) == 0);
    CHECK(full.viewer().store().budget().file_bytes() == 0);  // no budget, no cache file
    CHECK(resident(full) > static_cast<std::int64_t>(15 * kBudget));

    CHECK(spilled_chunks(small) > 100);
    CHECK(resident(small) <= static_cast<std::int64_t>(kBudget));
    CHECK(resident(small) > 0);
    const tv::ScalarSpill& b = small.viewer().store().budget();
    CHECK(b.spilled_bytes() > 0);
    CHECK(b.spilled_bytes() <= b.file_bytes());

    // What the status route reports.
    const json st = small.get_json("/data/tblog/status");
    CHECK(st["max_memory"] == kBudget);
    CHECK(st["scalar_ram_bytes"].get<std::int64_t>() <= static_cast<std::int64_t>(kBudget));
    CHECK(st["scalar_cache_bytes"].get<std::uint64_t>() == b.spilled_bytes());

    const auto want = answers(full);
    require_same(want, answers(small));

    // The restarted run lost its purged steps in both.
    CHECK(full.scalars("c", "tag0").size() == 25000);
    CHECK(small.scalars("c", "tag1").size() == 20000);

    // A live run grows: both reload, cursors taken before the growth resume the same way.
    const std::string cursor =
        full.get_json("/data/tblog/scalars?run=a&tag=tag0&buckets=100")["cursor"].get<std::string>();
    CHECK(cursor == small.get_json("/data/tblog/scalars?run=a&tag=tag0&buckets=100")["cursor"].get<std::string>());
    append_to_a(dir.path());
    full.reload();
    small.reload();
    CHECK(full.scalars("a", "tag0").size() == static_cast<std::size_t>(kSteps + 5000));
    CHECK(resident(small) <= static_cast<std::int64_t>(kBudget));
    require_same(answers(full, cursor), answers(small, cursor));
}

TEST_CASE("memory budget: a long series' CSV and JSON (scalars, custom scalars) are streamed in pieces, the bytes built whole, spilled or not") {
    tbtest::TempDir dir;
    write_logdir(dir.path());
    vtest::TestServer full(options(dir.path(), 0));
    vtest::TestServer small(options(dir.path(), 256 * 1024));
    REQUIRE(spilled_chunks(small) > 100);
    auto built_whole = [&](vtest::TestServer& s, const std::string& run, const std::string& tag, bool csv) {
        auto r = s.viewer().store().find(run);
        REQUIRE(r);
        std::shared_lock lk(r->mutex);
        const tv::Series* ser = r->find(tag);
        REQUIRE(ser);
        REQUIRE(ser->scalars.size() > 16384);  // longer than what is sent whole (scalars_plugin.cpp)
        return csv ? tv::points_csv(ser->scalars) : tv::points_json(ser->scalars);
    };
    for (const char* run : {"a", "b", "c"})
        for (const char* tag : {"tag0", "tag1", "tag2"}) {
            const std::string q = std::string("/data/plugin/scalars/scalars?run=") + run + "&tag=" + tag;
            const std::string csv = built_whole(full, run, tag, true), js = built_whole(full, run, tag, false);
            CHECK(built_whole(small, run, tag, true) == csv);  // read back from the cache file
            for (vtest::TestServer* s : {&full, &small}) {
                const vtest::Reply c = s->get(q + "&format=csv");
                CHECK(c.status == 200);
                CHECK(c.content_type == "text/csv; charset=utf-8");
                CHECK(c.body == csv);
                const vtest::Reply j = s->get(q);
                CHECK(j.status == 200);
                CHECK(j.body == js);
                CHECK(json::parse(j.body).size() == s->scalars(run, tag).size());
                // custom scalars' download: the same answer (TensorBoard delegates it to scalars)
                const std::string cq = std::string("/data/plugin/custom_scalars/download_data?run=") + run + "&tag=" + tag;
                CHECK(s->get(cq + "&format=csv").body == csv);
                CHECK(s->get(cq).body == js);
            }
        }

    // On the wire: chunked pieces, no Content-Length, the body decoded from them the same.
    const std::string q = "/data/plugin/scalars/scalars?run=b&tag=tag1&format=csv";
    vtest::RawConn conn(small.viewer().port());
    REQUIRE(conn.send("GET " + q + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
    const std::string raw = conn.read_until("\r\n0\r\n\r\n", std::chrono::seconds(20));
    const std::size_t head_end = raw.find("\r\n\r\n");
    REQUIRE(head_end != std::string::npos);
    const std::string head = raw.substr(0, head_end);
    CHECK(head.find("Transfer-Encoding: chunked") != std::string::npos);
    CHECK(head.find("Content-Length") == std::string::npos);
    std::string body;
    std::size_t pieces = 0;
    for (std::size_t at = head_end + 4;;) {
        const std::size_t eol = raw.find("\r\n", at);
        REQUIRE(eol != std::string::npos);
        const std::size_t n = std::stoull(raw.substr(at, eol - at), nullptr, 16);
        if (n == 0) break;
        body += raw.substr(eol + 2, n);
        ++pieces;
        at = eol + 2 + n + 2;
    }
    CHECK(pieces > 1);
    CHECK(body == built_whole(full, "b", "tag1", true));
    vtest::RawConn cs(small.viewer().port());
    REQUIRE(cs.send("GET /data/plugin/custom_scalars/download_data?run=b&tag=tag1&format=csv HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
    CHECK(cs.read_until("\r\n\r\n", std::chrono::seconds(20)).find("Transfer-Encoding: chunked") != std::string::npos);

    // Clients that go away after the first bytes, or before any, stop their answer; the
    // server goes on answering everyone else, whole.
    for (int i = 0; i < 8; ++i) {
        vtest::RawConn gone(small.viewer().port());
        REQUIRE(gone.send("GET " + q + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        if (i % 2) CHECK(gone.read_until("Wall time", std::chrono::seconds(10)).find("Wall time") != std::string::npos);
    }
    CHECK(small.get(q).body == built_whole(full, "b", "tag1", true));
    CHECK(small.get_json("/data/tblog/status")["passes"].get<int>() >= 1);
}

TEST_CASE("memory budget: tensors, histograms, images, audio, text, PR curves, meshes and graphs spill, answers unchanged") {
    tbtest::TempDir dir;
    write_kinds_logdir(dir.path());
    constexpr std::uint64_t kBudget = 128 * 1024;  // ~10 % of what these runs hold in RAM

    vtest::TestServer full(options(dir.path(), 0));
    vtest::TestServer small(options(dir.path(), kBudget));
    CHECK(spilled_payloads(full) == 0);
    CHECK(resident(full) > static_cast<std::int64_t>(4 * kBudget));  // payloads and fixed costs are charged
    CHECK(spilled_payloads(small) > 300);
    CHECK(resident(small) <= static_cast<std::int64_t>(kBudget));
    CHECK(small.viewer().store().budget().spilled_bytes() > 400 * 1024);

    const auto want = kind_answers(full);
    CHECK(want.size() > 60);
    require_same(want, kind_answers(small));
    // Read back again (nothing cached in the payloads themselves): still the same.
    require_same(want, kind_answers(small));
}

TEST_CASE("memory budget: a payload's bytes survive its spilling while an answer holds them") {
    tbtest::TempDir dir;
    tv::ScalarSpill budget(1, dir.path());
    const std::string text(5000, 'x');
    {
        tv::Payload p(text, &budget);
        CHECK(budget.resident() >= 5000);
        const auto held = p.bytes();  // an answer in flight
        CHECK(p.spill() >= 5000);
        CHECK(p.spilled());
        CHECK(*held == text);         // still its own string
        CHECK(*p.bytes() == text);    // read back from the file
        CHECK(budget.resident() < 200);
        CHECK(budget.spilled_bytes() >= 5000);
        CHECK(p.spill() == 0);        // once
        tv::Payload small(std::string(100, 'y'), &budget);
        CHECK(small.spill() == 0);    // too small to be worth it
        CHECK(*small.bytes() == std::string(100, 'y'));
    }
    CHECK(budget.resident() == 0);  // every charge given back
    CHECK(budget.spilled_bytes() == 0);
    tv::Payload next(std::string(4990, 'z'), &budget);
    next.spill();
    CHECK(budget.file_bytes() < 2 * 5000);  // the released slot (same size class) was reused
    CHECK(*next.bytes() == std::string(4990, 'z'));
}

TEST_CASE("memory budget: runs and series charge their fixed costs, given back when a run goes") {
    auto budget = std::make_shared<tv::ScalarSpill>();
    {
        tv::Run run("some/run", "/logs/some/run", budget);
        const std::int64_t empty = budget->resident();
        CHECK(empty >= static_cast<std::int64_t>(sizeof(tv::Run)));
        tv::SeriesMetadata m;
        m.plugin_name = "scalars";
        m.description = std::string(300, 'd');
        run.charge_fixed(tv::Run::fixed_bytes("loss", m));
        CHECK(budget->resident() >= empty + static_cast<std::int64_t>(sizeof(tv::Series) + 300));
    }
    CHECK(budget->resident() == 0);
}

namespace {

std::size_t rss_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::size_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

TEST_CASE("memory budget: spilled chunks' memory goes back to the kernel (RSS falls, not only the accounting)") {
    tbtest::TempDir dir;
    tv::ScalarSpill budget(1, dir.path());  // everything over budget
    constexpr int kSeries = 20, kPoints = 40 * 4096;  // 20 x 3.3 MB of points
    std::vector<std::unique_ptr<tv::ScalarColumns>> cols;
    for (int s = 0; s < kSeries; ++s) {
        cols.push_back(std::make_unique<tv::ScalarColumns>());
        cols.back()->attach(&budget);
        for (int i = 0; i < kPoints; ++i) cols.back()->push(i, i * 0.5, static_cast<float>(i % 100));
    }
    const std::size_t filled = rss_bytes();
    for (auto& c : cols) c->spill(true);
    tv::release_free_memory();
    const std::size_t after = rss_bytes();
    INFO("RSS filled " << filled << ", after spilling " << after);
    const std::size_t points_bytes = std::size_t{kSeries} * kPoints * tv::ScalarColumns::kBytesPerPoint;
    CHECK(filled > after);
    CHECK(filled - after > points_bytes * 3 / 4);
    CHECK(tv::ChunkPool::instance().trimmed_blocks() + tv::ChunkPool::kWarmBlocks >= tv::ChunkPool::instance().free_blocks());
    // The points are all there, read back from the file, and pushing reuses trimmed blocks.
    CHECK(cols[7]->point(kPoints - 1).step == kPoints - 1);
    CHECK(cols[7]->value(12345) == 45.0f);
    cols[7]->push(kPoints, 1.0, 2.0f);
    CHECK(cols[7]->size() == static_cast<std::size_t>(kPoints) + 1);
}

TEST_CASE("memory budget: the default follows a cgroup v1 or v2 memory limit below RAM") {
    tbtest::TempDir dir;
    const fs::path root = dir.path();
    auto put = [&](const fs::path& rel, const std::string& text) {
        fs::create_directories((root / rel).parent_path());
        std::ofstream(root / rel) << text << "\n";
    };
    // v2: the lowest limit on the path from the process's cgroup up to the mount point.
    put("cgroup.controllers", "cpu memory");
    put("memory.max", "max");
    put("kube/memory.max", "8589934592");
    put("kube/pod1/memory.max", "max");
    put("kube/pod1/app/memory.max", "17179869184");
    CHECK(tv::cgroup_memory_limit(root, "0::/kube/pod1/app\n") == 8589934592ull);
    CHECK(tv::cgroup_memory_limit(root, "0::/kube/pod1\n") == 8589934592ull);
    CHECK(tv::cgroup_memory_limit(root, "0::/\n") == std::nullopt);  // "max": no limit
    // A cgroup namespace: the path is not under the mount, the mount's own file counts.
    CHECK(tv::cgroup_memory_limit(root, "0::/not/here\n") == std::nullopt);
    put("memory.max", "1073741824");
    CHECK(tv::cgroup_memory_limit(root, "0::/not/here\n") == 1073741824ull);
    CHECK(tv::cgroup_memory_limit(root, "0::/../../etc\n") == 1073741824ull);  // never above the mount
    // v1: memory.limit_in_bytes under <root>/memory; PAGE_COUNTER_MAX means none.
    tbtest::TempDir dir1;
    const fs::path v1 = dir1.path();
    fs::create_directories(v1 / "memory" / "docker" / "abc");
    std::ofstream(v1 / "memory" / "memory.limit_in_bytes") << "9223372036854771712\n";
    std::ofstream(v1 / "memory" / "docker" / "abc" / "memory.limit_in_bytes") << "2147483648\n";
    const std::string self = "12:pids:/docker/abc\n4:memory:/docker/abc\n0::/\n";
    CHECK(tv::cgroup_memory_limit(v1, self) == 2147483648ull);
    CHECK(tv::cgroup_memory_limit(v1, "4:cpu,memory:/docker/abc\n") == 2147483648ull);
    CHECK(tv::cgroup_memory_limit(v1, "4:memory:/\n") == std::nullopt);
    CHECK(tv::cgroup_memory_limit(v1, "") == std::nullopt);
    CHECK(tv::cgroup_memory_limit(v1, "garbage\n4:memory\n") == std::nullopt);
    // Hybrid: v2 at <root>/unified beside the v1 controllers.
    fs::create_directories(v1 / "unified" / "svc");
    std::ofstream(v1 / "unified" / "cgroup.controllers") << "\n";
    std::ofstream(v1 / "unified" / "svc" / "memory.max") << "536870912\n";
    CHECK(tv::cgroup_memory_limit(v1, "4:memory:/docker/abc\n0::/svc\n") == 536870912ull);
    // This machine's default: half of RAM or of its cgroup's limit, whichever is lower.
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    CHECK(tv::default_memory_budget() <= static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) / 2);
}

TEST_CASE("memory budget: --max_memory sizes and --cache_dir") {
    CHECK(tv::parse_memory_size("--max_memory", "2G") == 2ull << 30);
    CHECK(tv::parse_memory_size("--max_memory", "512M") == 512ull << 20);
    CHECK(tv::parse_memory_size("--max_memory", "1.5GiB") == 3ull << 29);
    CHECK(tv::parse_memory_size("--max_memory", "64k") == 64ull << 10);
    CHECK(tv::parse_memory_size("--max_memory", "1000") == 1000);
    CHECK(tv::parse_memory_size("--max_memory", "0") == 0);
    CHECK(tv::parse_memory_size("--max_memory", "unlimited") == 0);
    for (const char* bad : {"", "G", "-1G", "2X", "2GG", "1e30", "nan"}) {
        INFO(bad);
        CHECK_THROWS_AS(tv::parse_memory_size("--max_memory", bad), std::invalid_argument);
    }
    const char* argv[] = {"tblog-view", "--logdir", "x", "--max_memory=3M", "--cache_dir", "/var/tmp"};
    const tv::Options o = tv::parse_options(6, argv);
    CHECK(o.max_memory == 3ull << 20);
    CHECK(o.cache_dir == "/var/tmp");
    const char* plain[] = {"tblog-view", "--logdir", "x"};
    CHECK(tv::parse_options(3, plain).max_memory == tv::default_memory_budget());
    CHECK(tv::default_memory_budget() > 0);
}

TEST_CASE("memory budget: a --cache_dir that cannot be written: the points stay in RAM, answers unchanged") {
    tbtest::TempDir dir;
    {
        tblog::SummaryWriter w((dir.path() / "a").string());
        for (int i = 0; i < 20000; ++i) w.add_scalar("x", value_at(0, 0, i), i);
    }
    tv::Options o = options(dir.path(), 64 * 1024);
    o.cache_dir = dir.path() / "no" / "such" / "dir";
    vtest::TestServer s(o);
    vtest::TestServer full(options(dir.path(), 0));
    CHECK(spilled_chunks(s) == 0);
    CHECK(s.get("/data/plugin/scalars/scalars?run=a&tag=x&format=csv").body ==
          full.get("/data/plugin/scalars/scalars?run=a&tag=x&format=csv").body);
}
