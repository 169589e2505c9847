// Audio against PyTorch's golden output (shared/reference/pytorch/audio, input
// audio_signal.npy): the whole event, WAV header and samples included, must be identical.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "support/expect_invalid.hpp"
#include "support/npy.hpp"
#include "support/test_support.hpp"
#include "tblog/writer.hpp"

using tbtest::TempDir;

namespace {
constexpr double WALL = 1700000000.0;

tensorboard::Summary::Audio built(const tblog::TensorView& v, double rate = 44100) {
    tensorboard::Summary s;
    REQUIRE(s.ParseFromString(tblog::summary::audio("a", v, rate)));
    REQUIRE(s.value_size() == 1);
    REQUIRE(s.value(0).has_audio());
    return s.value(0).audio();
}

std::vector<std::int16_t> samples_of(const std::string& wav) {
    REQUIRE(wav.size() >= 44);
    std::vector<std::int16_t> out((wav.size() - 44) / 2);
    std::memcpy(out.data(), wav.data() + 44, out.size() * 2);
    return out;
}

std::uint32_t u32_at(const std::string& s, std::size_t at) {
    std::uint32_t v;
    std::memcpy(&v, s.data() + at, 4);
    return v;
}
}  // namespace

TEST_CASE("add_audio equals PyTorch's golden event byte for byte") {
    const auto sig = tbtest::read_npy(tbtest::golden_dir() / "audio_signal.npy");
    REQUIRE(sig.descr == "<f4");
    TempDir tmp;
    {
        tblog::SummaryWriter au(tmp.str());
        au.add_audio("tone", sig.view(), 0, 16000, WALL);  // make_golden.py's audio section
    }
    const auto ours = tbtest::raw_records(tbtest::only_event_file(tmp.path()));
    const auto theirs = tbtest::raw_records(tbtest::only_event_file(tbtest::golden_dir() / "audio"));
    REQUIRE(ours.size() == 2);
    REQUIRE(theirs.size() == 2);
    const auto a = tbtest::parse_event(ours[1]).summary().value(0);
    const auto b = tbtest::parse_event(theirs[1]).summary().value(0);
    CHECK(a.tag() == b.tag());
    CHECK_FALSE(a.has_metadata());
    CHECK(a.audio().sample_rate() == b.audio().sample_rate());
    CHECK(a.audio().num_channels() == b.audio().num_channels());
    CHECK(a.audio().length_frames() == b.audio().length_frames());
    CHECK(a.audio().content_type() == b.audio().content_type());
    const auto& wa = a.audio().encoded_audio_string();
    const auto& wb = b.audio().encoded_audio_string();
    CHECK(wa.substr(0, 44) == wb.substr(0, 44));  // RIFF/fmt/data headers
    CHECK(samples_of(wa) == samples_of(wb));
    CHECK(ours[1] == theirs[1]);
}

TEST_CASE("audio samples: clipped, * 32767, truncated, shapes squeezed, rate rounded half to even") {
    const std::vector<float> f{0.5f, -0.5f, 1.0f, -1.0f, 2.0f, -3.0f, 0.99999f, 1e-5f};
    const auto a = built(tblog::TensorView(f.data(), {1, 8}));
    CHECK(a.length_frames() == 8);
    CHECK(a.num_channels() == 1);
    CHECK(a.sample_rate() == 44100.0f);
    CHECK(samples_of(a.encoded_audio_string()) ==
          std::vector<std::int16_t>{16383, -16383, 32767, -32767, 32767, -32767,
                                    static_cast<std::int16_t>(0.99999f * 32767.0f), 0});
    const std::vector<double> d{0.1, -0.1};
    CHECK(samples_of(built(tblog::TensorView(d.data(), {2, 1})).encoded_audio_string()) ==
          std::vector<std::int16_t>{3276, -3276});
    const auto wav = built(tblog::TensorView(d.data(), {2}), 22050.5).encoded_audio_string();
    CHECK(u32_at(wav, 24) == 22050);  // round(22050.5) == 22050 in Python
    CHECK(u32_at(wav, 28) == 44100);  // byte rate
    CHECK(u32_at(wav, 40) == 4);      // data bytes
    CHECK(u32_at(wav, 4) == 40);      // RIFF size
    CHECK(u32_at(built(tblog::TensorView(d.data(), {2}), 22051.5).encoded_audio_string(), 24) == 22052);
}

