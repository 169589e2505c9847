// TFRecord framing, the container of every event file:
//   uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
// all little-endian. Pure byte manipulation: no I/O here.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "tblog/detail/io/crc32c.hpp"

namespace tblog::detail::record {

inline constexpr std::size_t kHeaderSize = 12;  // length + its CRC
inline constexpr std::size_t kFooterSize = 4;   // data CRC
inline constexpr std::size_t kOverhead = kHeaderSize + kFooterSize;

inline void put_u32(char* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}
inline void put_u64(char* p, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}
inline std::uint32_t get_u32(const char* p) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}
inline std::uint64_t get_u64(const char* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

// Appends one framed record holding `data` to `out`.
inline void append(std::string& out, std::string_view data) {
    const std::size_t at = out.size();
    out.resize(at + kOverhead + data.size());
    char* p = out.data() + at;
    put_u64(p, data.size());
    put_u32(p + 8, crc32c::masked_value(p, 8));
    if (!data.empty()) std::memcpy(p + kHeaderSize, data.data(), data.size());
    put_u32(p + kHeaderSize + data.size(), crc32c::masked_value(data.data(), data.size()));
}

inline std::string frame(std::string_view data) {
    std::string out;
    append(out, data);
    return out;
}

}  // namespace tblog::detail::record
