// The viewer at scale: plugin units (the registry every table is derived from), batched
// routes (one request for many runs) and cursors (a live reload fetches only new points).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "plugins/plugin_unit.hpp"
#include "tblog/writer.hpp"
#include "viewer_test_support.hpp"

using vtest::enc;
using vtest::json;
namespace fs = std::filesystem;
namespace tv = tblog::view;

namespace {

// Three runs with scalars, histograms and images under the same tags; run "c" lacks "h".
void write_runs(const fs::path& dir, int steps) {
    for (const char* run : {"a", "b", "c"}) {
        tblog::SummaryWriter w((dir / run).string());
        for (int i = 0; i < steps; ++i) {
            w.add_scalar("loss", 1.0 / (i + 1) + run[0], i);
            if (std::string(run) != "c") w.add_histogram("h", std::vector<double>{1.0 * i, 2.0, 3.0 + run[0]}, i);
        }
        std::vector<std::uint8_t> img(3 * 4 * 4, 200);
        w.add_image("img", tblog::TensorView(img.data(), {3, 4, 4}), 0);
    }
}

std::string runs_form(const std::string& tag, std::initializer_list<const char*> runs) {
    std::string f = "tag=" + enc(tag);
    for (const char* r : runs) f += std::string("&runs=") + enc(r);
    return f;
}

// A little-endian number at `at` of a binary answer.
template <class T>
T le_at(const std::string& b, std::size_t at) {
    REQUIRE(at + sizeof(T) <= b.size());
    using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    U u = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) u |= static_cast<U>(static_cast<unsigned char>(b[at + i])) << (8 * i);
    T v;
    std::memcpy(&v, &u, sizeof v);
    return v;
}

// The answer of /data/tblog/scalars_multirun?format=binary (viewer/README.md) decoded into the
// shape of its JSON form, {run: {..., "points": [[wall, step, value], ...]}}, with non-finite
// numbers as the JSON answer writes them ("NaN", "Infinity", "-Infinity").
json decode_scalar_batch(const std::string& b) {
    REQUIRE(b.size() >= 12);
    CHECK(b.compare(0, 4, "TBSC") == 0);
    CHECK(le_at<std::uint32_t>(b, 4) == 1);
    const std::uint32_t h = le_at<std::uint32_t>(b, 8);
    const std::size_t columns = 12 + h;
    CHECK(columns % 8 == 0);
    const json heads = json::parse(b.substr(12, h));
    std::size_t n = 0;
    for (const auto& head : heads) n += head["n"].get<std::size_t>();
    CHECK(b.size() == columns + 20 * n);
    auto number = [](double v) -> json {
        if (std::isnan(v)) return "NaN";
        if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
        return v;
    };
    json out = json::object();
    std::size_t k = 0;
    for (json head : heads) {
        json points = json::array();
        for (std::size_t i = 0, m = head["n"]; i < m; ++i, ++k) {
            const double step = le_at<double>(b, columns + 8 * (n + k));
            points.push_back({number(le_at<double>(b, columns + 8 * k)), static_cast<std::int64_t>(step),
                              number(le_at<float>(b, columns + 16 * n + 4 * k))});
        }
        head.erase("n");
        head["points"] = std::move(points);
        const std::string run = head["run"];
        out[run] = std::move(head);
    }
    return out;
}

}  // namespace

TEST_CASE("plugin units: ingest's data classes and the listing come from the descriptors") {
    std::set<std::string> units, listed;
    for (const tv::PluginUnit* u : tv::plugin_units()) {
        CHECK(units.insert(u->name).second);  // one unit per name
        REQUIRE(u->register_routes != nullptr);
        for (const auto& e : u->listing) CHECK(listed.insert(e.name).second);  // each entry once
    }
    CHECK(units.count("core") == 1);
    CHECK(units.count("scalars") == 1);
    CHECK(tv::data_class_of_plugin("scalars") == tv::DataClass::scalar);
    CHECK(tv::data_class_of_plugin("histograms") == tv::DataClass::tensor);
    CHECK(tv::data_class_of_plugin("images") == tv::DataClass::blob_sequence);
    CHECK(tv::data_class_of_plugin("graph_keras_model") == tv::DataClass::blob_sequence);
    CHECK(tv::data_class_of_plugin("no_such_plugin") == tv::DataClass::unknown);

    tbtest::TempDir dir;
    write_runs(dir.path(), 3);
    vtest::TestServer s(dir.path());
    const json listing = s.get_json("/data/plugins_listing");
    std::set<std::string> keys;
    for (auto it = listing.begin(); it != listing.end(); ++it) keys.insert(it.key());
    CHECK(keys == listed);
    CHECK(listing["scalars"]["enabled"] == true);
    CHECK(listing["images"]["enabled"] == true);
    CHECK(listing["text"]["enabled"] == false);
    CHECK(listing["timeseries"]["enabled"] == true);
}

