// Images against PyTorch's golden output (shared/reference/pytorch/images, inputs in
// make_golden.py and images_chw.npy): decoded PNG pixels must be equal. Box outlines follow
// Pillow's wide-line rules exactly; label glyphs use our own font, so they may differ.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include <zlib.h>

#include "support/expect_invalid.hpp"
#include "support/npy.hpp"
#include "support/png_decode.hpp"
#include "support/test_support.hpp"
#include "tblog/writer.hpp"

using tbtest::TempDir;

namespace {
constexpr double WALL = 1700000000.0;

const tensorboard::Summary::Image& image_of(const tensorboard::Event& e) {
    REQUIRE(e.summary().value_size() == 1);
    REQUIRE(e.summary().value(0).has_image());
    CHECK_FALSE(e.summary().value(0).has_metadata());
    return e.summary().value(0).image();
}

tensorboard::Summary::Image built(const std::string& summary_bytes) {
    tensorboard::Summary s;
    REQUIRE(s.ParseFromString(summary_bytes));
    REQUIRE(s.value_size() == 1);
    return s.value(0).image();
}

std::vector<float> golden_image() {
    const auto img = tbtest::read_npy(tbtest::golden_dir() / "images_chw.npy");
    REQUIRE(img.descr == "<f4");
    REQUIRE(img.shape == std::vector<std::int64_t>{3, 8, 16});
    return img.as<float>();
}

bool is_red(const std::uint8_t* p) { return p[0] == 255 && p[1] == 0 && p[2] == 0; }

// Pixel (x, y) of a decoded PNG.
struct Pixels : tbtest::DecodedPng {
    Pixels(tbtest::DecodedPng d) : tbtest::DecodedPng(std::move(d)) {}  // NOLINT
    const std::uint8_t* at(std::uint32_t x, std::uint32_t y) const {
        return &pixels[(static_cast<std::size_t>(y) * width + x) * static_cast<std::size_t>(channels)];
    }
};
Pixels decode(const std::string& png) { return tbtest::decode_png(png); }
}  // namespace

TEST_CASE("add_image/add_images/add_image_with_boxes equal PyTorch's golden pixels") {
    const auto img = golden_image();  // (3, 8, 16)
    std::vector<std::uint8_t> hwc(8 * 16 * 3);
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 16; ++x)  // (img.transpose(1, 2, 0) * 255).astype(uint8)
                hwc[static_cast<std::size_t>((y * 16 + x) * 3 + c)] =
                    static_cast<std::uint8_t>(img[static_cast<std::size_t>(c * 128 + y * 16 + x)] * 255.0f);
    std::vector<float> batch;  // np.stack([img, 1 - img, img * 0.5, img])
    for (int k = 0; k < 4; ++k)
        for (float v : img) batch.push_back(k == 1 ? 1.0f - v : k == 2 ? v * 0.5f : v);
    TempDir tmp;
    {
        tblog::SummaryWriter im(tmp.str());
        im.add_image("chw_float", tblog::TensorView(img.data(), {3, 8, 16}), 0, WALL);
        im.add_image("hwc_uint8", tblog::TensorView(hwc.data(), {8, 16, 3}), 0, WALL, "HWC");
        im.add_image("gray_hw", tblog::TensorView(img.data(), {8, 16}), 0, WALL, "HW");
        im.add_images("batch_nchw", tblog::TensorView(batch.data(), {4, 3, 8, 16}), 0, WALL);
        const std::vector<std::int64_t> box{1, 1, 6, 5};
        im.add_image_with_boxes("boxes", tblog::TensorView(img.data(), {3, 8, 16}),
                                tblog::TensorView(box.data(), {1, 4}), 0, WALL, 1, "CHW",
                                std::vector<std::string>{"thing"});
    }
    const auto ours = tbtest::read_dir_events(tmp.path());
    const auto theirs = tbtest::read_dir_events(tbtest::golden_dir() / "images");
    REQUIRE(ours.size() == theirs.size());
    for (std::size_t i = 1; i < ours.size(); ++i) {
        const auto& tag = theirs[i].summary().value(0).tag();
        INFO("tag " << tag);
        CHECK(ours[i].summary().value(0).tag() == tag);
        CHECK(ours[i].wall_time() == theirs[i].wall_time());
        CHECK(ours[i].step() == theirs[i].step());
        const auto& a = image_of(ours[i]);
        const auto& b = image_of(theirs[i]);
        CHECK(a.height() == b.height());
        CHECK(a.width() == b.width());
        CHECK(a.colorspace() == b.colorspace());
        const auto pa = decode(a.encoded_image_string());
        const auto pb = decode(b.encoded_image_string());
        REQUIRE(pa.width == pb.width);
        REQUIRE(pa.height == pb.height);
        REQUIRE(pa.channels == pb.channels);
        if (tag != "boxes") {
            CHECK(pa.pixels == pb.pixels);
            continue;
        }
        // Label box: x from left (1) to left + text width, up to the box bottom (5); it is
        // wider than the image in both fonts. Outside it everything must be equal; inside,
        // ours holds only red background and black glyph pixels.
        int glyph = 0;
        for (std::uint32_t y = 0; y < pa.height; ++y)
            for (std::uint32_t x = 0; x < pa.width; ++x) {
                INFO("pixel " << x << "," << y);
                const bool in_label = x >= 1 && y <= 5;
                if (!in_label) {
                    CHECK(std::equal(pa.at(x, y), pa.at(x, y) + 3, pb.at(x, y)));
                } else {
                    const auto* p = pa.at(x, y);
                    const bool black = p[0] == 0 && p[1] == 0 && p[2] == 0;
                    CHECK((is_red(p) || black));
                    glyph += black;
                }
            }
        CHECK(glyph > 10);  // the text is there
    }
}

