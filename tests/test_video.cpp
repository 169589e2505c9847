// Video: PyTorch's golden run has no video (moviepy was missing there), so the GIF is checked
// by decoding it with giflib: frame count, size, delay, disposal, loop extension and pixels
// (exact while a frame has at most 256 colors, close otherwise), and the tiling of clips as
// PyTorch's _prepare_video does it, on make_golden.py's video input.
#include <catch2/catch.hpp>

#include <gif_lib.h>

#include <cmath>
#include <cstring>
#include <random>

#include "support/expect_invalid.hpp"
#include "support/test_support.hpp"
#include "tblog/writer.hpp"

using tbtest::TempDir;

namespace {

struct Gif {
    int width = 0, height = 0, loop = -1;
    std::vector<int> delays, disposals;
    std::vector<std::vector<std::uint8_t>> frames;  // RGB per frame
};

Gif decode_gif(const std::string& bytes) {
    struct Src {
        const std::string* s;
        std::size_t at;
    } src{&bytes, 0};
    auto read = [](GifFileType* g, GifByteType* buf, int n) -> int {
        auto* s = static_cast<Src*>(g->UserData);
        const int k = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(n), s->s->size() - s->at));
        std::memcpy(buf, s->s->data() + s->at, static_cast<std::size_t>(k));
        s->at += static_cast<std::size_t>(k);
        return k;
    };
    int err = 0;
    GifFileType* g = DGifOpen(&src, read, &err);
    REQUIRE(g != nullptr);
    REQUIRE(DGifSlurp(g) == GIF_OK);
    Gif out;
    out.width = g->SWidth;
    out.height = g->SHeight;
    for (int i = 0; i < g->ImageCount; ++i) {
        const SavedImage& im = g->SavedImages[i];
        GraphicsControlBlock gcb;
        REQUIRE(DGifSavedExtensionToGCB(g, i, &gcb) == GIF_OK);
        out.delays.push_back(gcb.DelayTime);
        out.disposals.push_back(gcb.DisposalMode);
        for (int e = 0; e + 1 < im.ExtensionBlockCount; ++e) {
            const ExtensionBlock& x = im.ExtensionBlocks[e];
            if (x.Function == APPLICATION_EXT_FUNC_CODE && x.ByteCount == 11 &&
                std::memcmp(x.Bytes, "NETSCAPE2.0", 11) == 0) {
                const ExtensionBlock& d = im.ExtensionBlocks[e + 1];
                REQUIRE(d.ByteCount == 3);
                out.loop = d.Bytes[1] | d.Bytes[2] << 8;
            }
        }
        REQUIRE(im.ImageDesc.Width == g->SWidth);
        REQUIRE(im.ImageDesc.Height == g->SHeight);
        const ColorMapObject* cmap = im.ImageDesc.ColorMap ? im.ImageDesc.ColorMap : g->SColorMap;
        REQUIRE(cmap != nullptr);
        std::vector<std::uint8_t> rgb;
        for (int p = 0; p < im.ImageDesc.Width * im.ImageDesc.Height; ++p) {
            const GifColorType& c = cmap->Colors[im.RasterBits[p]];
            rgb.insert(rgb.end(), {c.Red, c.Green, c.Blue});
        }
        out.frames.push_back(std::move(rgb));
    }
    DGifCloseFile(g, &err);
    return out;
}

tensorboard::Summary::Image built(const tblog::TensorView& v, double fps = 4) {
    tensorboard::Summary s;
    REQUIRE(s.ParseFromString(tblog::summary::video("v", v, fps)));
    REQUIRE(s.value_size() == 1);
    REQUIRE(s.value(0).has_image());
    CHECK_FALSE(s.value(0).has_metadata());
    return s.value(0).image();
}

std::uint8_t u8(float v) { return static_cast<std::uint8_t>(std::min(255.0f, std::max(0.0f, v * 255.0f))); }
}  // namespace

