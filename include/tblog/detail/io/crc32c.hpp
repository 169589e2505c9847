// CRC-32C (Castagnoli), as TFRecord framing requires, plus TensorFlow's "mask".
//
// Two implementations, chosen once at run time:
//   * hardware: the SSE4.2 `crc32` instruction on x86-64, the ARMv8 CRC32C instructions
//     on AArch64 (only when the CPU reports them);
//   * portable: slicing-by-8 tables, built at compile time.
// Both are always compiled so tests can check each against the published vectors.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#define TBLOG_CRC32C_X86 1
#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#include <nmmintrin.h>
#else
#include <cpuid.h>
#include <nmmintrin.h>
#endif
#elif defined(__aarch64__) && defined(__linux__)
#define TBLOG_CRC32C_ARM 1
#include <sys/auxv.h>
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif
#endif

namespace tblog::detail::crc32c {

inline constexpr std::uint32_t kPolyReflected = 0x82F63B78u;

// tables[k][b] = CRC contribution of byte b followed by k zero bytes.
struct Tables {
    std::uint32_t t[8][256];
};

constexpr Tables make_tables() {
    Tables tab{};
    for (std::uint32_t b = 0; b < 256; ++b) {
        std::uint32_t c = b;
        for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1u) ? kPolyReflected : 0u);
        tab.t[0][b] = c;
    }
    for (int k = 1; k < 8; ++k)
        for (std::uint32_t b = 0; b < 256; ++b)
            tab.t[k][b] = (tab.t[k - 1][b] >> 8) ^ tab.t[0][tab.t[k - 1][b] & 0xFFu];
    return tab;
}

inline constexpr Tables kTables = make_tables();

// `crc` is the running, non-inverted state (start with 0 via extend()).
inline std::uint32_t extend_portable(std::uint32_t crc, const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    std::uint32_t c = ~crc;
    while (n >= 8) {
        std::uint32_t lo, hi;
        std::memcpy(&lo, p, 4);
        std::memcpy(&hi, p + 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        lo = __builtin_bswap32(lo);
        hi = __builtin_bswap32(hi);
#endif
        lo ^= c;
        c = kTables.t[7][lo & 0xFF] ^ kTables.t[6][(lo >> 8) & 0xFF] ^
            kTables.t[5][(lo >> 16) & 0xFF] ^ kTables.t[4][lo >> 24] ^
            kTables.t[3][hi & 0xFF] ^ kTables.t[2][(hi >> 8) & 0xFF] ^
            kTables.t[1][(hi >> 16) & 0xFF] ^ kTables.t[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) c = (c >> 8) ^ kTables.t[0][(c ^ *p++) & 0xFF];
    return ~c;
}

#if defined(TBLOG_CRC32C_X86)
#if !defined(_MSC_VER) || defined(__clang__)
__attribute__((target("sse4.2")))
#endif
inline std::uint32_t extend_hardware(std::uint32_t crc, const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    std::uint64_t c = ~crc;
    while (n >= 8) {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
        p += 8;
        n -= 8;
    }
    auto c32 = static_cast<std::uint32_t>(c);
    while (n--) c32 = _mm_crc32_u8(c32, *p++);
    return ~c32;
}

inline bool hardware_available() {
#if defined(_MSC_VER) && !defined(__clang__)
    int info[4];
    __cpuid(info, 1);
    return (info[2] & (1 << 20)) != 0;
#else
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    return (c & bit_SSE4_2) != 0;
#endif
}
#elif defined(TBLOG_CRC32C_ARM)
__attribute__((target("+crc"))) inline std::uint32_t extend_hardware(std::uint32_t crc,
                                                                     const void* data,
                                                                     std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    std::uint32_t c = ~crc;
    while (n >= 8) {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        c = __builtin_aarch64_crc32cx(c, v);
        p += 8;
        n -= 8;
    }
    while (n--) c = __builtin_aarch64_crc32cb(c, *p++);
    return ~c;
}

inline bool hardware_available() { return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0; }
#else
inline std::uint32_t extend_hardware(std::uint32_t crc, const void* data, std::size_t n) {
    return extend_portable(crc, data, n);
}
inline bool hardware_available() { return false; }
#endif

using ExtendFn = std::uint32_t (*)(std::uint32_t, const void*, std::size_t);

// Resolved once (thread-safe static init); later calls are one indirect call.
inline ExtendFn selected() {
    static const ExtendFn fn = hardware_available() ? &extend_hardware : &extend_portable;
    return fn;
}

inline std::uint32_t extend(std::uint32_t crc, const void* data, std::size_t n) {
    return selected()(crc, data, n);
}

inline std::uint32_t value(const void* data, std::size_t n) { return extend(0, data, n); }

// TensorFlow masks stored CRCs so that a CRC of data containing CRCs stays well mixed.
inline constexpr std::uint32_t kMaskDelta = 0xa282ead8u;

inline constexpr std::uint32_t mask(std::uint32_t crc) {
    return ((crc >> 15) | (crc << 17)) + kMaskDelta;
}

inline constexpr std::uint32_t unmask(std::uint32_t masked) {
    const std::uint32_t rot = masked - kMaskDelta;
    return (rot >> 17) | (rot << 15);
}

inline std::uint32_t masked_value(const void* data, std::size_t n) { return mask(value(data, n)); }

}  // namespace tblog::detail::crc32c
