// 16-bit PCM WAV files in memory, laid out as Python's `wave` module writes them (which
// PyTorch's summary.audio uses): the 44-byte RIFF/WAVE header, then little-endian samples.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace tblog::detail {

inline std::string encode_wav(const std::vector<std::int16_t>& samples, std::uint32_t sample_rate,
                              std::uint16_t channels = 1) {
    const std::uint32_t data_bytes = static_cast<std::uint32_t>(samples.size() * 2);
    std::string out;
    out.reserve(44 + data_bytes);
    auto u32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i) & 0xFF));
    };
    auto u16 = [&](std::uint16_t v) {
        out.push_back(static_cast<char>(v & 0xFF));
        out.push_back(static_cast<char>(v >> 8));
    };
    out += "RIFF";
    u32(36 + data_bytes);
    out += "WAVEfmt ";
    u32(16);                            // fmt chunk size
    u16(1);                             // PCM
    u16(channels);
    u32(sample_rate);
    u32(sample_rate * channels * 2);    // byte rate
    u16(static_cast<std::uint16_t>(channels * 2));  // block align
    u16(16);                            // bits per sample
    out += "data";
    u32(data_bytes);
    for (std::int16_t s : samples) u16(static_cast<std::uint16_t>(s));  // two's complement, LE
    return out;
}

}  // namespace tblog::detail
