// add_embedding against PyTorch's golden run (shared/reference/pytorch/embedding): the same
// tensors.tsv, metadata.tsv and projector_config.pbtxt bytes, and sprite.png pixels.
//
// The golden inputs were random tensors from torch/numpy generators; they are recovered
// from the golden files: mat from tensors.tsv (each value is a float32 printed in full),
// label_img from sprite.png (pixel p comes back from the value (p + 0.5) / 255).
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <system_error>

#include "support/expect_invalid.hpp"
#include "support/golden_events.hpp"
#include "support/png_decode.hpp"
#include "tblog/writer.hpp"

namespace fs = std::filesystem;
using tbtest::TempDir;
using tbtest::read_file;

namespace {

const fs::path kGolden = tbtest::golden_dir() / "embedding";

std::vector<std::vector<float>> parse_tsv(const std::string& text) {
    std::vector<std::vector<float>> rows;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        rows.emplace_back();
        std::istringstream cells(line);
        for (std::string cell; std::getline(cells, cell, '\t');)
            rows.back().push_back(static_cast<float>(std::stod(cell)));
    }
    return rows;
}

// label_img (N, 3, 8, 8) whose sprite is the golden sprite.png.
std::vector<float> label_img_from_sprite(const tbtest::DecodedPng& sprite, int n, int h, int w) {
    const int cols = 5;  // ceil(sqrt(20))
    std::vector<float> img(static_cast<std::size_t>(n) * 3 * h * w);
    for (int i = 0; i < n; ++i)
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < h; ++y)
                for (int x = 0; x < w; ++x) {
                    const int sy = (i / cols) * h + y, sx = (i % cols) * w + x;
                    const auto p = sprite.pixels[(static_cast<std::size_t>(sy) * sprite.width + sx) * 3 + c];
                    img[((static_cast<std::size_t>(i) * 3 + c) * h + y) * w + x] = (p + 0.5f) / 255.0f;
                }
    return img;
}

}  // namespace

TEST_CASE("add_embedding writes PyTorch's files") {
    const auto mat_rows = parse_tsv(read_file(kGolden / "00003/words/tensors.tsv"));
    REQUIRE(mat_rows.size() == 20);
    REQUIRE(mat_rows[0].size() == 5);
    std::vector<float> mat, mat3;
    for (const auto& r : mat_rows) {
        mat.insert(mat.end(), r.begin(), r.end());
        mat3.insert(mat3.end(), r.begin(), r.begin() + 3);
    }
    const auto golden_sprite = tbtest::decode_png_file(kGolden / "00003/words/sprite.png");
    REQUIRE(golden_sprite.width == 40);
    REQUIRE(golden_sprite.channels == 3);
    const auto label_img = label_img_from_sprite(golden_sprite, 20, 8, 8);
    std::vector<std::string> meta;
    std::vector<std::vector<std::string>> meta2;
    for (int i = 0; i < 20; ++i) {
        meta.push_back("w" + std::to_string(i));
        meta2.push_back({"w" + std::to_string(i), std::to_string(i % 2)});
    }

    TempDir tmp;
    {
        tblog::SummaryWriter w(tmp.str());
        // make_golden.py's embedding section
        w.add_embedding(tblog::TensorView(mat.data(), {20, 5}), meta,
                        tblog::TensorView(label_img.data(), {20, 3, 8, 8}), 3, "words");
        w.add_embedding(tblog::TensorView(mat3.data(), {20, 3}), meta2, std::nullopt, 4, "two_cols",
                        std::vector<std::string>{"word", "parity"});
    }
    for (const char* f : {"projector_config.pbtxt", "00003/words/tensors.tsv", "00003/words/metadata.tsv",
                          "00004/two_cols/tensors.tsv", "00004/two_cols/metadata.tsv"}) {
        INFO(f);
        REQUIRE(fs::exists(tmp.path() / f));
        CHECK(read_file(tmp.path() / f) == read_file(kGolden / f));
    }
    const auto ours = tbtest::decode_png_file(tmp.path() / "00003/words/sprite.png");
    CHECK(ours.width == golden_sprite.width);
    CHECK(ours.height == golden_sprite.height);
    CHECK(ours.channels == 3);
    CHECK(ours.pixels == golden_sprite.pixels);
    CHECK_FALSE(fs::exists(tmp.path() / "00004/two_cols/sprite.png"));
    CHECK(tbtest::body_events(tmp.path()).empty());  // no events, as PyTorch
    std::size_t leftovers = 0;  // no temporary files remain
    for (auto& e : fs::recursive_directory_iterator(tmp.path()))
        leftovers += e.path().filename().string().find(".tmp.") != std::string::npos;
    CHECK(leftovers == 0);
}

