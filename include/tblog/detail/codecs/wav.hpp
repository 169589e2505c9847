// 16-bit PCM WAV files in memory, laid out as Python's `wave` module writes them (which
// PyTorch's summary.audio uses): the 44-byte RIFF/WAVE header, then little-endian samples.
// The caller writes the samples right after the header (summary/audio.hpp converts them
// straight into the Summary's buffer: no staging copy of a long clip).
#pragma once

#include <cstdint>
#include <cstring>

namespace tblog::detail {

inline constexpr std::size_t kWavHeaderBytes = 44;

// Writes the header of a WAV holding data_bytes of 16-bit samples to p[0..44).
inline void put_wav_header(char* p, std::uint32_t data_bytes, std::uint32_t sample_rate, std::uint16_t channels = 1) {
    auto u32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) *p++ = static_cast<char>(v >> (8 * i) & 0xFF);
    };
    auto u16 = [&](std::uint16_t v) {
        *p++ = static_cast<char>(v & 0xFF);
        *p++ = static_cast<char>(v >> 8);
    };
    auto tag = [&](const char* four) {
        std::memcpy(p, four, 4);
        p += 4;
    };
    tag("RIFF");
    u32(36 + data_bytes);
    tag("WAVE");
    tag("fmt ");
    u32(16);                            // fmt chunk size
    u16(1);                             // PCM
    u16(channels);
    u32(sample_rate);
    u32(sample_rate * channels * 2);    // byte rate
    u16(static_cast<std::uint16_t>(channels * 2));  // block align
    u16(16);                            // bits per sample
    tag("data");
    u32(data_bytes);
}

}  // namespace tblog::detail
