// Histograms against PyTorch's golden output (shared/reference/pytorch/histograms, inputs in
// make_golden.py and histograms_values.npy), plus numpy's bucketing rules for the other bins
// choices and the fast TensorFlow-ladder index against a plain binary search.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "support/expect_invalid.hpp"
#include "support/npy.hpp"
#include "support/test_support.hpp"
#include "tblog/writer.hpp"

using tbtest::TempDir;

namespace {
constexpr double WALL = 1700000000.0;

void check_same_histo(const tensorboard::HistogramProto& a, const tensorboard::HistogramProto& b) {
    CHECK(a.min() == b.min());
    CHECK(a.max() == b.max());
    CHECK(a.num() == b.num());
    CHECK(a.sum() == b.sum());  // numpy's pairwise summation, reproduced exactly
    CHECK(a.sum_squares() == Approx(b.sum_squares()).epsilon(1e-12));  // a BLAS dot in PyTorch
    REQUIRE(a.bucket_limit_size() == b.bucket_limit_size());
    REQUIRE(a.bucket_size() == b.bucket_size());
    for (int i = 0; i < a.bucket_limit_size(); ++i) {
        INFO("bucket " << i);
        CHECK(a.bucket_limit(i) == b.bucket_limit(i));
        CHECK(a.bucket(i) == b.bucket(i));
    }
}

// tblog's bucket counts for `v` (pure builder, decoded).
tensorboard::HistogramProto histo_of(const tblog::TensorView& v, const tblog::Bins& bins = "tensorflow",
                                     std::optional<int> max_bins = std::nullopt) {
    tensorboard::Summary s;
    REQUIRE(s.ParseFromString(tblog::summary::histogram("h", v, bins, max_bins)));
    REQUIRE(s.value_size() == 1);
    CHECK_FALSE(s.value(0).has_metadata());
    return s.value(0).histo();
}

std::vector<double> limits_of(const tensorboard::HistogramProto& h) {
    return {h.bucket_limit().begin(), h.bucket_limit().end()};
}
std::vector<double> counts_of(const tensorboard::HistogramProto& h) {
    return {h.bucket().begin(), h.bucket().end()};
}
}  // namespace

TEST_CASE("add_histogram/add_histogram_raw equal PyTorch's golden events") {
    const auto vals = tbtest::read_npy(tbtest::golden_dir() / "histograms_values.npy");
    REQUIRE(vals.descr == "<f4");
    const auto base = vals.as<float>();
    TempDir tmp;
    {
        // make_golden.py's histograms section, line for line
        tblog::SummaryWriter h(tmp.str());
        for (int step = 0; step < 3; ++step) {
            std::vector<float> v(base);
            for (auto& x : v) x += static_cast<float>(step);  // float32 + int in numpy
            h.add_histogram("weights/normal", v, step, "tensorflow", WALL + step);
        }
        h.add_histogram("weights/auto", base, 0, "auto", WALL);
        std::vector<std::int64_t> ints(10);
        for (int i = 0; i < 10; ++i) ints[static_cast<std::size_t>(i)] = i;
        h.add_histogram("weights/ints", ints, 0, "tensorflow", WALL);
        h.add_histogram("weights/const", std::vector<double>(10, 3.0), 0, "tensorflow", WALL);
        h.add_histogram_raw("raw", 0.0, 4.0, 10, 20.0, 50.0, std::vector<double>{1, 2, 3, 4},
                            std::vector<double>{1, 2, 3, 4}, 0, WALL);
    }
    const auto ours = tbtest::raw_records(tbtest::only_event_file(tmp.path()));
    const auto theirs = tbtest::raw_records(tbtest::only_event_file(tbtest::golden_dir() / "histograms"));
    REQUIRE(ours.size() == theirs.size());
    for (std::size_t i = 1; i < ours.size(); ++i) {
        const auto a = tbtest::parse_event(ours[i]);
        const auto b = tbtest::parse_event(theirs[i]);
        INFO("record " << i << " tag " << b.summary().value(0).tag());
        CHECK(a.wall_time() == b.wall_time());
        CHECK(a.step() == b.step());
        REQUIRE(a.summary().value_size() == 1);
        const auto& x = a.summary().value(0);
        const auto& y = b.summary().value(0);
        CHECK(x.tag() == y.tag());
        CHECK_FALSE(x.has_metadata());
        REQUIRE(x.has_histo());
        check_same_histo(x.histo(), y.histo());
        // Byte for byte, once sum_squares (dot-product rounding) is taken from ours.
        auto b_same = b;
        b_same.mutable_summary()->mutable_value(0)->mutable_histo()->set_sum_squares(x.histo().sum_squares());
        CHECK(a.SerializeAsString() == b_same.SerializeAsString());
        if (x.histo().sum_squares() == y.histo().sum_squares()) CHECK(ours[i] == theirs[i]);
    }
}

