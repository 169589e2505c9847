// Scalars against PyTorch's golden output (shared/reference/pytorch/scalars, written by
// make_golden.py): the same calls through tblog must give the same events. Records after the
// file_version header are compared byte for byte and field by field (decoded with protobuf).
#include <catch2/catch.hpp>

#include <thread>

#include <cmath>
#include <limits>

#include "support/test_support.hpp"
#include "tblog/summary.hpp"
#include "tblog/writer.hpp"

namespace fs = std::filesystem;
using tbtest::TempDir;

namespace {
constexpr double WALL = 1700000000.0;

// make_golden.py's scalars section, line for line.
void write_like_golden(const std::string& dir) {
    tblog::SummaryWriter s(dir, "", std::nullopt, 10, 1);
    for (int step = 0; step < 100; ++step) {
        s.add_scalar("loss/train", 1.0 / (step + 1), step, WALL + step);
        s.add_scalar("lr", 0.1 * std::pow(0.5, step / 30), step, WALL + step);
    }
    s.add_scalar("special/nan", std::numeric_limits<double>::quiet_NaN(), 0, WALL);
    s.add_scalar("special/inf", std::numeric_limits<double>::infinity(), 1, WALL);
    s.add_scalar("double/pi", M_PI, 0, WALL, false, /*double_precision=*/true);
    s.add_scalar("newstyle/x", 2.5, 0, WALL, /*new_style=*/true);
    s.add_scalars("multi", {{"a", 1.0}, {"b", 2.0}}, 0, WALL);
    s.close();
}

void check_header(const tensorboard::Event& ours, const tensorboard::Event& theirs) {
    CHECK(ours.file_version() == "brain.Event:2");
    CHECK(ours.file_version() == theirs.file_version());
    CHECK(ours.step() == theirs.step());
    CHECK_FALSE(ours.has_summary());
    CHECK(ours.wall_time() > 1.7e9);  // "now", not a fixed value
    // We name ourselves as the writer; PyTorch names TensorBoard's event_file_writer.
    CHECK(ours.source_metadata().writer() == "tblog");
    CHECK(theirs.source_metadata().writer() == "tensorboard.summary.writer.event_file_writer");
}

// Every record but the first must equal PyTorch's, bytes and decoded fields.
void compare_files(const fs::path& ours_file, const fs::path& theirs_file) {
    auto ours = tbtest::raw_records(ours_file);
    auto theirs = tbtest::raw_records(theirs_file);
    REQUIRE(ours.size() == theirs.size());
    check_header(tbtest::parse_event(ours[0]), tbtest::parse_event(theirs[0]));
    for (std::size_t i = 1; i < ours.size(); ++i) {
        INFO("record " << i);
        auto a = tbtest::parse_event(ours[i]);
        auto b = tbtest::parse_event(theirs[i]);
        CHECK(a.wall_time() == b.wall_time());
        CHECK(a.step() == b.step());
        REQUIRE(a.summary().value_size() == b.summary().value_size());
        for (int v = 0; v < a.summary().value_size(); ++v) {
            const auto& x = a.summary().value(v);
            const auto& y = b.summary().value(v);
            CHECK(x.tag() == y.tag());
            CHECK(x.value_case() == y.value_case());
            if (std::isnan(y.simple_value())) {
                CHECK(std::isnan(x.simple_value()));
            } else {
                CHECK(x.simple_value() == y.simple_value());
            }
            CHECK(x.has_metadata() == y.has_metadata());
            CHECK(x.metadata().SerializeAsString() == y.metadata().SerializeAsString());
            CHECK(x.tensor().SerializeAsString() == y.tensor().SerializeAsString());
        }
        CHECK(ours[i] == theirs[i]);  // byte for byte
    }
}
}  // namespace

TEST_CASE("add_scalar/add_scalars equal PyTorch's golden events") {
    TempDir tmp;
    const std::string dir = tmp / "scalars";
    write_like_golden(dir);
    const auto golden = tbtest::golden_dir() / "scalars";
    compare_files(tbtest::only_event_file(dir), tbtest::only_event_file(golden));

    SECTION("add_scalars writes one sub-run per key, named <main_tag>_<key>") {
        for (const char* sub : {"multi_a", "multi_b"}) {
            INFO(sub);
            REQUIRE(fs::is_directory(fs::path(dir) / sub));
            compare_files(tbtest::only_event_file(fs::path(dir) / sub),
                          tbtest::only_event_file(golden / sub));
        }
        std::size_t subdirs = 0;
        for (auto& e : fs::directory_iterator(dir)) subdirs += e.is_directory();
        CHECK(subdirs == 2);
    }
}

