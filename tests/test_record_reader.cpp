// TFRecord framing and the resumable reader: round trips, truncated tails (a file still
// being written), flipped bytes, and resuming where the last read stopped.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>

#include "support/test_support.hpp"
#include "tblog/detail/io/record.hpp"
#include "tblog/reader.hpp"

namespace rec = tblog::detail::record;
namespace crc = tblog::detail::crc32c;
using tblog::EventFileReader;
using tblog::ReadStatus;

static void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}
static void append_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::app) << bytes;
}

TEST_CASE("a framed record has TensorFlow's layout") {
    const std::string data = "hello";
    const std::string f = rec::frame(data);
    REQUIRE(f.size() == 5 + 16);
    CHECK(rec::get_u64(f.data()) == 5);
    CHECK(rec::get_u32(f.data() + 8) == crc::mask(crc::value(f.data(), 8)));
    CHECK(f.substr(12, 5) == data);
    CHECK(rec::get_u32(f.data() + 17) == crc::mask(crc::value(data.data(), 5)));
}

TEST_CASE("golden PyTorch files read cleanly record by record") {
    auto file = tbtest::only_event_file(tbtest::golden_dir() / "scalars");
    EventFileReader r(file.string());
    std::string rec;
    int n = 0;
    ReadStatus s;
    while ((s = r.next(rec)) == ReadStatus::ok) ++n;
    CHECK(s == ReadStatus::end);
    CHECK(n == 1 + 200 + 4);  // header, 2x100 scalars, nan/inf/pi/new_style (add_scalars: sub-runs)
    CHECK(r.offset() == std::filesystem::file_size(file));
}

TEST_CASE("a truncated last record is reported, not consumed, and resumes when completed") {
    tbtest::TempDir dir;
    const std::string path = dir / "events.out.tfevents.test";
    const std::string a = rec::frame("first"), b = rec::frame(std::string(300, 'b'));
    for (std::size_t cut : {std::size_t{1}, std::size_t{11}, std::size_t{12}, std::size_t{100},
                            b.size() - 1}) {
        write_file(path, a + b.substr(0, cut));
        EventFileReader r(path);
        std::string out;
        REQUIRE(r.next(out) == ReadStatus::ok);
        CHECK(out == "first");
        const auto at = r.offset();
        CHECK(r.next(out) == ReadStatus::truncated);
        CHECK(r.offset() == at);
        append_file(path, b.substr(cut));  // the writer finishes the record
        REQUIRE(r.next(out) == ReadStatus::ok);
        CHECK(out == std::string(300, 'b'));
        CHECK(r.next(out) == ReadStatus::end);
    }
}

TEST_CASE("a flipped data byte is corrupt and can be skipped, a flipped length cannot") {
    tbtest::TempDir dir;
    const std::string path = dir / "events.out.tfevents.test";
    std::string bytes = rec::frame("one") + rec::frame("two") + rec::frame("three");
    std::string damaged = bytes;
    damaged[rec::frame("one").size() + 12] ^= 0x40;  // first data byte of "two"
    write_file(path, damaged);
    {
        EventFileReader r(path);
        std::string out;
        REQUIRE(r.next(out) == ReadStatus::ok);
        CHECK(r.next(out) == ReadStatus::corrupt);
        REQUIRE(r.skip_corrupt());
        REQUIRE(r.next(out) == ReadStatus::ok);
        CHECK(out == "three");
    }
    damaged = bytes;
    damaged[rec::frame("one").size() + 2] ^= 0x01;  // inside the length of "two"
    write_file(path, damaged);
    EventFileReader r(path);
    std::string out;
    REQUIRE(r.next(out) == ReadStatus::ok);
    CHECK(r.next(out) == ReadStatus::corrupt);
    CHECK_FALSE(r.skip_corrupt());
}

TEST_CASE("a reader resumes from a saved offset") {
    tbtest::TempDir dir;
    const std::string path = dir / "events.out.tfevents.test";
    write_file(path, rec::frame("a") + rec::frame("b"));
    std::uint64_t saved;
    {
        EventFileReader r(path);
        std::string out;
        REQUIRE(r.next(out) == ReadStatus::ok);
        saved = r.offset();
    }
    EventFileReader r(path, saved);
    std::string out;
    REQUIRE(r.next(out) == ReadStatus::ok);
    CHECK(out == "b");
}

TEST_CASE("opening a missing file throws") {
    CHECK_THROWS_AS(EventFileReader("/nonexistent/dir/file"), std::runtime_error);
}
