// The argument forms PyTorch users write, compiled and checked for what they produce:
// add_scalars with an insertion-ordered dict, braced lists for every optional list
// parameter (add_embedding's metadata and metadata_header, add_image_with_boxes' labels).
// The compile error for a torch::Tensor given to SummaryWriter is tested by
// tests/compile_fail/ (ctest compile_fail_*).
#include <catch2/catch.hpp>

#include <string>

#include "support/png_decode.hpp"
#include "support/test_support.hpp"
#include "tblog/writer.hpp"

namespace fs = std::filesystem;
using tbtest::TempDir;

namespace {

// The process-wide creation counter at the end of an event file's name.
long creation_counter(const fs::path& run_dir) {
    const std::string name = tbtest::only_event_file(run_dir).filename().string();
    return std::stol(name.substr(name.rfind('.') + 1));
}

float only_scalar(const fs::path& run_dir, const std::string& tag) {
    const auto ev = tbtest::read_dir_events(run_dir);
    REQUIRE(ev.size() == 2);
    REQUIRE(ev[1].summary().value(0).tag() == tag);
    return ev[1].summary().value(0).simple_value();
}

}  // namespace

TEST_CASE("add_scalars creates sub-runs in the order given, as a Python dict") {
    TempDir tmp;
    {
        tblog::SummaryWriter w(tmp.str());
        w.add_scalars("loss/all", {{"zeta", 1.0}, {"alpha", 2.0}, {"mid", 3.0}}, 5);
        const tblog::ScalarList pairs = {{"z2", 4.0}, {"a2", 5.0}};
        w.add_scalars("acc", pairs, 5);
        w.add_scalars("map", std::map<std::string, double>{{"z3", 6.0}, {"a3", 7.0}}, 5);  // key order
    }
    const auto d = tmp.path();
    CHECK(creation_counter(d / "loss_all_zeta") < creation_counter(d / "loss_all_alpha"));
    CHECK(creation_counter(d / "loss_all_alpha") < creation_counter(d / "loss_all_mid"));
    CHECK(creation_counter(d / "acc_z2") < creation_counter(d / "acc_a2"));
    CHECK(creation_counter(d / "map_a3") < creation_counter(d / "map_z3"));
    CHECK(only_scalar(d / "loss_all_zeta", "loss/all") == 1.0f);
    CHECK(only_scalar(d / "loss_all_mid", "loss/all") == 3.0f);
    CHECK(only_scalar(d / "acc_a2", "acc") == 5.0f);
    CHECK(only_scalar(d / "map_z3", "map") == 6.0f);
}

TEST_CASE("add_embedding takes braced lists for metadata and metadata_header") {
    TempDir tmp;
    const std::vector<float> mat = {1, 2, 3, 4, 5, 6};
    const tblog::TensorView m(mat.data(), {3, 2});
    {
        tblog::SummaryWriter w(tmp.str());
        w.add_embedding(m, {"cat", "dog", "cat"}, std::nullopt, 1, "labels");
        w.add_embedding(m, {0, 1, 0}, std::nullopt, 2, "ints");
        w.add_embedding(m, std::vector<std::vector<std::string>>{{"a", "0"}, {"b", "1"}, {"c", "0"}}, std::nullopt, 3,
                        "cols", {"name", "parity"});
        const std::vector<std::string> header = {"name", "parity"};
        const tblog::EmbeddingMetadata rows(std::vector<std::vector<std::string>>{{"a", "0"}, {"b", "1"}, {"c", "0"}});
        w.add_embedding(m, rows, std::nullopt, 4, "cols2", header);
    }
    CHECK(tbtest::read_file(tmp.path() / "00001/labels/metadata.tsv") == "cat\ndog\ncat\n");
    CHECK(tbtest::read_file(tmp.path() / "00002/ints/metadata.tsv") == "0\n1\n0\n");
    CHECK(tbtest::read_file(tmp.path() / "00003/cols/metadata.tsv") == "name\tparity\na\t0\nb\t1\nc\t0\n");
    CHECK(tbtest::read_file(tmp.path() / "00004/cols2/metadata.tsv") ==
          tbtest::read_file(tmp.path() / "00003/cols/metadata.tsv"));
}

TEST_CASE("add_image_with_boxes takes a braced list of labels") {
    TempDir tmp;
    std::vector<float> img(3 * 32 * 32, 0.0f);
    const std::vector<double> boxes = {2, 2, 20, 20};
    {
        tblog::SummaryWriter w(tmp.str());
        w.add_image_with_boxes("b", tblog::TensorView(img.data(), {3, 32, 32}), tblog::TensorView(boxes.data(), {1, 4}), 0,
                               std::nullopt, 1, "CHW", {"car"});
        w.add_image_with_boxes("v", tblog::TensorView(img.data(), {3, 32, 32}), tblog::TensorView(boxes.data(), {1, 4}), 0,
                               std::nullopt, 1, "CHW", std::vector<std::string>{"car"});
        w.add_image_with_boxes("n", tblog::TensorView(img.data(), {3, 32, 32}), tblog::TensorView(boxes.data(), {1, 4}), 0,
                               std::nullopt, 1, "CHW", {});
    }
    const auto ev = tbtest::read_dir_events(tmp.path());
    REQUIRE(ev.size() == 4);
    const auto a = tbtest::decode_png(ev[1].summary().value(0).image().encoded_image_string());
    const auto b = tbtest::decode_png(ev[2].summary().value(0).image().encoded_image_string());
    const auto none = tbtest::decode_png(ev[3].summary().value(0).image().encoded_image_string());
    CHECK(a.pixels == b.pixels);
    CHECK(a.pixels != none.pixels);  // the label was drawn; {} means no labels, as None
}
