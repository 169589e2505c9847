// The viewer at scale: plugin units (the registry every table is derived from), batched
// routes (one request for many runs) and cursors (a live reload fetches only new points).
#include <catch2/catch.hpp>

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