TEST_CASE("batched routes answer what the single-run routes answer, for the runs having the tag") {
    tbtest::TempDir dir;
    write_runs(dir.path(), 20);
    vtest::TestServer s(dir.path());
    const char* form = "application/x-www-form-urlencoded";

    const json sc = s.post("/data/plugin/scalars/scalars_multirun", runs_form("loss", {"a", "c", "nope"}), form).as_json();
    CHECK(sc.size() == 2);
    CHECK(sc["a"] == s.scalars("a", "loss"));
    CHECK(sc["c"] == s.scalars("c", "loss"));

    const json ds = s.post("/data/tblog/scalars_multirun", runs_form("loss", {"a", "b"}) + "&buckets=2", form).as_json();
    REQUIRE(ds.size() == 2);
    for (const char* r : {"a", "b"})
        CHECK(ds[r] == s.get_json(std::string("/data/tblog/scalars?run=") + r + "&tag=loss&buckets=2"));

    for (const char* route : {"histograms/histograms", "distributions/distributions"}) {
        const json h = s.post(std::string("/data/plugin/") + route + "_multirun", runs_form("h", {"a", "b", "c"}), form).as_json();
        CHECK(h.size() == 2);  // "c" has no histogram "h"
        for (const char* r : {"a", "b"})
            CHECK(h[r] == s.get_json(std::string("/data/plugin/") + route + "?run=" + r + "&tag=h"));
    }
    const json im = s.post("/data/plugin/images/images_multirun", runs_form("img", {"a", "b", "c"}) + "&sample=0", form).as_json();
    REQUIRE(im.size() == 3);
    CHECK(im["b"] == s.get_json("/data/plugin/images/images?run=b&tag=img&sample=0"));
    CHECK(s.post("/data/tblog/scalars_multirun", "runs=a", form).status == 400);  // no tag
}

TEST_CASE("cursors: a reload fetches only the points added since, and starts over after a restart") {
    tbtest::TempDir dir;
    tblog::SummaryWriter w((dir.path() / "run").string());
    for (int i = 0; i < 10; ++i) w.add_scalar("loss", i, i);
    w.flush();
    vtest::TestServer s(dir.path());
    const std::string base = "/data/tblog/scalars?run=run&tag=loss&buckets=100";

    const json first = s.get_json(base);
    CHECK(first["from"] == 0);
    CHECK(first["points"].size() == 10);
    const std::string cursor = first["cursor"];

    // Nothing new: an empty answer that keeps the cursor.
    json again = s.get_json(base + "&since=" + enc(cursor));
    CHECK(again["from"] == 10);
    CHECK(again["points"].empty());
    CHECK(again["cursor"] == cursor);

    for (int i = 10; i < 15; ++i) w.add_scalar("loss", i, i);
    w.flush();
    s.reload();
    const json delta = s.get_json(base + "&since=" + enc(cursor));
    CHECK(delta["from"] == 10);
    REQUIRE(delta["points"].size() == 5);
    CHECK(delta["points"][0][1] == 10);
    CHECK(delta["total"] == 15);

    // A restart from step 12: the old cursor no longer holds; the whole series comes back.
    for (int i = 12; i < 14; ++i) w.add_scalar("loss", -i, i);
    w.flush();
    s.reload();
    const json restart = s.get_json(base + "&since=" + enc(delta["cursor"].get<std::string>()));
    CHECK(restart["from"] == 0);
    REQUIRE(restart["points"].size() == 14);
    CHECK(restart["points"][13][2] == -13.0);
    CHECK(s.get_json(base + "&since=garbage")["from"] == 0);
}