TEST_CASE("box outlines follow Pillow's 2-pixel wide-line rules") {
    std::vector<std::uint8_t> white(20 * 12 * 3, 255);  // HWC, 12 rows x 20 columns
    const std::vector<double> boxes{1, 1, 6, 5, /* a second box, partly outside */ 15.7, 8.2, 25, 30};
    const auto im = built(tblog::summary::image_boxes("b", tblog::TensorView(white.data(), {12, 20, 3}),
                                                      tblog::TensorView(boxes.data(), {2, 4}), 1, "HWC"));
    const auto p = decode(im.encoded_image_string());
    REQUIRE(p.width == 20);
    REQUIRE(p.height == 12);
    auto expect_red = [](long x, long y) {
        // box 1 (1,1)-(6,5): top edge drawn right-to-left covers rows 0-1, bottom rows 5-6,
        // left edge (downwards) columns 1-2, right edge (upwards) columns 5-6.
        const bool box1 = x >= 1 && x <= 6 && y >= 0 && y <= 6 && !(x >= 3 && x <= 4 && y >= 2 && y <= 4);
        // box 2 truncated to (15,8)-(25,30): left edge columns 15-16 from row 8 down,
        // top edge rows 7-8 from column 15 right.
        const bool box2 = (x >= 15 && x <= 16 && y >= 8) || (x >= 15 && y >= 7 && y <= 8);
        return box1 || box2;
    };
    for (std::uint32_t y = 0; y < p.height; ++y)
        for (std::uint32_t x = 0; x < p.width; ++x) {
            INFO("pixel " << x << "," << y);
            const auto* px = p.at(x, y);
            if (expect_red(x, y)) CHECK(is_red(px));
            else CHECK((px[0] == 255 && px[1] == 255 && px[2] == 255));
        }
}