TEST_CASE("scalar details: NaN/Inf bit patterns, double_precision, new_style") {
    TempDir tmp;
    {
        tblog::SummaryWriter w(tmp.str());
        w.add_scalar("nan", std::nan(""), 1, WALL);
        w.add_scalar("ninf", -std::numeric_limits<double>::infinity(), 2, WALL);
        w.add_scalar("ns_double", M_PI, 3, WALL, true, true);
        w.add_scalar("big_step", 1.0, std::int64_t{1} << 40, WALL);
        w.add_scalar("neg_step", 1.0, -5, WALL);
    }
    auto ev = tbtest::read_dir_events(tmp.path());
    REQUIRE(ev.size() == 6);
    CHECK(std::isnan(ev[1].summary().value(0).simple_value()));
    CHECK(ev[2].summary().value(0).simple_value() == -std::numeric_limits<float>::infinity());
    const auto& t = ev[3].summary().value(0).tensor();
    CHECK(t.dtype() == tensorboard::DT_DOUBLE);
    REQUIRE(t.double_val_size() == 1);
    CHECK(t.double_val(0) == M_PI);  // full double precision kept
    CHECK(ev[3].summary().value(0).metadata().plugin_data().plugin_name() == "scalars");
    CHECK(ev[4].step() == (std::int64_t{1} << 40));
    CHECK(ev[5].step() == -5);
}

TEST_CASE("pure builder gives the Summary bytes the writer wraps") {
    tensorboard::Summary s;
    REQUIRE(s.ParseFromString(tblog::summary::scalar("a/b", 0.5)));
    REQUIRE(s.value_size() == 1);
    CHECK(s.value(0).tag() == "a/b");
    CHECK(s.value(0).simple_value() == 0.5f);
    CHECK_FALSE(s.value(0).has_metadata());
    CHECK_THROWS_AS(tblog::summary::scalar("", 1.0), std::invalid_argument);
}

TEST_CASE("walltime defaults to now with sub-second precision, no step means step 0") {
    TempDir tmp;
    const double before = tblog::detail::now_seconds();
    {
        tblog::SummaryWriter w(tmp.str());
        w.add_scalar("x", 1.0);
    }
    const double after = tblog::detail::now_seconds();
    auto ev = tbtest::read_dir_events(tmp.path());
    REQUIRE(ev.size() == 2);
    CHECK(ev[1].wall_time() >= before);
    CHECK(ev[1].wall_time() <= after);
    CHECK(ev[1].step() == 0);
}

// The TSC-extrapolated clock (detail/io/wall_clock.hpp) must stay on the system clock: every
// reading lies between system-clock readings taken around it (within a 0.5 ms allowance
// for calibration error), across the first uncalibrated milliseconds, the switch to the
// TSC and many re-anchorings, and it resolves microseconds (as Python's time.time()).
TEST_CASE("now_seconds follows the system clock with microsecond resolution") {
    using tblog::detail::wall_clock::system_seconds;
    std::thread([] {  // a fresh thread: starts without an anchor
        const double start = system_seconds();
        double prev = 0;
        int distinct = 0, calls = 0;
        while (system_seconds() - start < 0.06) {
            const double lo = system_seconds();
            const double t = tblog::detail::now_seconds();
            const double hi = system_seconds();
            REQUIRE(t >= lo - 5e-4);
            REQUIRE(t <= hi + 5e-4);
            distinct += t != prev;
            prev = t;
            ++calls;
        }
        CHECK(distinct > calls / 2);  // not a coarse cached value
    }).join();
}

TEST_CASE("the add_scalar fast encoder equals the generic encoder") {
    namespace d = tblog::detail;
    const double walls[] = {0.0, 1.0, 1700000000.25};
    const std::int64_t steps[] = {0, 1, 127, 128, -1, std::int64_t{1} << 50};
    const float values[] = {0.0f, -1.5f, std::numeric_limits<float>::infinity()};
    for (std::size_t tag_len : {1u, 10u, 100u, 126u, 127u, 128u, 200u})
        for (double wall : walls)
            for (auto step : steps)
                for (float v : values) {
                    const std::string tag(tag_len, 't');
                    std::string generic;
                    {
                        d::wire::ProtoWriter w(generic);
                        d::event::write_header(w, wall, step);
                        d::wire::Nested s(w, d::event::field::kSummary);
                        tblog::summary::write_scalar_value(w, tag, v);
                    }
                    char buf[d::scalar_event_max_size(200)];
                    const auto n = d::encode_scalar_event(buf, wall, step, tag, v);
                    REQUIRE(std::string(buf, n) == generic);
                }
}
