// Animated GIF89a encoder (no dependency), laid out the way PyTorch's add_video gets it from
// moviepy -> imageio's GIF writer:
//   header + logical screen with a 256-entry global color table (the first frame's palette),
//   NETSCAPE2.0 application extension with loop count 0xFFFF (imageio's "loop forever"),
//   per frame: graphic control extension (disposal 2, delay int(100 / fps) centiseconds),
//   image descriptor with a local 256-entry color table when the palette differs from the
//   global one, LZW data (minimum code size 8), trailer.
// Palettes: a frame with at most 256 distinct colors is stored exactly; otherwise median cut
// over a 5-5-5 bit color histogram picks 256 colors (imageio uses NeuQuant; both are lossy
// in different ways, so pixels of such frames differ from PyTorch's anyway).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace tblog::detail::gif {

using Palette = std::array<std::uint8_t, 256 * 3>;

// ---- quantisation --------------------------------------------------------------------

struct Indexed {
    Palette palette{};
    std::vector<std::uint8_t> index;  // one palette index per pixel
};

// Exact palette if the frame has <= 256 colors (in order of first appearance).
inline bool exact_palette(const std::uint8_t* rgb, std::size_t pixels, Indexed& out) {
    std::unordered_map<std::uint32_t, std::uint8_t> seen;
    seen.reserve(512);
    out.index.resize(pixels);
    std::uint32_t last_key = 0xFFFFFFFF;
    std::uint8_t last_idx = 0;
    for (std::size_t i = 0; i < pixels; ++i) {
        const std::uint8_t* p = rgb + 3 * i;
        const std::uint32_t key = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
        if (key != last_key) {
            auto it = seen.find(key);
            if (it == seen.end()) {
                if (seen.size() == 256) return false;
                const auto idx = static_cast<std::uint8_t>(seen.size());
                std::copy(p, p + 3, &out.palette[3 * idx]);
                it = seen.emplace(key, idx).first;
            }
            last_key = key, last_idx = it->second;
        }
        out.index[i] = last_idx;
    }
    return true;
}