TEST_CASE("layouts, grids, channels and value scaling follow PyTorch") {
    // a 2x3 RGB image in CHW with distinct values
    std::vector<float> chw(3 * 2 * 3);
    for (std::size_t i = 0; i < chw.size(); ++i) chw[i] = static_cast<float>(i) / 17.0f;
    std::vector<float> hwc(chw.size());
    for (int c = 0; c < 3; ++c)
        for (int y = 0; y < 2; ++y)
            for (int x = 0; x < 3; ++x) hwc[static_cast<std::size_t>((y * 3 + x) * 3 + c)] = chw[static_cast<std::size_t>(c * 6 + y * 3 + x)];
    const auto a = decode(built(tblog::summary::image("t", tblog::TensorView(chw.data(), {3, 2, 3}))).encoded_image_string());
    const auto b = decode(built(tblog::summary::image("t", tblog::TensorView(hwc.data(), {2, 3, 3}), "HWC")).encoded_image_string());
    const auto c = decode(built(tblog::summary::image("t", tblog::TensorView(hwc.data(), {1, 2, 3, 3}), "NHWC")).encoded_image_string());
    CHECK(a.pixels == b.pixels);
    CHECK(a.pixels == c.pixels);
    CHECK(a.pixels[3] == static_cast<std::uint8_t>(1.0f / 17.0f * 255.0f));  // x=1, red

    SECTION("10 images: 8 columns, 2 rows, empty cells black") {
        std::vector<std::uint8_t> n(10 * 1 * 2 * 2);
        for (std::size_t i = 0; i < n.size(); ++i) n[i] = static_cast<std::uint8_t>(100 + i / 4);
        const auto im = built(tblog::summary::image("g", tblog::TensorView(n.data(), {10, 1, 2, 2}), "NCHW"));
        CHECK(im.height() == 4);
        CHECK(im.width() == 16);
        CHECK(im.colorspace() == 3);
        const auto p = decode(im.encoded_image_string());
        CHECK(p.at(0, 0)[0] == 100);
        CHECK(p.at(15, 1)[2] == 107);   // image 7: row 0, column 7
        CHECK(p.at(2, 3)[1] == 109);    // image 9: row 1, column 1
        CHECK(p.at(4, 2)[0] == 0);      // empty cell
    }
    SECTION("4 channels give RGBA, colorspace 4") {
        std::vector<std::uint8_t> rgba{1, 2, 3, 4, 5, 6, 7, 8};
        const auto im = built(tblog::summary::image("r", tblog::TensorView(rgba.data(), {1, 2, 4}), "HWC"));
        CHECK(im.colorspace() == 4);
        const auto p = decode(im.encoded_image_string());
        CHECK(p.channels == 4);
        CHECK(p.pixels == rgba);
    }
    SECTION("float -> uint8: * 255 in float32, clipped, truncated; NaN -> 0; uint8 as is") {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::vector<float> v{0.5f, 1.0f, 1.5f, -1.0f, nan, 0.999f};
        const auto p = decode(built(tblog::summary::image("v", tblog::TensorView(v.data(), {1, 6}), "HW")).encoded_image_string());
        const std::uint8_t expected[] = {127, 255, 255, 0, 0, 254};
        for (int i = 0; i < 6; ++i) CHECK(int(p.at(static_cast<std::uint32_t>(i), 0)[1]) == int(expected[i]));
        std::vector<double> d{0.5, 0.25};
        const auto q = decode(built(tblog::summary::image("d", tblog::TensorView(d.data(), {1, 2}), "HW")).encoded_image_string());
        CHECK(int(q.at(1, 0)[0]) == 63);
    }
}

TEST_CASE("rescale resizes the PNG (Lanczos) and keeps the original size fields") {
    std::vector<std::uint8_t> flat(6 * 10 * 3, 77);
    flat[0] = 200;
    const auto im = built(tblog::summary::image_boxes("r", tblog::TensorView(flat.data(), {6, 10, 3}),
                                                      tblog::TensorView(static_cast<const double*>(nullptr), {0, 4}),
                                                      2.0, "HWC"));
    CHECK(im.height() == 6);  // as PyTorch: the size before rescale
    CHECK(im.width() == 10);
    const auto p = decode(im.encoded_image_string());
    CHECK(p.width == 20);
    CHECK(p.height == 12);
    CHECK(int(p.at(19, 11)[0]) == 77);  // far from the odd pixel, the flat color is kept
    CHECK(int(p.at(0, 0)[0]) > 150);    // the odd pixel survives the upscale
    const auto half = decode(built(tblog::summary::image_boxes("r", tblog::TensorView(flat.data(), {6, 10, 3}),
                                                                           tblog::TensorView(static_cast<const double*>(nullptr), {0, 4}),
                                                                           0.5, "HWC")).encoded_image_string());
    CHECK(half.width == 5);
    CHECK(half.height == 3);
    CHECK(int(half.at(4, 2)[1]) == 77);
}

TEST_CASE("PNG encoder round-trips 1 to 4 channels") {
    for (int ch = 1; ch <= 4; ++ch) {
        std::vector<std::uint8_t> px(static_cast<std::size_t>(7 * 5 * ch));
        for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<std::uint8_t>(i * 37);
        const auto p = decode(tblog::detail::encode_png(px.data(), 7, 5, ch));
        CHECK(p.channels == ch);
        CHECK(p.pixels == px);
    }
}

