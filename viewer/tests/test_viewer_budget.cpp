// --max_memory: one logdir served twice, with every point in RAM and with a budget so small
// that nearly every scalar chunk spills to the cache file. Every answer must be the same
// bytes, and the store's RAM accounting must stay within the budget.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

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