TEST_CASE("the TensorFlow ladder index equals a binary search over the edges") {
    const auto& ladder = tblog::detail::histo::TfLadder::get();
    const auto& e = ladder.edges();
    REQUIRE(e.size() == 2 * ladder.bins() / 2 + 1);
    CHECK(e[e.size() / 2] == 0.0);
    CHECK(e[e.size() / 2 + 1] == 1e-12);
    CHECK(e.back() < 1e20);
    CHECK(e.back() * 1.1 >= 1e20);
    // np.histogram's rule: [e_i, e_{i+1}), last bin closed, outside -> not counted
    auto reference = [&](double x) -> std::size_t {
        if (x < e.front() || x > e.back()) return ladder.bins();  // "outside"
        if (x == e.back()) return e.size() - 2;
        return static_cast<std::size_t>(std::upper_bound(e.begin(), e.end(), x) - e.begin()) - 1;
    };
    std::vector<double> probes = {0.0, -0.0, 1e-300, -1e-300, 1e300, -1e300, 1e20, -1e20, 5e-13, -5e-13,
                                  INFINITY, -INFINITY, std::numeric_limits<double>::denorm_min()};
    for (double edge : e) {
        probes.push_back(edge);
        probes.push_back(std::nextafter(edge, -INFINITY));
        probes.push_back(std::nextafter(edge, INFINITY));
    }
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<double> expo(-14, 21);
    for (int i = 0; i < 200000; ++i) probes.push_back((i % 2 ? -1 : 1) * std::pow(10.0, expo(rng)));
    for (double x : probes) {
        INFO(x);
        REQUIRE(ladder.bin(x) == reference(x));
    }
}

// float32 input takes its own table (TfLadder::slot(float)); it must agree with the double
// path on the floats nearest every edge, and count() must agree with slot() one by one.
TEST_CASE("the float32 ladder index and the counting pass equal the double path") {
    const auto& ladder = tblog::detail::histo::TfLadder::get();
    std::vector<float> probes = {0.0f, -0.0f, 1e-30f, -1e-30f, 1e30f, -1e30f, 1e20f, -1e20f,
                                 std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::max(),
                                 -std::numeric_limits<float>::max()};
    for (double edge : ladder.edges()) {
        const float f = static_cast<float>(edge);
        for (float g : {f, std::nextafter(f, -INFINITY), std::nextafter(f, INFINITY)}) probes.push_back(g);
    }
    std::mt19937 rng(2);
    std::normal_distribution<float> nd(0.0f, 3.0f);
    for (int i = 0; i < 100003; ++i) probes.push_back(nd(rng));
    std::vector<std::uint32_t> expected(ladder.slots(), 0), counted(ladder.slots(), 0);
    for (float x : probes) {
        INFO(x);
        REQUIRE(ladder.slot(x) == ladder.slot(static_cast<double>(x)));
        ++expected[ladder.slot(static_cast<double>(x))];
    }
    ladder.count(probes.data(), probes.size(), counted.data());
    CHECK(counted == expected);
}

TEST_CASE("integer bins, explicit edges and max_bins follow numpy and PyTorch") {
    const std::vector<double> v{0.5, 1, 2, 2, 3, 7.25, 10};
    // expected values from numpy 1.24 + PyTorch's make_histogram
    auto h = histo_of(v, 4);
    CHECK(limits_of(h) == std::vector<double>{0.5, 2.875, 5.25, 7.625, 10.0});
    CHECK(counts_of(h) == std::vector<double>{0, 4, 1, 1, 1});
    CHECK(h.min() == 0.5);
    CHECK(h.max() == 10.0);
    CHECK(h.sum() == 25.75);
    CHECK(h.num() == 7);

    h = histo_of(v, 7, 3);
    CHECK(limits_of(h) == std::vector<double>{0.5, 3.2142857142857144, 5.928571428571429, 8.642857142857142, 10.0});
    CHECK(counts_of(h) == std::vector<double>{0, 5, 0, 1, 1});

    h = histo_of(v, 10, 4);
    CHECK(limits_of(h) == std::vector<double>{0.5, 2.4, 4.3, 6.199999999999999, 8.1, 10.0});
    CHECK(counts_of(h) == std::vector<double>{0, 4, 1, 0, 1, 1});

    h = histo_of(v, std::vector<double>{1.0, 2.0, 3.0, 8.0});
    CHECK(limits_of(h) == std::vector<double>{1.0, 2.0, 3.0, 8.0});
    CHECK(counts_of(h) == std::vector<double>{0, 1, 2, 2});  // 0.5 and 10 fall outside

    SECTION("numpy's estimators give numpy's bin counts") {
        const auto vals = tbtest::read_npy(tbtest::golden_dir() / "histograms_values.npy").as<float>();
        // len(np.histogram(vals.astype(float), bins=name)[0])
        const std::pair<const char*, std::size_t> expected[] = {
            {"fd", 27}, {"doane", 12}, {"scott", 21}, {"rice", 20}, {"sturges", 11}, {"sqrt", 32}};
        for (auto [name, bins] : expected) {
            INFO(name);
            const auto s = tblog::summary::detail_histogram::equal_width_edges(
                name, std::vector<double>(vals.begin(), vals.end()),
                tblog::detail::histo::scan(vals.data(), vals.size(), [](double) {}));
            CHECK(s.size() == bins + 1);
        }
    }
}