// The encoder's zlib stream, inflated by zlib itself (what Pillow, Chromium and libpng use),
// must give back the filtered rows; libpng must give back the pixels, for flat, smooth,
// incompressible and one-pixel images alike, whatever the byte statistics do to the codes.
TEST_CASE("PNG encoder output decodes with libpng and zlib for any content") {
    std::mt19937 rng(1);
    struct Case {
        std::uint32_t w, h;
        int ch;
        int kind;  // 0 flat, 1 gradient, 2 noise, 3 two values, 4 skewed (deep Huffman codes)
    };
    for (const Case c : {Case{1, 1, 1, 0}, Case{1, 1, 4, 2}, Case{640, 3, 3, 2}, Case{64, 64, 3, 0},
                         Case{257, 129, 3, 1}, Case{100, 70, 4, 2}, Case{33, 17, 2, 3}, Case{300, 200, 1, 4}}) {
        std::vector<std::uint8_t> px(std::size_t{c.w} * c.h * static_cast<std::size_t>(c.ch));
        for (std::size_t i = 0; i < px.size(); ++i) {
            switch (c.kind) {
                case 0: px[i] = 77; break;
                case 1: px[i] = static_cast<std::uint8_t>((i / static_cast<std::size_t>(c.ch)) % c.w + i / (c.w * 3)); break;
                case 2: px[i] = static_cast<std::uint8_t>(rng()); break;
                case 3: px[i] = (rng() & 1) ? 0 : 255; break;
                default: {  // geometric byte frequencies: codes up to the 15-bit limit
                    int v = 0;
                    while (v < 255 && (rng() & 1)) ++v;
                    px[i] = static_cast<std::uint8_t>(v);
                }
            }
        }
        INFO(c.w << "x" << c.h << "x" << c.ch << " kind " << c.kind);
        const std::string png = tblog::detail::encode_png(px.data(), c.w, c.h, c.ch);
        const auto p = decode(png);
        CHECK(p.channels == c.ch);
        CHECK(p.width == c.w);
        CHECK(p.height == c.h);
        CHECK(p.pixels == px);
        // IHDR, IDAT, IEND; inflate the IDAT data
        REQUIRE(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
        std::string zdata;
        for (std::size_t at = 8; at + 12 <= png.size();) {
            const auto* b = reinterpret_cast<const unsigned char*>(png.data() + at);
            const std::size_t len = (std::size_t{b[0]} << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
            const std::string type = png.substr(at + 4, 4);
            const auto crc = crc32(0, b + 4, static_cast<uInt>(len + 4));
            const auto* t = b + 8 + len;
            CHECK(((std::uint32_t{t[0]} << 24) | (t[1] << 16) | (t[2] << 8) | t[3]) == crc);
            if (type == "IDAT") zdata += png.substr(at + 8, len);
            at += 12 + len;
        }
        std::string raw((std::size_t{c.w} * static_cast<std::size_t>(c.ch) + 1) * c.h, '\0');
        uLongf raw_len = static_cast<uLongf>(raw.size());
        REQUIRE(uncompress(reinterpret_cast<Bytef*>(&raw[0]), &raw_len,
                           reinterpret_cast<const Bytef*>(zdata.data()), static_cast<uLong>(zdata.size())) == Z_OK);
        CHECK(raw_len == raw.size());
    }
}

TEST_CASE("bad image input throws naming the tag, and writes nothing") {
    TempDir tmp;
    std::vector<float> px(3 * 4 * 4, 0.5f);
    std::vector<float> two(2 * 4 * 4, 0.5f);
    const std::vector<double> box{0, 0, 2, 2};
    {
        tblog::SummaryWriter w(tmp.str());
        tbtest::expect_invalid([&] { w.add_image("bad/rank", tblog::TensorView(px.data(), {3, 16}), 0); }, {"'bad/", "different"});
        tbtest::expect_invalid(
            [&] { w.add_image("bad/fmt", tblog::TensorView(px.data(), {3, 4, 4}), 0, std::nullopt, "CHX"); },
            {"'bad/", "permutation"});
        tbtest::expect_invalid(
            [&] { w.add_image("bad/dup", tblog::TensorView(px.data(), {3, 4, 4}), 0, std::nullopt, "CCW"); },
            {"'bad/", "permutation"});
        tbtest::expect_invalid([&] { w.add_image("bad/channels", tblog::TensorView(two.data(), {2, 4, 4}), 0); },
                               {"'bad/", "channels"});
        tbtest::expect_invalid([&] { w.add_images("bad/empty", tblog::TensorView(px.data(), {0, 3, 4, 4}), 0); }, {"'bad/", "empty"});
        tbtest::expect_invalid([&] {
            w.add_image_with_boxes("bad/boxshape", tblog::TensorView(px.data(), {3, 4, 4}),
                                   tblog::TensorView(box.data(), {4}), 0);
        }, {"'bad/", "(K, 4)"});
        tbtest::expect_invalid([&] {
            w.add_image_with_boxes("bad/labels", tblog::TensorView(px.data(), {3, 4, 4}),
                                   tblog::TensorView(box.data(), {1, 4}), 0, std::nullopt, 1, "CHW",
                                   std::vector<std::string>{"a", "b"});
        }, {"'bad/", "labels"});
        tbtest::expect_invalid([&] {
            w.add_image_with_boxes("bad/rescale", tblog::TensorView(px.data(), {3, 4, 4}),
                                   tblog::TensorView(box.data(), {1, 4}), 0, std::nullopt, 0.0);
        }, {"'bad/", "rescale"});
    }
    CHECK(tbtest::read_dir_events(tmp.path()).size() == 1);
}