TEST_CASE("tensors.tsv prints numbers as Python's str()") {
    // Expected strings from CPython: str(float(np.float32(v))), str(v) for float64 and ints.
    const std::vector<float> f{0.1f, 1.0f, -2.5f, 1e-5f, 3.4028235e38f, 1e16f, 123456.789f, 0.0f};
    CHECK(tblog::summary::embedding_tensors_tsv("t", tblog::TensorView(f.data(), {2, 4})) ==
          "0.10000000149011612\t1.0\t-2.5\t9.999999747378752e-06\n"
          "3.4028234663852886e+38\t1.0000000272564224e+16\t123456.7890625\t0.0\n");
    const std::vector<double> d{0.1, 1e22, -0.0, 5e-324};
    CHECK(tblog::summary::embedding_tensors_tsv("t", tblog::TensorView(d.data(), {1, 4})) ==
          "0.1\t1e+22\t-0.0\t5e-324\n");
    const std::vector<std::int64_t> i{-3, 0, 9000000000};
    CHECK(tblog::summary::embedding_tensors_tsv("t", tblog::TensorView(i.data(), {3, 1})) == "-3\n0\n9000000000\n");
    CHECK(tblog::detail::py_zfill(3, 5) == "00003");
    CHECK(tblog::detail::py_zfill(-3, 5) == "-0003");
    CHECK(tblog::detail::py_zfill(1234567, 5) == "1234567");
}

TEST_CASE("sprite: PyTorch's grid, padding and value conversion") {
    // 3 gray 1x2 thumbnails: ceil(sqrt(3)) = 2 columns, 2 rows of height 1, a 4x4 canvas.
    const std::vector<float> img{0.0f, 1.0f, 0.999f, -0.5f, 2.0f, 0.5f};
    const auto s = tblog::summary::embedding_sprite("t", tblog::TensorView(img.data(), {3, 1, 1, 2}));
    REQUIRE(s.side == 4);
    auto px = [&](int x, int y) { return s.rgb[(static_cast<std::size_t>(y) * 4 + x) * 3]; };
    CHECK(px(0, 0) == 0);
    CHECK(px(1, 0) == 255);
    CHECK(px(2, 0) == 254);  // truncation, not rounding
    CHECK(px(3, 0) == 0);    // clipped below
    CHECK(px(0, 1) == 255);  // clipped above
    CHECK(px(1, 1) == 127);
    CHECK(px(2, 1) == 0);  // no 4th image: black
    for (int y = 2; y < 4; ++y)
        for (int x = 0; x < 4; ++x) CHECK(px(x, y) == 0);  // square padding below the grid
    CHECK(s.rgb[(1 * 4 + 1) * 3 + 2] == 127);               // gray copied to all channels
}

TEST_CASE("projector_config.pbtxt is appended to, across writers, tags are encoded") {
    TempDir tmp;
    const std::vector<float> m{1, 2, 3, 4};
    {
        tblog::SummaryWriter a(tmp.str());
        a.add_embedding(tblog::TensorView(m.data(), {2, 2}));
    }
    {
        tblog::SummaryWriter b(tmp.str());
        b.add_embedding(tblog::TensorView(m.data(), {2, 2}), std::nullopt, std::nullopt, 7, "a/b%c\\d \"q\" \xc3\xa9");
    }
    CHECK(read_file(tmp.path() / "projector_config.pbtxt") ==
          "embeddings {\n  tensor_name: \"default:00000\"\n  tensor_path: \"00000/default/tensors.tsv\"\n}\n"
          "embeddings {\n  tensor_name: \"a/b%c\\\\d \\\"q\\\" \\303\\251:00007\"\n"
          "  tensor_path: \"00007/a%2fb%25c%5cd \\\"q\\\" \\303\\251/tensors.tsv\"\n}\n");
    CHECK(fs::exists(tmp.path() / "00007" / "a%2fb%25c%5cd \"q\" \xc3\xa9" / "tensors.tsv"));
}

