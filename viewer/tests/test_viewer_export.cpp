// tblog-view export: static names agree with the shared cases (the web UI is tested against
// the same file), the export holds the server's own answers, the selection flags narrow it,
// output is deterministic apart from the creation time, and the single file keeps its budget.
#include <catch2/catch.hpp>

#include <map>

#include "export/exporter.hpp"
#include "export/static_key.hpp"
#include "viewer_test_support.hpp"
#include "web_assets.hpp"

using vtest::json;
namespace fs = std::filesystem;
namespace ex = tblog::view::exporting;

namespace {

const fs::path kCases = fs::path(TBLOG_VIEW_TEST_DATA) / "static_keys.json";

ex::ExportOptions options(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return ex::parse_export_options(static_cast<int>(argv.size()), argv.data());
}

// Every file under `dir` by relative path.
std::map<std::string, std::string> tree(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) out[fs::relative(e.path(), dir).generic_string()] = vtest::read_file(e.path());
    return out;
}

std::string data_file(const fs::path& out, const std::string& method, const std::string& route, const ex::Params& p,
                      const std::string& ext = "json") {
    return vtest::read_file(out / "data" / (ex::static_name(ex::static_key(method, route, p)) + "." + ext));
}

bool has_single_file_ui() {
    for (std::size_t i = 0; i < tblog::view::kWebAssetCount; ++i)
        if (std::string(tblog::view::kWebAssets[i].path) == "single/app.js") return true;
    return false;
}

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("tblog-export-test-" + std::to_string(::getpid()) + "-" +
                                                 std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("export: static names are the shared cases'", "[export]") {
    const json cases = json::parse(vtest::read_file(kCases))["cases"];
    REQUIRE(cases.size() >= 5);
    for (const auto& c : cases) {
        ex::Params p;
        for (const auto& kv : c["params"]) p.emplace_back(kv[0], kv[1]);
        const std::string key = ex::static_key(c["method"].get<std::string>(), c["route"].get<std::string>(), p,
                                               c["body"].get<std::string>());
        CHECK(key == c["key"].get<std::string>());
        CHECK(ex::static_name(key) == c["name"].get<std::string>());
    }
}

TEST_CASE("export: the folder holds the server's own answers, deterministically", "[export]") {
    const std::string golden = tbtest::golden_dir().string();
    TempDir a, b;
    ex::run_export(options({"--logdir", golden, "--out", a.path.string(), "--name", "golden", "--created", "2026-01-01T00:00:00Z"}));
    ex::run_export(options({"--logdir", golden, "--out", b.path.string(), "--name", "golden", "--created", "2026-12-31T23:59:59Z"}));
    auto ta = tree(a.path), tb = tree(b.path);
    REQUIRE(ta.size() > 50);
    REQUIRE(ta.count("index.html"));
    // the creation time is the only difference
    CHECK(ta["index.html"].find("2026-01-01T00:00:00Z") != std::string::npos);
    const auto at = tb["index.html"].find("2026-12-31T23:59:59Z");
    REQUIRE(at != std::string::npos);
    tb["index.html"].replace(at, 20, "2026-01-01T00:00:00Z");
    CHECK(ta == tb);

    // answers as a live tblog-view gives them
    vtest::TestServer live(tbtest::golden_dir());
    CHECK(json::parse(data_file(a.path, "GET", "runs", {})) == live.get_json("/data/runs"));
    CHECK(data_file(a.path, "GET", "plugin/scalars/scalars", {{"run", "scalars"}, {"tag", "loss/train"}}) ==
          live.get("/data/plugin/scalars/scalars?run=scalars&tag=loss%2Ftrain").body);
    CHECK(data_file(a.path, "GET", "plugin/scalars/scalars", {{"run", "scalars"}, {"tag", "loss/train"}, {"format", "csv"}}, "csv") ==
          live.get("/data/plugin/scalars/scalars?run=scalars&tag=loss%2Ftrain&format=csv").body);
    const json batched = json::parse(data_file(a.path, "POST", "tblog/scalars_multirun", {{"tag", "loss/train"}}));
    CHECK(batched["scalars"]["points"] ==
          live.get_json("/data/tblog/scalars?run=scalars&tag=loss%2Ftrain&buckets=1000")["points"]);
    // the hparams dashboard's request, keyed by its canonical body (as in static_keys.json)
    const std::string body = R"({"allowedStatuses":["STATUS_UNKNOWN","STATUS_SUCCESS","STATUS_FAILURE","STATUS_RUNNING"],)"
                             R"("colParams":[],"experimentName":"","sliceSize":100000,"startIndex":0})";
    const std::string name = ex::static_name(ex::static_key("POST", "plugin/hparams/session_groups", {}, body));
    CHECK(json::parse(vtest::read_file(a.path / "data" / (name + ".json"))) ==
          live.post("/data/plugin/hparams/session_groups", body).as_json());
}

TEST_CASE("export: --max_memory spills the logdir's data while exporting, the export unchanged", "[export]") {
    const std::string golden = tbtest::golden_dir().string();
    TempDir full, small;
    const auto whole = ex::run_export(options({"--logdir", golden, "--out", full.path.string(), "--max_memory", "0",
                                               "--created", "2026-01-01T00:00:00Z"}));
    CHECK(whole.spilled_bytes == 0);  // no budget: nothing goes to the cache file
    // 64 KiB: most of the golden logdir's images, audio, meshes, histograms ... do not fit
    const auto spilled = ex::run_export(options({"--logdir", golden, "--out", small.path.string(), "--max_memory",
                                                 "64K", "--cache_dir", small.path.parent_path().string(),
                                                 "--created", "2026-01-01T00:00:00Z"}));
    // 47-70 KiB measured: how much depends on the order the loading threads finish runs in
    CHECK(spilled.spilled_bytes > 16 * 1024);
    CHECK(spilled.files == whole.files);
    const auto a = tree(full.path), b = tree(small.path);
    REQUIRE(a.size() > 50);
    CHECK(a == b);  // every file the same bytes
    CHECK_THROWS_WITH(options({"--logdir", golden, "--out", small.path.string(), "--max_memory", "lots"}),
                      Catch::Contains("--max_memory"));
}

TEST_CASE("export: a profiler trace is exported in columns (what the dashboard reads) and as JSON", "[export]") {
    TempDir logdir, out;
    const std::string trace = R"({"traceEvents":[{"ph":"X","name":"ProfilerStep#1","cat":"step","pid":1,"tid":1,"ts":0,"dur":9},)"
                              R"({"ph":"X","name":"aten::mm","cat":"cpu_op","pid":1,"tid":1,"ts":2,"dur":3,"args":{"scope":"forward"}}]})";
    vtest::write_file(logdir.path / "prof" / "plugins" / "profile" / "s1" / "h.trace.json", trace);
    ex::run_export(options({"--logdir", logdir.path.string(), "--out", out.path.string(), "--include", "profile"}));
    vtest::TestServer live(logdir.path);
    const ex::Params p{{"run", "prof"}, {"session", "s1"}, {"host", "h"}, {"format", "chrome"}};
    const std::string q = "?run=prof&session=s1&host=h&format=chrome";
    const auto columns = live.get("/data/tblog/profile/trace_columns" + q);
    REQUIRE(columns.status == 200);
    CHECK(columns.body.rfind("TBTRACE1", 0) == 0);
    CHECK(data_file(out.path, "GET", "tblog/profile/trace_columns", p, "bin") == columns.body);
    CHECK(json::parse(data_file(out.path, "GET", "tblog/profile/trace", p)) == json::parse(trace));
}

TEST_CASE("export: --runs, --tags and --include narrow what is exported", "[export]") {
    TempDir d;
    const auto s = ex::run_export(options({"--logdir", tbtest::golden_dir().string(), "--out", d.path.string(),
                                           "--runs", "^scalars$", "--tags", "^loss/", "--include", "scalars"}));
    CHECK(s.by_kind.count("images") == 0);
    CHECK(json::parse(data_file(d.path, "GET", "runs", {})) == json::array({"scalars"}));
    const json tags = json::parse(data_file(d.path, "GET", "plugin/scalars/tags", {}));
    REQUIRE(tags.contains("scalars"));
    for (auto& [tag, _] : tags["scalars"].items()) CHECK(tag.rfind("loss/", 0) == 0);
    const json listing = json::parse(data_file(d.path, "GET", "plugins_listing", {}));
    CHECK(listing.contains("scalars"));
    CHECK_FALSE(listing.contains("images"));

    CHECK_THROWS_WITH(options({"--logdir", "x", "--out", "y", "--include", "scalars,videos"}),
                      Catch::Contains("unknown kind 'videos'") && Catch::Contains("projector"));
    CHECK_THROWS_WITH(options({"--logdir", "x"}), Catch::Contains("--out DIR or --single-file"));
    CHECK_THROWS_WITH(options({"--logdir", "x", "--out", "y", "--runs", "("}), Catch::Contains("bad regular expression"));
}

TEST_CASE("export: refuses to write into a folder that is not an export", "[export]") {
    TempDir d;
    vtest::write_file(d.path / "notes.txt", "mine");
    CHECK_THROWS_WITH(ex::run_export(options({"--logdir", tbtest::golden_dir().string(), "--out", d.path.string()})),
                      Catch::Contains("not an earlier export"));
    CHECK(vtest::read_file(d.path / "notes.txt") == "mine");
}

TEST_CASE("export: the single file keeps its budget and says what to drop", "[export]") {
    if (!has_single_file_ui()) {
        WARN("built without the web UI (TBLOG_VIEW_BUILD_WEB=OFF): nothing to inline, not checked");
        return;
    }
    TempDir d;
    const fs::path file = d.path / "report.html";
    fs::create_directories(d.path);
    try {
        ex::run_export(options({"--logdir", tbtest::golden_dir().string(), "--single-file", file.string(), "--max_size_mb", "0.5"}));
        FAIL("no error over the budget");
    } catch (const std::runtime_error& e) {
        const std::string m = e.what();
        CHECK(m.find("over the single-file budget of 0.5 MB") != std::string::npos);
        CHECK(m.find("Largest kinds:") != std::string::npos);
        CHECK(m.find("--include") != std::string::npos);
    }
    CHECK_FALSE(fs::exists(file));
    const auto s = ex::run_export(options({"--logdir", tbtest::golden_dir().string(), "--single-file", file.string(),
                                           "--include", "scalars,hparams"}));
    CHECK(fs::file_size(file) == s.bytes);
    const std::string html = vtest::read_file(file);
    CHECK(html.find("id=\"tblog-export\"") != std::string::npos);
    CHECK(html.find("<script type=\"module\" src=") == std::string::npos);  // nothing fetched from disk
    // by default every kind, the projector too (its worker starts from the inlined script)
    const auto all = ex::run_export(options({"--logdir", tbtest::golden_dir().string(), "--single-file", (d.path / "all.html").string()}));
    CHECK(all.by_kind.count("projector") == 1);
    CHECK(all.by_kind.count("images") == 1);
    // a bare file name (README's `--single-file report.html`) is written in the working directory
    const fs::path cwd = fs::current_path();
    fs::current_path(d.path);
    CHECK_NOTHROW(ex::run_export(options({"--logdir", tbtest::golden_dir().string(), "--single-file", "bare.html", "--include", "scalars"})));
    fs::current_path(cwd);
    CHECK(fs::file_size(d.path / "bare.html") > 0);
}
