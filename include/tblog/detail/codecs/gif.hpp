// Animated GIF89a encoder (no dependency), laid out the way PyTorch's add_video gets it from
// moviepy -> imageio's GIF writer:
//   header + logical screen with a 256-entry global color table (the first frame's palette),
//   NETSCAPE2.0 application extension with loop count 0xFFFF (imageio's "loop forever"),
//   per frame: graphic control extension (disposal 2, delay int(100 / fps) centiseconds),
//   image descriptor with a local 256-entry color table when the palette differs from the
//   global one, LZW data (minimum code size 8), trailer.
// Palettes: a frame with at most 256 distinct colors is stored exactly; otherwise median cut
// over a 5-5-5 bit color histogram picks 256 colors (imageio uses NeuQuant; both are lossy
// in different ways, so pixels of such frames differ from PyTorch's anyway). Median cut
// orders a box's colors by a stable sort, so its output does not depend on the standard
// library's std::sort.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tblog::detail::gif {

using Palette = std::array<std::uint8_t, 256 * 3>;

// ---- quantisation --------------------------------------------------------------------

struct Indexed {
    Palette palette{};
    std::vector<std::uint8_t> index;  // one palette index per pixel
};

// Exact palette if the frame has <= 256 colors (in order of first appearance). The seen
// colors sit in a small open-addressing table (a frame has at most 257 before we give up).
inline bool exact_palette(const std::uint8_t* rgb, std::size_t pixels, Indexed& out) {
    constexpr std::size_t kSlots = 1024;  // power of two, > 2 * 257
    std::uint32_t keys[kSlots];           // color + 1; 0 = empty
    std::uint8_t idx[kSlots];
    std::memset(keys, 0, sizeof keys);
    std::size_t colors = 0;
    out.index.resize(pixels);
    std::uint32_t last_key = 0xFFFFFFFF;
    std::uint8_t last_idx = 0;
    for (std::size_t i = 0; i < pixels; ++i) {
        const std::uint8_t* p = rgb + 3 * i;
        const std::uint32_t key = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
        if (key != last_key) {
            std::size_t h = (key * 2654435761u) >> 22 & (kSlots - 1);
            while (keys[h] != 0 && keys[h] != key + 1) h = (h + 1) & (kSlots - 1);
            if (keys[h] == 0) {
                if (colors == 256) return false;
                const auto n = static_cast<std::uint8_t>(colors++);
                std::copy(p, p + 3, &out.palette[3 * n]);
                keys[h] = key + 1, idx[h] = n;
            }
            last_key = key, last_idx = idx[h];
        }
        out.index[i] = last_idx;
    }
    return true;
}

// Median cut over 15-bit colors: split the box with the most pixels (that can be split) at
// the weighted median of its widest channel, until 256 boxes; each box's color is the mean
// of its pixels; each color then goes to its nearest palette entry.
//
// Cost (a smooth 64x64 frame has ~1800 distinct 15-bit colors): the per-frame tables are kept
// across frames and only their used entries reset; each box's score is computed once, when
// the box is made, and the boxes wait in a heap; a box's colors are ordered by a stable
// counting sort; the nearest-entry search (nearest_entries) prunes by r + g + b. Each choice,
// ties included, is the one a scan over all boxes and entries with a stable sort makes.
class MedianCut {
public:
    MedianCut() : count_(kColors, 0), slot_(kColors, 0) {}

