// The add_scalar hot path: a whole Event{wall_time, step, summary{value{tag, simple_value}}}
// written with pointer arithmetic into a caller buffer, no per-field bounds checks. It
// produces exactly the bytes of the generic path (event::write_header + write_scalar_value),
// which tests check; it exists because add_scalar is called millions of times.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "tblog/detail/wire/wire.hpp"

namespace tblog::detail {

// Upper bound of the encoded size for a tag of `tag_size` bytes.
inline constexpr std::size_t scalar_event_max_size(std::size_t tag_size) { return tag_size + 48; }

// Writes the event to `out` (at least scalar_event_max_size(tag.size()) bytes); returns
// the number of bytes written.
inline std::size_t encode_scalar_event(char* out, double wall_time, std::int64_t step,
                                       std::string_view tag, float value) {
    using wire::put_varint;
    using wire::varint_size;
    char* p = out;
    if (wall_time != 0.0) {
        *p++ = 0x09;  // field 1, fixed64
        std::memcpy(p, &wall_time, 8);
        p += 8;
    }
    if (step != 0) {
        *p++ = 0x10;  // field 2, varint
        p = put_varint(p, static_cast<std::uint64_t>(step));
    }
    const std::size_t value_len = 1 + varint_size(tag.size()) + tag.size() + 5;
    const std::size_t summary_len = 1 + varint_size(value_len) + value_len;
    *p++ = 0x2a;  // field 5 (summary), length-delimited
    p = put_varint(p, summary_len);
    *p++ = 0x0a;  // Summary.value
    p = put_varint(p, value_len);
    *p++ = 0x0a;  // Value.tag
    p = put_varint(p, tag.size());
    std::memcpy(p, tag.data(), tag.size());
    p += tag.size();
    *p++ = 0x15;  // Value.simple_value, fixed32
    std::memcpy(p, &value, 4);
    p += 4;
    return static_cast<std::size_t>(p - out);
}

}  // namespace tblog::detail