TEST_CASE("statistics: numpy's sum bit for bit on long inputs, all dtypes") {
    std::mt19937 rng(3);
    std::normal_distribution<float> nd(0, 100);
    std::vector<float> v(100003);
    for (auto& x : v) x = nd(rng);
    // numpy: vals.astype(float).sum() sums in blocks of 8192, pairwise inside each block;
    // check against a plain recomputation of that scheme in long double (close) and that
    // a sequential sum differs (so the scheme is actually exercised).
    const auto h = histo_of(v);
    long double exact = 0;
    for (float x : v) exact += x;
    CHECK(h.sum() == Approx(static_cast<double>(exact)).epsilon(1e-13));
    CHECK(h.num() == 100003);
    CHECK(h.min() == *std::min_element(v.begin(), v.end()));
    CHECK(h.max() == *std::max_element(v.begin(), v.end()));
    double total = 0;
    for (double c : counts_of(h)) total += c;
    CHECK(total == 100003);

    const std::vector<std::uint8_t> u8{0, 1, 2, 255};
    const std::vector<std::int32_t> i32{-5, 0, 5};
    CHECK(histo_of(u8).max() == 255);
    CHECK(histo_of(i32).min() == -5);
    CHECK(counts_of(histo_of(i32)).size() == limits_of(histo_of(i32)).size());
}

TEST_CASE("bad histogram input throws naming the tag, and writes nothing") {
    TempDir tmp;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    {
        tblog::SummaryWriter w(tmp.str());
        tbtest::expect_invalid([&] { w.add_histogram("bad/empty", std::vector<float>{}, 0); }, {"'bad/", "empty"});
        tbtest::expect_invalid([&] { w.add_histogram("bad/nan", std::vector<float>{1, nan, 2}, 0); }, {"'bad/", "NaN"});
        tbtest::expect_invalid([&] { w.add_histogram("bad/nan_auto", std::vector<float>{1, nan}, 0, "auto"); }, {"'bad/", "NaN"});
        tbtest::expect_invalid([&] { w.add_histogram("bad/inf", std::vector<float>{1, -inf}, 0); }, {"'bad/", "Inf"});
        tbtest::expect_invalid([&] { w.add_histogram("bad/inf_n", std::vector<float>{inf, 1}, 0, 5); }, {"'bad/", "Inf"});
        tbtest::expect_invalid([&] { w.add_histogram("bad/huge", std::vector<double>{1e25}, 0); }, {"'bad/", "no value"});
        tbtest::expect_invalid(
            [&] { w.add_histogram("bad/maxb", std::vector<float>{1}, 0, "tensorflow", std::nullopt, 0); },
            {"'bad/", "max_bins"});
        tbtest::expect_invalid([&] {
            w.add_histogram_raw("bad/raw", 0, 1, 1, 1, 1, std::vector<double>{1, 2}, std::vector<double>{1});
        }, {"'bad/", "len(bucket_limits)"});
        tbtest::expect_invalid([&] { w.add_histogram("bad/bins", std::vector<float>{0, 1}, 0, 20'000'000); },
                               {"'bad/", "too many"});
        tbtest::expect_invalid([&] {
            w.add_histogram_raw("bad/raw_empty", 0, 1, 1, 1, 1, std::vector<double>{}, std::vector<double>{});
        }, {"'bad/", "empty"});
    }
    CHECK_THROWS_AS(tblog::Bins("median"), std::invalid_argument);
    CHECK_THROWS_AS(tblog::Bins(0), std::invalid_argument);
    CHECK_THROWS_AS(tblog::Bins(std::vector<double>{2, 1}), std::invalid_argument);
    CHECK(tbtest::read_dir_events(tmp.path()).size() == 1);  // only the file_version header
}