    void run(const std::uint8_t* rgb, std::size_t pixels, Indexed& out) {
        keys_.resize(pixels);
        for (std::size_t i = 0; i < pixels; ++i) {
            const std::uint8_t* p = rgb + 3 * i;
            const std::uint32_t k = (p[0] >> 3) << 10 | (p[1] >> 3) << 5 | (p[2] >> 3);
            keys_[i] = static_cast<std::uint16_t>(k);
            present_[k >> 6] |= std::uint64_t{1} << (k & 63);
            ++count_[k];
        }
        colors_.clear();  // ascending
        for (std::size_t w = 0; w < kColors / 64; ++w)
            for (std::uint64_t m = present_[w]; m; m &= m - 1)
                colors_.push_back(static_cast<int>(w * 64 + static_cast<std::size_t>(__builtin_ctzll(m))));
        std::fill(std::begin(present_), std::end(present_), 0);

        boxes_.clear();
        boxes_.push_back(make_box(0, colors_.size(), pixels));
        // splittable boxes by score, the first (lowest index) of equals on top
        auto later = [&](std::size_t a, std::size_t b) {
            return boxes_[a].score < boxes_[b].score || (boxes_[a].score == boxes_[b].score && a > b);
        };
        std::vector<std::size_t>& heap = heap_;
        heap.clear();
        auto offer = [&](std::size_t b) {
            if (boxes_[b].end - boxes_[b].begin < 2) return;
            heap.push_back(b);
            std::push_heap(heap.begin(), heap.end(), later);
        };
        offer(0);
        while (boxes_.size() < 256 && !heap.empty()) {  // empty: every box holds a single color
            std::pop_heap(heap.begin(), heap.end(), later);
            const std::size_t pick = heap.back();
            heap.pop_back();
            const Box box = boxes_[pick];
            sort_by_channel(box.begin, box.end, box.axis);
            // [begin, cut) and [cut, end), both non-empty, the first holding about half the pixels
            std::size_t cut = box.begin + 1;
            std::uint64_t left = count_[static_cast<std::size_t>(colors_[box.begin])];
            while (cut + 1 < box.end && left * 2 < box.pixels) left += count_[static_cast<std::size_t>(colors_[cut++])];
            boxes_[pick] = make_box(box.begin, cut, left);
            boxes_.push_back(make_box(cut, box.end, box.pixels - left));
            offer(pick);
            offer(boxes_.size() - 1);
        }
        const std::size_t nb = boxes_.size();
        for (std::size_t b = 0; b < nb; ++b)
            for (std::size_t i = boxes_[b].begin; i < boxes_[b].end; ++i)
                slot_[static_cast<std::size_t>(colors_[i])] = static_cast<std::uint8_t>(b);
        // box means: sums over the pixels equal the sums over the box's colors' pixels
        std::uint64_t sum[256][3] = {};
        for (std::size_t i = 0; i < pixels; ++i) {
            std::uint64_t* s = sum[slot_[keys_[i]]];
            const std::uint8_t* p = rgb + 3 * i;
            s[0] += p[0], s[1] += p[1], s[2] += p[2];
        }
        for (std::size_t b = 0; b < nb; ++b) {
            const std::uint64_t n = boxes_[b].pixels;
            for (int c = 0; c < 3; ++c)
                out.palette[3 * b + static_cast<std::size_t>(c)] = static_cast<std::uint8_t>((sum[b][c] + n / 2) / n);
        }
        nearest_entries(out.palette, nb);
        out.index.resize(pixels);
        for (std::size_t i = 0; i < pixels; ++i) out.index[i] = slot_[keys_[i]];
        for (int k : colors_) count_[static_cast<std::size_t>(k)] = 0;
    }

private:
    static constexpr std::size_t kColors = 1 << 15;
    struct Box {
        std::size_t begin, end;  // range in colors_
        std::uint64_t pixels;
        std::uint64_t score;  // pixels * (widest extent + 1)
        int axis;             // the widest channel, the first of equals
    };

    static int channel(int k, int c) { return (k >> (10 - 5 * c)) & 31; }

    // Stable sort of colors_[begin, end) by channel c (32 values): insertion sort for a few
    // colors, else counting sort.
    void sort_by_channel(std::size_t begin, std::size_t end, int c) {
        if (end - begin <= 24) {
            for (std::size_t i = begin + 1; i < end; ++i) {
                const int k = colors_[i], v = channel(k, c);
                std::size_t j = i;
                for (; j > begin && channel(colors_[j - 1], c) > v; --j) colors_[j] = colors_[j - 1];
                colors_[j] = k;
            }
            return;
        }
        std::size_t at[33] = {};
        for (std::size_t i = begin; i < end; ++i) ++at[channel(colors_[i], c) + 1];
        for (int v = 0; v < 32; ++v) at[v + 1] += at[v];
        tmp_.resize(end - begin);
        for (std::size_t i = begin; i < end; ++i) tmp_[at[channel(colors_[i], c)]++] = colors_[i];
        std::copy(tmp_.begin(), tmp_.end(), colors_.begin() + static_cast<long>(begin));
    }