// Median cut over 15-bit colors: split the box with the most pixels (that can be split) at
// the weighted median of its widest channel, until 256 boxes; each box's color is the mean
// of its pixels.
inline void median_cut(const std::uint8_t* rgb, std::size_t pixels, Indexed& out) {
    constexpr int kColors = 1 << 15;
    std::vector<std::uint32_t> count(kColors, 0);
    std::vector<std::uint64_t> sum(3 * kColors, 0);
    auto key15 = [](const std::uint8_t* p) { return (p[0] >> 3) << 10 | (p[1] >> 3) << 5 | (p[2] >> 3); };
    for (std::size_t i = 0; i < pixels; ++i) {
        const std::uint8_t* p = rgb + 3 * i;
        const int k = key15(p);
        ++count[static_cast<std::size_t>(k)];
        for (int c = 0; c < 3; ++c) sum[static_cast<std::size_t>(3 * k + c)] += p[c];
    }
    std::vector<int> colors;
    for (int k = 0; k < kColors; ++k)
        if (count[static_cast<std::size_t>(k)]) colors.push_back(k);
    auto channel = [](int k, int c) { return (k >> (10 - 5 * c)) & 31; };
    struct Box {
        std::size_t begin, end;  // range in `colors`
        std::uint64_t pixels;
    };
    std::vector<Box> boxes{{0, colors.size(), pixels}};
    while (boxes.size() < 256) {
        // split the box with the most pixels times the widest extent (so sparse but wide
        // boxes get split too), along that extent
        std::size_t pick = boxes.size();
        std::uint64_t best = 0;
        int widest = 0;
        for (std::size_t b = 0; b < boxes.size(); ++b) {
            if (boxes[b].end - boxes[b].begin < 2) continue;
            int axis = 0, span = -1;
            for (int c = 0; c < 3; ++c) {
                int lo = 31, hi = 0;
                for (std::size_t i = boxes[b].begin; i < boxes[b].end; ++i) {
                    lo = std::min(lo, channel(colors[i], c));
                    hi = std::max(hi, channel(colors[i], c));
                }
                if (hi - lo > span) span = hi - lo, axis = c;
            }
            const std::uint64_t score = boxes[b].pixels * static_cast<std::uint64_t>(span + 1);
            if (pick == boxes.size() || score > best) pick = b, best = score, widest = axis;
        }
        if (pick == boxes.size()) break;  // every box holds a single color
        Box box = boxes[pick];
        std::sort(colors.begin() + static_cast<long>(box.begin), colors.begin() + static_cast<long>(box.end),
                  [&](int a, int b) { return channel(a, widest) < channel(b, widest); });
        // [begin, cut) and [cut, end), both non-empty, the first holding about half the pixels
        std::size_t cut = box.begin + 1;
        std::uint64_t left = count[static_cast<std::size_t>(colors[box.begin])];
        while (cut + 1 < box.end && left * 2 < box.pixels) left += count[static_cast<std::size_t>(colors[cut++])];
        boxes[pick] = {box.begin, cut, left};
        boxes.push_back({cut, box.end, box.pixels - left});
    }
    std::vector<std::uint8_t> slot(kColors, 0);
    for (std::size_t b = 0; b < boxes.size(); ++b) {
        std::uint64_t s[3] = {0, 0, 0}, n = 0;
        for (std::size_t i = boxes[b].begin; i < boxes[b].end; ++i) {
            const auto k = static_cast<std::size_t>(colors[i]);
            slot[k] = static_cast<std::uint8_t>(b);
            n += count[k];
            for (int c = 0; c < 3; ++c) s[c] += sum[3 * k + static_cast<std::size_t>(c)];
        }
        for (int c = 0; c < 3; ++c) out.palette[3 * b + static_cast<std::size_t>(c)] = static_cast<std::uint8_t>((s[c] + n / 2) / n);
    }
    // each present 15-bit color goes to its nearest palette entry (not just its own box)
    for (int k : colors) {
        int r = ((k >> 10) & 31) << 3 | 4, g = ((k >> 5) & 31) << 3 | 4, b = (k & 31) << 3 | 4;
        int best_d = 1 << 30;
        for (std::size_t p = 0; p < boxes.size(); ++p) {
            const int dr = r - out.palette[3 * p], dg = g - out.palette[3 * p + 1], db = b - out.palette[3 * p + 2];
            const int d = dr * dr + dg * dg + db * db;
            if (d < best_d) best_d = d, slot[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(p);
        }
    }
    out.index.resize(pixels);
    for (std::size_t i = 0; i < pixels; ++i) out.index[i] = slot[static_cast<std::size_t>(key15(rgb + 3 * i))];
}

inline Indexed quantize(const std::uint8_t* rgb, std::size_t pixels) {
    Indexed out;
    if (!exact_palette(rgb, pixels, out)) median_cut(rgb, pixels, out);
    return out;
}

// ---- LZW (GIF flavour: LSB-first codes, 9..12 bits, clear when the table is full) ------

class BitSink {
public:
    explicit BitSink(std::string& out) : out_(out) {}
    void put(std::uint32_t code, int bits) {
        acc_ |= std::uint64_t{code} << nbits_;
        nbits_ += bits;
        while (nbits_ >= 8) {
            byte(static_cast<std::uint8_t>(acc_ & 0xFF));
            acc_ >>= 8;
            nbits_ -= 8;
        }
    }
    void finish() {
        if (nbits_ > 0) byte(static_cast<std::uint8_t>(acc_ & 0xFF));
        flush_block();
        out_.push_back('\0');  // block terminator
    }

private:
    void byte(std::uint8_t b) {
        block_[len_++] = b;
        if (len_ == 255) flush_block();
    }
    void flush_block() {
        if (len_ == 0) return;
        out_.push_back(static_cast<char>(len_));
        out_.append(reinterpret_cast<const char*>(block_), len_);
        len_ = 0;
    }
    std::string& out_;
    std::uint64_t acc_ = 0;
    int nbits_ = 0;
    std::uint8_t block_[255];
    std::size_t len_ = 0;
};

// Appends the LZW-coded image data (minimum code size byte, sub-blocks, terminator).
inline void lzw_encode(const std::vector<std::uint8_t>& index, std::string& out) {
    constexpr int kMinBits = 8;
    constexpr std::uint32_t kClear = 1u << kMinBits, kEnd = kClear + 1, kMaxCode = 4095;
    out.push_back(static_cast<char>(kMinBits));
    BitSink sink(out);
    // dictionary: (prefix code << 8 | byte) -> code, open addressing
    constexpr std::size_t kTable = 1 << 14;
    std::vector<std::uint32_t> keys(kTable), codes(kTable);
    auto reset = [&] { std::fill(keys.begin(), keys.end(), 0xFFFFFFFFu); };
    reset();
    std::uint32_t next = kEnd + 1;
    int bits = kMinBits + 1;
    sink.put(kClear, bits);
    if (index.empty()) {
        sink.put(kEnd, bits);
        sink.finish();
        return;
    }
    std::uint32_t cur = index[0];
    for (std::size_t i = 1; i < index.size(); ++i) {
        const std::uint32_t key = cur << 8 | index[i];
        std::size_t h = (key * 2654435761u) >> 18 & (kTable - 1);
        while (keys[h] != 0xFFFFFFFFu && keys[h] != key) h = (h + 1) & (kTable - 1);
        if (keys[h] == key) {
            cur = codes[h];
            continue;
        }
        sink.put(cur, bits);
        // the decoder widens its codes once the next code to assign no longer fits
        if (next >= (1u << bits) && bits < 12) ++bits;
        if (next >= kMaxCode) {
            sink.put(kClear, bits);
            reset();
            next = kEnd + 1;
            bits = kMinBits + 1;
        } else {
            keys[h] = key;
            codes[h] = next++;
        }
        cur = index[i];
    }
    sink.put(cur, bits);
    if (next >= (1u << bits) && bits < 12) ++bits;
    sink.put(kEnd, bits);
    sink.finish();
}

// ---- file ------------------------------------------------------------------------------

// frames: T frames of height x width RGB pixels, contiguous. delay_cs: frame duration in
// hundredths of a second.
inline std::string encode_animation(const std::uint8_t* frames, int count, int width, int height, int delay_cs) {
    auto u16 = [](std::string& s, unsigned v) {
        s.push_back(static_cast<char>(v & 0xFF));
        s.push_back(static_cast<char>(v >> 8 & 0xFF));
    };
    std::string out = "GIF89a";
    u16(out, static_cast<unsigned>(width));
    u16(out, static_cast<unsigned>(height));
    out.push_back('\x87');  // global color table, 8 bits per primary, 256 entries
    out.push_back('\0');    // background color index
    out.push_back('\0');    // pixel aspect ratio
    const std::size_t pixels = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
    Palette global{};
    for (int t = 0; t < count; ++t) {
        const Indexed q = quantize(frames + static_cast<std::size_t>(t) * pixels * 3, pixels);
        if (t == 0) {
            global = q.palette;
            out.append(reinterpret_cast<const char*>(global.data()), global.size());
            out += "\x21\xFF\x0BNETSCAPE2.0\x03\x01";
            u16(out, 0xFFFF);  // loop count (imageio writes 65535 for "forever")
            out.push_back('\0');
        }
        out += "\x21\xF9\x04";
        out.push_back(static_cast<char>(2 << 2));  // disposal: restore to background
        u16(out, static_cast<unsigned>(delay_cs));
        out.push_back('\0');  // no transparent color
        out.push_back('\0');
        out.push_back('\x2C');
        u16(out, 0);
        u16(out, 0);
        u16(out, static_cast<unsigned>(width));
        u16(out, static_cast<unsigned>(height));
        if (q.palette != global) {
            out.push_back('\x87');  // local color table, 256 entries
            out.append(reinterpret_cast<const char*>(q.palette.data()), q.palette.size());
        } else {
            out.push_back('\0');
        }
        lzw_encode(q.index, out);
    }
    out.push_back(';');
    return out;
}

}  // namespace tblog::detail::gif
