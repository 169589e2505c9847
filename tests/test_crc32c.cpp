// CRC-32C against the published check values (RFC 3720 B.4 and the standard "123456789"
// check), for both implementations, plus TensorFlow's masking.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tblog/detail/io/crc32c.hpp"

namespace crc = tblog::detail::crc32c;

namespace {
struct Vector {
    std::vector<unsigned char> data;
    std::uint32_t expected;
};

std::vector<Vector> published_vectors() {
    std::vector<Vector> v;
    v.push_back({{'1', '2', '3', '4', '5', '6', '7', '8', '9'}, 0xE3069283u});
    v.push_back({std::vector<unsigned char>(32, 0x00), 0x8A9136AAu});
    v.push_back({std::vector<unsigned char>(32, 0xFF), 0x62A8AB43u});
    std::vector<unsigned char> inc(32), dec(32);
    for (int i = 0; i < 32; ++i) {
        inc[i] = static_cast<unsigned char>(i);
        dec[i] = static_cast<unsigned char>(31 - i);
    }
    v.push_back({inc, 0x46DD794Eu});
    v.push_back({dec, 0x113FDB5Cu});
    // RFC 3720 B.4: an iSCSI SCSI Read (10) command PDU.
    v.push_back({{0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                  0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
                  0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
                  0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
                 0xD9963A56u});
    v.push_back({{}, 0x00000000u});
    return v;
}
}  // namespace

TEST_CASE("portable CRC-32C matches the published vectors") {
    for (auto& v : published_vectors())
        CHECK(crc::extend_portable(0, v.data.data(), v.data.size()) == v.expected);
}

TEST_CASE("hardware CRC-32C matches the published vectors when the CPU has it") {
    if (!crc::hardware_available()) {
        WARN("no hardware CRC-32C on this CPU; only the portable path is checked");
        return;
    }
    for (auto& v : published_vectors())
        CHECK(crc::extend_hardware(0, v.data.data(), v.data.size()) == v.expected);
}

TEST_CASE("selected implementation, incremental extension and both paths agree on random data") {
    std::mt19937 rng(42);
    for (std::size_t len : {0u, 1u, 7u, 8u, 9u, 15u, 16u, 63u, 64u, 1000u, 4099u}) {
        std::vector<unsigned char> buf(len + 3);
        for (auto& b : buf) b = static_cast<unsigned char>(rng());
        for (std::size_t off = 0; off < 3; ++off) {  // unaligned starts too
            const unsigned char* p = buf.data() + off;
            const auto whole = crc::value(p, len);
            CHECK(whole == crc::extend_portable(0, p, len));
            CHECK(whole == crc::extend_hardware(0, p, len));
            const std::size_t cut = len / 3;
            CHECK(crc::extend(crc::extend(0, p, cut), p + cut, len - cut) == whole);
        }
    }
}

TEST_CASE("masking is TensorFlow's and reversible") {
    // mask = ((crc >> 15) | (crc << 17)) + 0xa282ead8
    CHECK(crc::mask(0) == 0xa282ead8u);
    CHECK(crc::mask(0xE3069283u) == static_cast<std::uint32_t>(((0xE3069283u >> 15) | (0xE3069283u << 17)) + 0xa282ead8u));
    for (std::uint32_t x : {0u, 1u, 0xE3069283u, 0xFFFFFFFFu, 0x12345678u}) CHECK(crc::unmask(crc::mask(x)) == x);
}