    Box make_box(std::size_t begin, std::size_t end, std::uint64_t pixels) const {
        int lo[3] = {31, 31, 31}, hi[3] = {0, 0, 0};
        for (std::size_t i = begin; i < end; ++i)
            for (int c = 0; c < 3; ++c) {
                const int v = channel(colors_[i], c);
                lo[c] = std::min(lo[c], v);
                hi[c] = std::max(hi[c], v);
            }
        int axis = 0, span = -1;
        for (int c = 0; c < 3; ++c)
            if (hi[c] - lo[c] > span) span = hi[c] - lo[c], axis = c;
        return {begin, end, pixels, pixels * static_cast<std::uint64_t>(span + 1), axis};
    }

    // slot_[k] = the palette entry nearest to color k's cell center (squared RGB distance,
    // the lowest index of equals), for every present k; on entry slot_[k] is k's box.
    // The entries are sorted by r + g + b: an entry whose sum differs from the color's by D
    // is at least D^2 / 3 away (Cauchy-Schwarz), so the scan outwards from the color's sum
    // stops there. Candidates compare as (distance << 8 | index), so one min keeps the
    // nearest and, of equals, the lowest index; with SSE2, four candidates at a time.
    void nearest_entries(const Palette& pal, std::size_t nb) {
        int order[256];
        for (std::size_t p = 0; p < nb; ++p) order[p] = static_cast<int>(p);
        auto sum_of = [&](std::size_t p) { return pal[3 * p] + pal[3 * p + 1] + pal[3 * p + 2]; };
        std::sort(order, order + nb, [&](int a, int b) {
            return sum_of(static_cast<std::size_t>(a)) < sum_of(static_cast<std::size_t>(b));
        });
        // sorted entries at [kPad, kPad + nb); kPad far-away entries on each side let a scan
        // read whole groups of four past either end
        constexpr int kPad = 4, kFar = 1500;  // 3 * (1500 + 255)^2 << 8 still fits an int32
        alignas(16) std::int16_t rg[2 * (256 + 2 * kPad)], b0[2 * (256 + 2 * kPad)];
        alignas(16) std::int32_t idx[256 + 2 * kPad];
        int sum[256];
        for (int j = 0; j < 256 + 2 * kPad; ++j) {
            rg[2 * j] = rg[2 * j + 1] = b0[2 * j] = kFar, b0[2 * j + 1] = 0, idx[j] = 0;
        }
        for (std::size_t j = 0; j < nb; ++j) {
            const std::size_t p = static_cast<std::size_t>(order[j]), at = j + kPad;
            rg[2 * at] = pal[3 * p], rg[2 * at + 1] = pal[3 * p + 1], b0[2 * at] = pal[3 * p + 2];
            idx[at] = order[j];
            sum[j] = sum_of(p);
        }
        const int n = static_cast<int>(nb);
        int first_at_least[766];  // the first sorted entry with sum >= q, for every q
        for (int q = 0, j = 0; q < 766; ++q) {
            while (j < n && sum[j] < q) ++j;
            first_at_least[q] = j;
        }
        for (int k : colors_) {
            const int r = ((k >> 10) & 31) << 3 | 4, g = ((k >> 5) & 31) << 3 | 4, b = (k & 31) << 3 | 4;
            std::uint8_t& s = slot_[static_cast<std::size_t>(k)];
            const std::size_t own = 3 * static_cast<std::size_t>(s);
            std::uint32_t best = static_cast<std::uint32_t>(sq(r - pal[own]) + sq(g - pal[own + 1]) + sq(b - pal[own + 2])) << 8 | s;
            const int q = r + g + b;
            const int start = first_at_least[q];
            auto far = [&](int j) { return static_cast<std::uint32_t>(sq(sum[j] - q)) > 3 * (best >> 8); };
#if defined(__SSE2__)
            const __m128i qrg = _mm_set1_epi32(g << 16 | r), qb = _mm_set1_epi32(b);
            __m128i vbest = _mm_set1_epi32(static_cast<int>(best));
            auto group = [&](int j) {  // sorted entries j .. j + 3
                const __m128i drg = _mm_sub_epi16(qrg, _mm_loadu_si128(reinterpret_cast<const __m128i*>(rg + 2 * (j + kPad))));
                const __m128i db = _mm_sub_epi16(qb, _mm_loadu_si128(reinterpret_cast<const __m128i*>(b0 + 2 * (j + kPad))));
                const __m128i d = _mm_add_epi32(_mm_madd_epi16(drg, drg), _mm_madd_epi16(db, db));
                const __m128i key = _mm_or_si128(_mm_slli_epi32(d, 8),
                                                 _mm_loadu_si128(reinterpret_cast<const __m128i*>(idx + j + kPad)));
                vbest = min_epi32(vbest, key);
                __m128i m = min_epi32(vbest, _mm_shuffle_epi32(vbest, 0x4E));
                m = min_epi32(m, _mm_shuffle_epi32(m, 0xB1));
                best = static_cast<std::uint32_t>(_mm_cvtsi128_si32(m));
            };
            for (int j = start; j < n && !far(j); j += 4) group(j);
            for (int j = start - 1; j >= 0 && !far(j); j -= 4) group(j - 3);
#else
            auto one = [&](int j) {
                const int at = j + kPad;
                const auto d = static_cast<std::uint32_t>(sq(r - rg[2 * at]) + sq(g - rg[2 * at + 1]) + sq(b - b0[2 * at]));
                const std::uint32_t key = d << 8 | static_cast<std::uint32_t>(idx[at]);
                best = key < best ? key : best;
            };
            for (int j = start; j < n && !far(j); ++j) one(j);
            for (int j = start - 1; j >= 0 && !far(j); --j) one(j);
#endif
            s = static_cast<std::uint8_t>(best & 0xFF);
        }
    }
#if defined(__SSE2__)
    static __m128i min_epi32(__m128i a, __m128i b) {  // SSE4.1's pminsd in SSE2
        const __m128i a_greater = _mm_cmpgt_epi32(a, b);
        return _mm_or_si128(_mm_and_si128(a_greater, b), _mm_andnot_si128(a_greater, a));
    }
#endif
    static int sq(int v) { return v * v; }

