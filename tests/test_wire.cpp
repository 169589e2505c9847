// The hand-written protobuf encoder, checked byte for byte and by decoding its output with
// the real protobuf library.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "support/test_support.hpp"
#include "tblog/detail/wire/wire.hpp"
#include "tensor.pb.h"

using tblog::detail::wire::Nested;
using tblog::detail::wire::ProtoWriter;

static std::string hex(const std::string& s) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        out += d[c >> 4];
        out += d[c & 15];
    }
    return out;
}

TEST_CASE("varints, negative int64 and zigzag") {
    std::string b;
    ProtoWriter w(b);
    w.uint64(1, 0);
    w.uint64(1, 1);
    w.uint64(1, 127);
    w.uint64(1, 128);
    w.uint64(1, 300);
    CHECK(hex(b) == "08000801087f08800108ac02");
    b.clear();
    w.int64(2, -1);  // two's complement, 10 bytes
    CHECK(hex(b) == "10ffffffffffffffffff01");
    b.clear();
    w.sint64(3, -1);
    w.sint64(3, 1);
    w.sint64(3, -64);
    CHECK(hex(b) == "18011802187f");
    CHECK(tblog::detail::wire::zigzag64(std::numeric_limits<std::int64_t>::min()) ==
          std::numeric_limits<std::uint64_t>::max());
}

TEST_CASE("fixed32/fixed64 little-endian and proto3 default skipping") {
    std::string b;
    ProtoWriter w(b);
    w.float32(2, 1.0f);
    w.float64(1, 1.0);
    CHECK(hex(b) == "150000803f09000000000000f03f");
    b.clear();
    w.int64_nonzero(2, 0);
    w.float64_nonzero(1, 0.0);
    w.string_nonempty(3, "");
    CHECK(b.empty());
}

TEST_CASE("nested messages of every length class decode with protobuf") {
    for (std::size_t len : {0u, 1u, 126u, 127u, 128u, 300u, 16383u, 16384u, 70000u}) {
        std::string b;
        ProtoWriter w(b);
        {
            Nested v(w, 1);  // Summary.value
            w.string_nonempty(1, std::string(len, 'x'));  // tag (proto3 omits "")
            w.float32(2, 3.5f);
        }
        tensorboard::Summary s;
        REQUIRE(s.ParseFromString(b));
        REQUIRE(s.value_size() == 1);
        CHECK(s.value(0).tag().size() == len);
        CHECK(s.value(0).simple_value() == 3.5f);
        CHECK(s.SerializeAsString() == b);  // canonical: same bytes as protobuf writes
    }
}

TEST_CASE("packed repeated fields decode with protobuf") {
    std::string b;
    ProtoWriter w(b);
    const float f[] = {1.5f, -2.0f, std::numeric_limits<float>::infinity()};
    const double d[] = {0.25, 1e300};
    const std::int64_t i[] = {-5, 0, 1LL << 40};
    w.int64(1, 1);  // dtype
    w.packed_fixed(5, f, 3);
    w.packed_fixed(6, d, 2);
    w.packed_varint(10, i, 3, [](std::int64_t v) { return static_cast<std::uint64_t>(v); });
    tensorboard::TensorProto t;
    REQUIRE(t.ParseFromString(b));
    REQUIRE(t.float_val_size() == 3);
    CHECK(t.float_val(1) == -2.0f);
    CHECK(std::isinf(t.float_val(2)));
    REQUIRE(t.double_val_size() == 2);
    CHECK(t.double_val(1) == 1e300);
    REQUIRE(t.int64_val_size() == 3);
    CHECK(t.int64_val(0) == -5);
    CHECK(t.int64_val(2) == (1LL << 40));
    CHECK(t.SerializeAsString() == b);
}