TEST_CASE("add_video writes make_golden.py's clip as a looping GIF tiled like PyTorch") {
    // vid = np.linspace(0, 1, 2*4*3*8*8, dtype=np.float32).reshape(2, 4, 3, 8, 8), fps 4
    const int n = 2 * 4 * 3 * 8 * 8;
    std::vector<float> vid(n);
    for (int i = 0; i < n; ++i) vid[static_cast<std::size_t>(i)] = static_cast<float>(static_cast<double>(i) / (n - 1));
    TempDir tmp;
    {
        tblog::SummaryWriter vd(tmp.str());
        vd.add_video("clip", tblog::TensorView(vid.data(), {2, 4, 3, 8, 8}), 0, 4, 1700000000.0);
    }
    const auto ev = tbtest::read_dir_events(tmp.path());
    REQUIRE(ev.size() == 2);
    CHECK(ev[1].wall_time() == 1700000000.0);
    REQUIRE(ev[1].summary().value_size() == 1);
    CHECK(ev[1].summary().value(0).tag() == "clip");
    const auto& im = ev[1].summary().value(0).image();
    // 2 clips: 1 row x 2 columns of 8x8
    CHECK(im.height() == 8);
    CHECK(im.width() == 16);
    CHECK(im.colorspace() == 3);
    const auto& bytes = im.encoded_image_string();
    CHECK(bytes.compare(0, 6, "GIF89a") == 0);
    const Gif g = decode_gif(bytes);
    CHECK(g.width == 16);
    CHECK(g.height == 8);
    CHECK(g.loop == 0xFFFF);
    REQUIRE(g.frames.size() == 4);
    for (int f = 0; f < 4; ++f) {
        INFO("frame " << f);
        CHECK(g.delays[static_cast<std::size_t>(f)] == 25);  // int(100 / 4)
        CHECK(g.disposals[static_cast<std::size_t>(f)] == DISPOSE_BACKGROUND);
        for (int y = 0; y < 8; ++y)
            for (int x = 0; x < 16; ++x)
                for (int c = 0; c < 3; ++c) {
                    const int clip = x / 8;
                    const float v = vid[static_cast<std::size_t>((((clip * 4 + f) * 3 + c) * 8 + y) * 8 + x % 8)];
                    REQUIRE(g.frames[static_cast<std::size_t>(f)][static_cast<std::size_t>((y * 16 + x) * 3 + c)] == u8(v));
                }
    }
}

TEST_CASE("clip tiling: power-of-two padding, 2^floor((bit_length-1)/2) rows, gray, RGBA, uint8") {
    SECTION("5 clips: 2 rows x 4 columns, the padding clips black") {
        std::vector<std::uint8_t> v(5 * 1 * 1 * 2 * 3);
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::uint8_t>(10 + i / 6 * 40);  // clip i: 10+40i
        const auto im = built(tblog::TensorView(v.data(), {5, 1, 1, 2, 3}));
        CHECK(im.height() == 4);
        CHECK(im.width() == 12);
        CHECK(im.colorspace() == 1);
        const Gif g = decode_gif(im.encoded_image_string());
        auto at = [&](int x, int y) { return g.frames[0][static_cast<std::size_t>((y * 12 + x) * 3)]; };
        CHECK(int(at(0, 0)) == 10);
        CHECK(int(at(9, 1)) == 130);   // clip 3: row 0, column 3
        CHECK(int(at(2, 3)) == 170);   // clip 4: row 1, column 0
        CHECK(int(at(3, 2)) == 0);     // padding
        CHECK(int(at(11, 3)) == 0);
    }
    SECTION("3 clips: one row of 4; RGBA keeps colorspace 4, the GIF drops alpha") {
        std::vector<float> v(3 * 2 * 4 * 2 * 2, 0.5f);
        const auto im = built(tblog::TensorView(v.data(), {3, 2, 4, 2, 2}), 30);
        CHECK(im.height() == 2);
        CHECK(im.width() == 8);
        CHECK(im.colorspace() == 4);
        const Gif g = decode_gif(im.encoded_image_string());
        REQUIRE(g.frames.size() == 2);
        CHECK(g.delays[0] == 3);  // int(100 / 30)
        CHECK(int(g.frames[1][0]) == 127);
        CHECK(int(g.frames[1][3 * 7]) == 0);
    }
    SECTION("fps 3 gives 33 centiseconds") {
        std::vector<float> v(1 * 1 * 3 * 1 * 1, 0.25f);
        CHECK(decode_gif(built(tblog::TensorView(v.data(), {1, 1, 3, 1, 1}), 3).encoded_image_string()).delays[0] == 33);
    }
}