    std::vector<std::uint32_t> count_;  // pixels per 15-bit color; zero between frames
    std::uint64_t present_[kColors / 64] = {};
    std::vector<std::uint8_t> slot_;
    std::vector<std::uint16_t> keys_;   // each pixel's 15-bit color
    std::vector<int> colors_, tmp_;
    std::vector<Box> boxes_;
    std::vector<std::size_t> heap_;
};

// One frame's palette and indices; `cut` holds median cut's tables across frames.
inline Indexed quantize(const std::uint8_t* rgb, std::size_t pixels, MedianCut& cut) {
    Indexed out;
    if (!exact_palette(rgb, pixels, out)) cut.run(rgb, pixels, out);
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
    // dictionary: (prefix code << 8 | byte) -> code, open addressing; an entry packs the
    // 20-bit key and the 12-bit code into one word (at most 4096 - 258 entries: load < 0.5,
    // and a clear resets 32 KB)
    constexpr std::size_t kTable = 1 << 13;
    constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
    std::vector<std::uint32_t> table(kTable);
    auto reset = [&] { std::fill(table.begin(), table.end(), kEmpty); };
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
        std::size_t h = (key * 2654435761u) >> 19 & (kTable - 1);
        while (table[h] != kEmpty && table[h] >> 12 != key) h = (h + 1) & (kTable - 1);
        if (table[h] != kEmpty) {
            cur = table[h] & 0xFFF;
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
            table[h] = key << 12 | next++;
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
    MedianCut cut;
    for (int t = 0; t < count; ++t) {
        const Indexed q = quantize(frames + static_cast<std::size_t>(t) * pixels * 3, pixels, cut);
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