TEST_CASE("the binary batched scalar answer decodes to the JSON answer, series by series") {
    tbtest::TempDir dir;
    const float inf = std::numeric_limits<float>::infinity();
    {
        tblog::SummaryWriter a((dir.path() / "a").string()), b((dir.path() / "b").string()), c((dir.path() / "c").string());
        for (int i = 0; i < 500; ++i) {
            // values a float holds only roughly, wall times with sub-second digits, large steps,
            // and spikes: NaN and both infinities, which the buckets must keep
            const float v = i == 123 ? std::nanf("") : i == 321 ? inf : i == 400 ? -inf : 0.1f * i / 3;
            a.add_scalar("loss", v, 1'000'000'007LL * i);
            b.add_scalar("loss", -v, i);
            if (i < 3) c.add_scalar("loss", 1.0 / 3, i);
            c.add_scalar("other", i, i);
        }
    }
    vtest::TestServer s(dir.path());
    const char* form = "application/x-www-form-urlencoded";
    // downsampled (buckets=8 of 500 points), whole (buckets=1000), a window; runs without the tag
    // ("nope" does not exist) are left out of both forms alike
    for (const std::string query : {"&buckets=8", "&buckets=1000", "&buckets=4&start_step=10&end_step=300"}) {
        const std::string body = runs_form("loss", {"a", "nope", "b", "c"}) + query;
        const json want = s.post("/data/tblog/scalars_multirun", body, form).as_json();
        REQUIRE(want.size() == 3);
        const vtest::Reply bin = s.post("/data/tblog/scalars_multirun", body + "&format=binary", form);
        REQUIRE(bin.status == 200);
        CHECK(bin.content_type == "application/octet-stream");
        CHECK(decode_scalar_batch(bin.body) == want);
        // asked again: the same bytes (from the answer cache, keyed apart from the JSON form's)
        CHECK(s.post("/data/tblog/scalars_multirun", body + "&format=binary", form).body == bin.body);
    }
    const json full = s.post("/data/tblog/scalars_multirun", runs_form("loss", {"a"}) + "&buckets=1000", form).as_json();
    CHECK(full["a"]["points"][123][2] == "NaN");  // the non-finite values were compared above
    CHECK(full["a"]["points"][400][2] == "-Infinity");

    // cursors: an answer of only the points since, per run, in both forms
    const std::string ca = full["a"]["cursor"];
    const std::string body = runs_form("loss", {"a", "b"}) + "&buckets=8&since=" + enc(ca) + "&since=";
    const json delta = s.post("/data/tblog/scalars_multirun", body, form).as_json();
    CHECK(delta["a"]["from"] == 500);
    CHECK(delta["a"]["points"].empty());
    CHECK(delta["b"]["from"] == 0);
    CHECK(decode_scalar_batch(s.post("/data/tblog/scalars_multirun", body + "&format=binary", form).body) == delta);

    // nothing answered: a header of no runs and no columns
    const std::string none = s.post("/data/tblog/scalars_multirun", runs_form("loss", {"nope"}) + "&format=binary", form).body;
    CHECK(decode_scalar_batch(none) == json::object());
    CHECK(s.post("/data/tblog/scalars_multirun", runs_form("loss", {"a"}) + "&format=xml", form).status == 400);
    CHECK(s.post("/data/tblog/scalars_multirun", "runs=a&format=binary", form).status == 400);  // no tag
}

TEST_CASE("the compact scalar tag index lists the runs of each tag as TensorBoard's tags route does") {
    tbtest::TempDir dir;
    write_runs(dir.path(), 3);
    {
        tblog::SummaryWriter w((dir.path() / "d").string());
        w.add_scalar("acc", 1.0, 0);
        w.add_histogram("h", std::vector<double>{1.0}, 0);  // not a scalar tag
    }
    vtest::TestServer s(dir.path());
    const json tb = s.get_json("/data/plugin/scalars/tags");
    const json idx = s.get_json("/data/tblog/scalar_tags");
    std::map<std::string, std::set<std::string>> want, got;
    for (auto r = tb.begin(); r != tb.end(); ++r)
        for (auto t = r.value().begin(); t != r.value().end(); ++t) want[t.key()].insert(r.key());
    const json& runs = idx["runs"];
    for (auto t = idx["tags"].begin(); t != idx["tags"].end(); ++t)
        for (const json& i : t.value()) got[t.key()].insert(runs.at(i.get<std::size_t>()).get<std::string>());
    CHECK(got == want);
    CHECK(want.size() == 2);  // "loss" and "acc", not "h" or "img"
    CHECK(got["acc"] == std::set<std::string>{"d"});
    CHECK(runs.size() == 4);
}