TEST_CASE("frames with more than 256 colors are quantised closely, long LZW streams decode") {
    // 1 clip, 3 frames of 96x128 with smooth color gradients plus noise: thousands of colors,
    // so median cut is used and the LZW table fills and restarts many times.
    const int T = 3, H = 96, W = 128;
    std::vector<float> v(static_cast<std::size_t>(T * 3 * H * W));
    std::mt19937 rng(5);
    std::normal_distribution<float> noise(0, 0.03f);
    for (int f = 0; f < T; ++f)
        for (int c = 0; c < 3; ++c)
            for (int y = 0; y < H; ++y)
                for (int x = 0; x < W; ++x)
                    v[static_cast<std::size_t>(((f * 3 + c) * H + y) * W + x)] =
                        0.5f + 0.45f * std::sin((x + 13 * f) / (9.0f + 4 * c) + y / 17.0f) + noise(rng);
    const auto im = built(tblog::TensorView(v.data(), {1, T, 3, H, W}));
    const Gif g = decode_gif(im.encoded_image_string());
    REQUIRE(g.frames.size() == static_cast<std::size_t>(T));
    double total = 0;
    int worst = 0;
    for (int f = 0; f < T; ++f)
        for (int p = 0; p < H * W; ++p)
            for (int c = 0; c < 3; ++c) {
                const int want = u8(v[static_cast<std::size_t>(((f * 3 + c) * H + p / W) * W + p % W)]);
                const int got = g.frames[static_cast<std::size_t>(f)][static_cast<std::size_t>(p * 3 + c)];
                total += std::abs(want - got);
                worst = std::max(worst, std::abs(want - got));
            }
    const double mean = total / (T * H * W * 3);
    INFO("mean error " << mean << ", worst " << worst);
    // the per-pixel noise alone (sigma ~7.6 levels) cannot be kept by 256 colors: E|noise| ~6
    CHECK(mean < 9.0);
    CHECK(worst < 64);
}

// Median cut's nearest-entry search prunes (entries sorted by r + g + b, four at a time):
// it must give what a scan over all 256 entries gives, the lowest index of equals, for
// every pixel; and a MedianCut reused across frames (its tables reset by entry) must give
// what a fresh one gives.
TEST_CASE("median cut maps each pixel to its nearest palette entry, the same when reused across frames") {
    std::mt19937 rng(11);
    std::normal_distribution<float> noise(0, 12);
    auto frame = [&](std::size_t pixels, int kind) {
        std::vector<std::uint8_t> rgb(3 * pixels);
        for (std::size_t i = 0; i < pixels; ++i)
            for (int c = 0; c < 3; ++c) {
                const float smooth = 128 + 100 * std::sin(static_cast<float>(i % 64) / (5.0f + 3 * c) + static_cast<float>(i / 64) / 11.0f);
                const float v = kind == 0 ? smooth + noise(rng) : kind == 1 ? static_cast<float>(rng() % 256) : smooth;
                rgb[3 * i + static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(std::min(255.0f, std::max(0.0f, v)));
            }
        return rgb;
    };
    tblog::detail::gif::MedianCut reused;
    for (int round = 0; round < 6; ++round) {
        INFO("round " << round);
        const std::size_t pixels = 2048 + 1500 * static_cast<std::size_t>(round);
        const auto rgb = frame(pixels, round % 2);  // both have more than 256 15-bit colors: 256 boxes
        tblog::detail::gif::Indexed a, b;
        reused.run(rgb.data(), pixels, a);
        tblog::detail::gif::MedianCut fresh;
        fresh.run(rgb.data(), pixels, b);
        CHECK(a.palette == b.palette);
        CHECK(a.index == b.index);
        for (std::size_t i = 0; i < pixels; ++i) {
            const std::uint8_t* p = &rgb[3 * i];
            const int r = (p[0] >> 3) << 3 | 4, g = (p[1] >> 3) << 3 | 4, bl = (p[2] >> 3) << 3 | 4;
            int want = 0, best = 1 << 30;
            for (int e = 0; e < 256; ++e) {
                const int dr = r - a.palette[static_cast<std::size_t>(3 * e)], dg = g - a.palette[static_cast<std::size_t>(3 * e + 1)],
                          db = bl - a.palette[static_cast<std::size_t>(3 * e + 2)];
                if (dr * dr + dg * dg + db * db < best) best = dr * dr + dg * dg + db * db, want = e;
            }
            REQUIRE(int(a.index[i]) == want);
        }
    }
}

TEST_CASE("bad video input throws naming the tag, and writes nothing") {
    TempDir tmp;
    std::vector<float> v(2 * 3 * 4 * 4, 0.5f);
    {
        tblog::SummaryWriter w(tmp.str());
        using tbtest::expect_invalid;
        expect_invalid([&] { w.add_video("bad/rank", tblog::TensorView(v.data(), {2, 3, 4, 4}), 0); },
                       {"bad/rank", "(N, T, C, H, W)"});
        expect_invalid([&] { w.add_video("bad/channels", tblog::TensorView(v.data(), {1, 3, 2, 4, 4}), 0); },
                       {"bad/channels", "channels"});
        expect_invalid([&] { w.add_video("bad/empty", tblog::TensorView(v.data(), {1, 0, 3, 4, 4}), 0); },
                       {"bad/empty", "empty"});
        expect_invalid([&] { w.add_video("bad/fps", tblog::TensorView(v.data(), {1, 2, 3, 4, 4}), 0, 0); },
                       {"bad/fps", "fps"});
    }
    CHECK(tbtest::read_dir_events(tmp.path()).size() == 1);
}
