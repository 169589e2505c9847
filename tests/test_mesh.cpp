// add_mesh against PyTorch's golden run (shared/reference/pytorch/mesh): the three tensors
// and MeshPluginData bytes; json.dumps-equal config text; bad shapes rejected.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "plugin_mesh.pb.h"
#include "support/expect_invalid.hpp"
#include "support/golden_events.hpp"
#include "tblog/json.hpp"
#include "tblog/summary/json.hpp"  // the old path of tblog::Json still compiles
#include "tblog/writer.hpp"

using tbtest::TempDir;
using tblog::Json;

namespace {
constexpr double WALL = 1700000000.0;

// make_golden.py's tetrahedron
const std::vector<float> kVerts{1, 1, 1, -1, -1, 1, 1, -1, -1, -1, 1, -1};
const std::vector<std::int32_t> kColors{255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 0, 255};
const std::vector<std::int32_t> kFaces{0, 2, 3, 0, 3, 1, 0, 1, 2, 1, 3, 2};
}  // namespace

TEST_CASE("add_mesh equals PyTorch's golden events") {
    TempDir tmp;
    {
        tblog::SummaryWriter w(tmp.str());
        w.add_mesh("tetra", tblog::TensorView(kVerts.data(), {1, 4, 3}),
                   tblog::TensorView(kColors.data(), {1, 4, 3}), tblog::TensorView(kFaces.data(), {1, 4, 3}),
                   std::nullopt, 0, WALL);
    }
    const auto ours = tbtest::body_events(tmp.path());
    const auto theirs = tbtest::golden_body_events("mesh");
    REQUIRE(ours.size() == 1);
    REQUIRE(theirs.size() == 1);
    const auto& a = ours[0].summary();
    const auto& b = theirs[0].summary();
    REQUIRE(a.value_size() == 3);
    REQUIRE(b.value_size() == 3);
    const char* tags[] = {"tetra_VERTEX", "tetra_FACE", "tetra_COLOR"};
    for (int i = 0; i < 3; ++i) {
        INFO(tags[i]);
        CHECK(a.value(i).tag() == tags[i]);
        CHECK(a.value(i).tag() == b.value(i).tag());
        CHECK(a.value(i).metadata().plugin_data().content() == b.value(i).metadata().plugin_data().content());
        CHECK(tbtest::message_diff(a.value(i).tensor(), b.value(i).tensor()) == "");
        tensorboard::mesh::MeshPluginData pd;
        REQUIRE(pd.ParseFromString(a.value(i).metadata().plugin_data().content()));
        CHECK(pd.name() == "tetra");
        CHECK(pd.components() == 14);
        CHECK(pd.json_config() == "{}");
    }
    CHECK(tbtest::message_diff(ours[0], theirs[0]) == "");
    CHECK(ours[0].SerializeAsString() == theirs[0].SerializeAsString());
}

TEST_CASE("vertices alone: one value, components bitmask 2") {
    tensorboard::Summary s;
    REQUIRE(s.ParseFromString(tblog::summary::mesh("pts", tblog::TensorView(kVerts.data(), {1, 4, 3}))));
    REQUIRE(s.value_size() == 1);
    tensorboard::mesh::MeshPluginData pd;
    REQUIRE(pd.ParseFromString(s.value(0).metadata().plugin_data().content()));
    CHECK(pd.content_type() == tensorboard::mesh::MeshPluginData::VERTEX);
    CHECK(pd.components() == 2);
    CHECK(pd.shape_size() == 3);
}

TEST_CASE("config_dict is written as Python's json.dumps(config, sort_keys=True)") {
    // Expected strings produced by CPython's json.dumps(..., sort_keys=True).
    const Json cfg = Json::object({
        {"material", Json::object({{"cls", "PointsMaterial"}, {"size", 0.5}})},
        {"camera", Json::object({{"fov", 75}, {"cls", "PerspectiveCamera"}})},
        {"lights", Json::array({Json::object({{"intensity", 0.75}, {"color", "#ffffff"}, {"cls", "AmbientLight"}}),
                                Json::object({{"cls", "DirectionalLight"}, {"position", Json::array({0, -1, 2})}})})},
        {"flags", Json::array({true, false, nullptr, 1e-05, 1e16, 123456789.0, -0.0})},
    });
    CHECK(cfg.dump() ==
          R"({"camera": {"cls": "PerspectiveCamera", "fov": 75}, "flags": [true, false, null, 1e-05, 1e+16, 123456789.0, -0.0], )"
          R"("lights": [{"cls": "AmbientLight", "color": "#ffffff", "intensity": 0.75}, )"
          R"({"cls": "DirectionalLight", "position": [0, -1, 2]}], "material": {"cls": "PointsMaterial", "size": 0.5}})");
    CHECK(Json("caf\xc3\xa9 \"q\"\n\x01 \xf0\x9f\x98\x80").dump() == R"("caf\u00e9 \"q\"\n\u0001 \ud83d\ude00")");
    CHECK(Json(std::numeric_limits<double>::quiet_NaN()).dump() == "NaN");
    CHECK(Json(-std::numeric_limits<double>::infinity()).dump() == "-Infinity");
    CHECK(Json::object().dump() == "{}");
    CHECK(Json::array({7u, std::size_t{8}, 9ull, 2.5f}).dump() == "[7, 8, 9, 2.5]");
    CHECK(Json::raw(R"({"b": 1,"a":2})").dump() == R"({"b": 1,"a":2})");

    tensorboard::Summary s;
    REQUIRE(s.ParseFromString(
        tblog::summary::mesh("m", tblog::TensorView(kVerts.data(), {1, 4, 3}), std::nullopt, std::nullopt, cfg)));
    tensorboard::mesh::MeshPluginData pd;
    REQUIRE(pd.ParseFromString(s.value(0).metadata().plugin_data().content()));
    CHECK(pd.json_config() == cfg.dump());
}

TEST_CASE("bad mesh input names the tag and the problem and writes nothing") {
    TempDir tmp;
    const std::vector<float> nan_verts{1, 1, std::numeric_limits<float>::quiet_NaN(), 0, 0, 0};
    const std::vector<std::int32_t> bad_faces{0, 1, 4};
    {
        tblog::SummaryWriter w(tmp.str());
        auto bad = [&](auto&& f, const std::string& what) {
            INFO(what);
            tbtest::expect_invalid(f, {"'m'", what});
        };
        const tblog::TensorView v(kVerts.data(), {1, 4, 3});
        bad([&] { w.add_mesh("m", tblog::TensorView(kVerts.data(), {4, 3})); }, "vertices must have shape (B, N, 3)");
        bad([&] { w.add_mesh("m", tblog::TensorView(kVerts.data(), {1, 3, 4})); }, "vertices must have shape");
        bad([&] { w.add_mesh("m", tblog::TensorView(nan_verts.data(), {1, 2, 3})); }, "NaN");
        bad([&] { w.add_mesh("m", v, tblog::TensorView(kColors.data(), {1, 2, 6})); }, "colors must have shape");
        bad([&] { w.add_mesh("m", v, tblog::TensorView(kColors.data(), {2, 2, 3})); }, "batch size");
        bad([&] { w.add_mesh("m", v, std::nullopt, tblog::TensorView(bad_faces.data(), {1, 1, 3})); }, "vertex index");
        bad([&] { w.add_mesh("m", v, std::nullopt, std::nullopt, Json::object({{"a", 1}, {"a", 2}})); }, "twice");
        bad([&] { w.add_mesh("m", v, std::nullopt, std::nullopt, Json("\xff")); }, "UTF-8");
    }
    CHECK(tbtest::body_events(tmp.path()).empty());
}