TEST_CASE("bad embedding input throws naming the tag and writes nothing") {
    TempDir tmp;
    const std::vector<float> m{1, 2, 3, 4, 5, 6};
    const tblog::TensorView mat(m.data(), {3, 2});
    const std::vector<float> nan{1, std::nanf(""), 3, 4, 5, 6};
    const std::vector<float> img(3 * 3 * 2 * 2, 0.5f), tall(3 * 1 * 9 * 2, 0.5f);
    const std::vector<std::string> labels{"a", "b", "c"}, two{"a", "b"}, tab{"a", "b\tc", "d"};
    const std::vector<std::vector<std::string>> cols{{"a", "1"}, {"b", "2"}, {"c", "3"}};
    const std::vector<std::vector<std::string>> ragged{{"a", "1"}, {"b"}, {"c", "3"}};
    {
        tblog::SummaryWriter w(tmp.str());
        auto bad = [&](auto&& f, const std::string& what) {
            INFO(what);
            tbtest::expect_invalid(f, {"'e'", what});
        };
        using tblog::TensorView;
        bad([&] { w.add_embedding(TensorView(m.data(), {6}), std::nullopt, std::nullopt, 0, "e"); }, "must be 2-D");
        bad([&] { w.add_embedding(TensorView(nan.data(), {3, 2}), std::nullopt, std::nullopt, 0, "e"); }, "NaN");
        bad([&] { w.add_embedding(mat, two, std::nullopt, 0, "e"); }, "2 labels for 3 points");
        bad([&] { w.add_embedding(mat, tab, std::nullopt, 0, "e"); }, "tab or a newline");
        bad([&] { w.add_embedding(mat, cols, std::nullopt, 0, "e"); }, "needs metadata_header");
        bad([&] { w.add_embedding(mat, cols, std::nullopt, 0, "e", std::vector<std::string>{"x"}); }, "1 names for 2");
        bad([&] { w.add_embedding(mat, labels, std::nullopt, 0, "e", std::vector<std::string>{"x"}); }, "two or more");
        bad([&] { w.add_embedding(mat, ragged, std::nullopt, 0, "e", std::vector<std::string>{"x", "y"}); }, "differ");
        bad([&] { w.add_embedding(mat, std::nullopt, TensorView(img.data(), {3, 2, 2, 3}), 0, "e"); }, "C = 1 or 3");
        bad([&] { w.add_embedding(mat, std::nullopt, TensorView(img.data(), {2, 3, 2, 3}), 0, "e"); }, "2 images for 3 points");
        bad([&] { w.add_embedding(mat, std::nullopt, TensorView(tall.data(), {3, 1, 9, 2}), 0, "e"); }, "too tall");
        for (const char* tag : {".", ".."})
            tbtest::expect_invalid([&] { w.add_embedding(mat, std::nullopt, std::nullopt, 0, tag); },
                                   {"outside the log_dir"});
        CHECK_THROWS_AS(w.add_embedding(mat, std::nullopt, std::nullopt, 0, ""), std::invalid_argument);
    }
    std::vector<std::string> entries;
    for (auto& e : fs::directory_iterator(tmp.path())) entries.push_back(e.path().filename().string());
    CHECK(entries.size() == 1);  // the event file only: no directories, no pbtxt
    CHECK(tbtest::body_events(tmp.path()).empty());
}

TEST_CASE("add_embedding's files are written by the writer thread: there after flush(), errors surface there, nothing lost") {
    TempDir tmp;
    const std::vector<float> m{1, 2, 3, 4};
    const tblog::TensorView mat(m.data(), {2, 2});
    tblog::SummaryWriter w(tmp.str());
    // <step>/<tag> of the first call is taken by a plain file, so writing it must fail. The
    // call itself does not see that (it touches no file); flush() does.
    fs::create_directories(tmp.path() / "00001");
    { std::ofstream(tmp.path() / "00001" / "blocked") << "not a directory"; }
    CHECK_NOTHROW(w.add_embedding(mat, std::nullopt, std::nullopt, 1, "blocked"));
    CHECK_NOTHROW(w.add_embedding(mat, std::nullopt, std::nullopt, 2, "later"));
    try {
        w.flush();
        FAIL("flush() did not report the failed write");
    } catch (const std::system_error& e) {
        CHECK(std::string(e.what()).find("00001/blocked") != std::string::npos);
    }
    // Kept in order: the later call waits behind the failed one; add_* report the error
    // until it is over, as for a full disk.
    CHECK_FALSE(fs::exists(tmp.path() / "00002" / "later" / "tensors.tsv"));
    CHECK_FALSE(fs::exists(tmp.path() / "projector_config.pbtxt"));
    CHECK_THROWS_AS(w.add_scalar("x", 1, 1), std::system_error);
    fs::remove(tmp.path() / "00001" / "blocked");
    CHECK_NOTHROW(w.flush());  // the retry writes both
    CHECK(read_file(tmp.path() / "00001" / "blocked" / "tensors.tsv") == "1.0\t2.0\n3.0\t4.0\n");
    CHECK(read_file(tmp.path() / "00002" / "later" / "tensors.tsv") == "1.0\t2.0\n3.0\t4.0\n");
    CHECK(read_file(tmp.path() / "projector_config.pbtxt") ==
          "embeddings {\n  tensor_name: \"blocked:00001\"\n  tensor_path: \"00001/blocked/tensors.tsv\"\n}\n"
          "embeddings {\n  tensor_name: \"later:00002\"\n  tensor_path: \"00002/later/tensors.tsv\"\n}\n");
    w.add_scalar("x", 1, 2);  // usable again
    // After close() (as PyTorch's writer reopens), a call is written by the next close().
    w.close();
    w.add_embedding(mat, std::nullopt, std::nullopt, 3, "after_close");
    w.close();
    CHECK(fs::exists(tmp.path() / "00003" / "after_close" / "tensors.tsv"));
}