TEST_CASE("bad audio input throws naming the tag, and writes nothing") {
    TempDir tmp;
    const std::vector<float> two_ch(2 * 10, 0.1f), one{0.5f};
    std::vector<float> with_nan(10, 0.1f);
    with_nan[3] = std::numeric_limits<float>::quiet_NaN();
    {
        tblog::SummaryWriter w(tmp.str());
        using tbtest::expect_invalid;
        expect_invalid([&] { w.add_audio("bad/stereo", tblog::TensorView(two_ch.data(), {2, 10}), 0); },
                       {"bad/stereo", "1 dimensional"});
        expect_invalid([&] { w.add_audio("bad/single", one, 0); }, {"bad/single", "1 dimensional"});
        expect_invalid([&] { w.add_audio("bad/empty", std::vector<float>{}, 0); }, {"bad/empty", "empty"});
        expect_invalid([&] { w.add_audio("bad/nan", with_nan, 0); }, {"bad/nan", "NaN"});
        expect_invalid([&] { w.add_audio("bad/rate", with_nan, 0, 0.0); }, {"bad/rate"});
    }
    CHECK(tbtest::read_dir_events(tmp.path()).size() == 1);
}

// add_audio writes its Summary straight into the event with lengths computed beforehand
// (AudioSummary::size) and the samples converted in place (SSE2 for float/double): every
// length whose varints change size, long tags, all dtypes and clips of 8 to 200 KB in a row
// (events larger than the writer's 64 KB pages) must read back as summary::audio() builds
// them, sample by sample the scalar rule.
TEST_CASE("audio events of every size read back exactly, SIMD conversion equals the scalar rule") {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> amp(-1.5f, 1.5f);
    const std::vector<std::size_t> lengths{2, 7, 8, 9, 63, 64, 65, 8191, 8192, 8193, 32767, 44100, 65536, 100003};
    std::vector<std::vector<float>> clips;
    for (std::size_t n : lengths) {
        std::vector<float> c(n);
        for (auto& v : c) v = amp(rng);
        c[0] = -0.0f, c[1] = 1.0f;
        clips.push_back(std::move(c));
    }
    const std::string long_tag(200, 't');
    TempDir tmp;
    {
        tblog::SummaryWriter w(tmp.str());
        for (std::size_t i = 0; i < clips.size(); ++i)
            w.add_audio(i % 2 ? long_tag : "a", clips[i], static_cast<std::int64_t>(i), 8000 + static_cast<double>(i));
    }
    const auto ev = tbtest::read_dir_events(tmp.path());
    const auto raw = tbtest::raw_records(tbtest::only_event_file(tmp.path()));
    REQUIRE(ev.size() == clips.size() + 1);
    REQUIRE(raw.size() == ev.size());
    for (std::size_t i = 0; i < clips.size(); ++i) {
        INFO("clip " << i << ", " << clips[i].size() << " samples");
        const auto& v = ev[i + 1].summary().value(0);
        CHECK(v.tag() == (i % 2 ? long_tag : "a"));
        CHECK(v.audio().length_frames() == static_cast<std::int64_t>(clips[i].size()));
        const auto samples = samples_of(v.audio().encoded_audio_string());
        REQUIRE(samples.size() == clips[i].size());
        for (std::size_t k = 0; k < samples.size(); ++k) {
            const float c = std::min(1.0f, std::max(-1.0f, clips[i][k]));
            REQUIRE(samples[k] == static_cast<std::int16_t>(c * 32767.0f));
        }
        // the event ends with the Summary, byte for byte what the stand-alone builder makes
        const std::string summary = tblog::summary::audio(v.tag(), clips[i], 8000 + static_cast<double>(i));
        REQUIRE(raw[i + 1].size() > summary.size());
        CHECK(raw[i + 1].compare(raw[i + 1].size() - summary.size(), summary.size(), summary) == 0);
    }
    // double, NaN late in a long clip (after the SIMD groups), integer dtypes
    std::vector<double> d(1001);
    for (std::size_t k = 0; k < d.size(); ++k) d[k] = std::sin(static_cast<double>(k)) * 1.2;
    const auto ds = samples_of(built(tblog::TensorView(d.data(), {1001})).encoded_audio_string());
    for (std::size_t k = 0; k < d.size(); ++k)
        REQUIRE(ds[k] == static_cast<std::int16_t>(std::min(1.0, std::max(-1.0, d[k])) * 32767.0));
    d[997] = std::numeric_limits<double>::quiet_NaN();
    tbtest::expect_invalid([&] { tblog::summary::audio("late/nan", tblog::TensorView(d.data(), {1001})); },
                           {"late/nan", "NaN"});
    std::vector<float> f(1001, 0.25f);
    f[996] = std::numeric_limits<float>::quiet_NaN();
    tbtest::expect_invalid([&] { tblog::summary::audio("late/nanf", f); }, {"late/nanf", "NaN"});
    const std::vector<std::int32_t> ints{-5, -1, 0, 1, 9};
    CHECK(samples_of(built(tblog::TensorView(ints.data(), {5})).encoded_audio_string()) ==
          std::vector<std::int16_t>{-32767, -32767, 0, 32767, 32767});
}
