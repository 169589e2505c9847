// PNG encoding of 8-bit interleaved pixels (gray, gray+alpha, RGB or RGBA rows, tightly
// packed, top row first) into memory. Used by images, embedding sprites and tests.
//
// An image summary is encoded on the training thread, so speed matters more than the last
// percent of size. The encoder is of the fpnge kind: every row gets PNG's "Up" filter, and
// the filtered bytes are compressed as one dynamic-Huffman deflate block of literals
// (no LZ77 match search; zlib's Z_HUFFMAN_ONLY makes the same kind of stream). That is
// where nearly all of a camera image's redundancy is after filtering, so the output is
// within a few percent of zlib level 1 + Z_RLE (what libpng did here before), at a third of
// the time or less: one pass to filter and count byte frequencies, one table-driven pass
// to emit the codes. The stream is plain RFC 1950/1951 (zlib header, adler32 trailer; the
// distance alphabet holds two 1-bit codes as zlib writes it), so every PNG decoder reads it;
// tests decode it with libpng and zlib's inflate.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <queue>
#include <stdexcept>
#include <string>
#include <vector>

namespace tblog::detail {

namespace png_impl {

// Huffman code lengths for freq[0..n) (0 for unused symbols), at most max_len bits. While
// the optimal code is too deep the frequencies are halved (keeping used symbols at >= 1),
// which flattens the tree; it converges because equal frequencies give a balanced tree.
inline void huffman_lengths(std::vector<std::uint64_t> freq, int max_len, std::vector<std::uint8_t>& len) {
    const std::size_t n = freq.size();
    len.assign(n, 0);
    for (;;) {
        struct Node {
            std::uint64_t f;
            int left, right;  // children, -1 for a leaf
        };
        std::vector<Node> nodes;
        std::vector<int> leaf_of(n, -1);
        using Item = std::pair<std::uint64_t, int>;
        std::priority_queue<Item, std::vector<Item>, std::greater<Item>> q;
        for (std::size_t s = 0; s < n; ++s)
            if (freq[s]) {
                leaf_of[s] = static_cast<int>(nodes.size());
                q.push({freq[s], static_cast<int>(nodes.size())});
                nodes.push_back({freq[s], -1, -1});
            }
        if (nodes.size() == 1) {  // one symbol still needs a 1-bit code
            for (std::size_t s = 0; s < n; ++s)
                if (freq[s]) len[s] = 1;
            return;
        }
        while (q.size() > 1) {
            const auto a = q.top();
            q.pop();
            const auto b = q.top();
            q.pop();
            q.push({a.first + b.first, static_cast<int>(nodes.size())});
            nodes.push_back({a.first + b.first, a.second, b.second});
        }
        // depths, from the root down (children always precede their parent in `nodes`)
        std::vector<int> depth(nodes.size(), 0);
        int deepest = 0;
        for (std::size_t i = nodes.size(); i-- > 0;)
            if (nodes[i].left >= 0) {
                depth[static_cast<std::size_t>(nodes[i].left)] = depth[static_cast<std::size_t>(nodes[i].right)] =
                    depth[i] + 1;
                deepest = std::max(deepest, depth[i] + 1);
            }
        if (deepest <= max_len) {
            for (std::size_t s = 0; s < n; ++s)
                if (leaf_of[s] >= 0) len[s] = static_cast<std::uint8_t>(depth[static_cast<std::size_t>(leaf_of[s])]);
            return;
        }
        for (auto& f : freq)
            if (f) f = (f >> 1) | 1;
    }
}

// Canonical codes (RFC 1951 3.2.2) for `len`, bit-reversed because deflate sends codes
// most significant bit first into an LSB-first stream.
inline std::vector<std::uint32_t> canonical_codes(const std::vector<std::uint8_t>& len) {
    std::uint32_t count[16] = {0}, next[16] = {0};
    for (auto l : len) ++count[l];
    count[0] = 0;
    std::uint32_t code = 0;
    for (int b = 1; b < 16; ++b) code = (code + count[b - 1]) << 1, next[b] = code;
    std::vector<std::uint32_t> out(len.size(), 0);
    for (std::size_t s = 0; s < len.size(); ++s) {
        const int l = len[s];
        if (!l) continue;
        std::uint32_t c = next[l]++, r = 0;
        for (int i = 0; i < l; ++i) r = (r << 1) | ((c >> i) & 1);
        out[s] = r;
    }
    return out;
}

// LSB-first bit output into a buffer sized in advance (no bounds checks in the hot loop).
struct BitWriter {
    std::uint8_t* out;
    std::uint64_t buf = 0;
    int bits = 0;
    // `n` <= 32 more bits; call flush() before more than 56 are pending.
    void put(std::uint64_t v, int n) {
        buf |= v << bits;
        bits += n;
    }
    void flush() {
        std::memcpy(out, &buf, 8);
        out += bits >> 3;
        buf = (bits & ~7) == 64 ? 0 : buf >> (bits & ~7);
        bits &= 7;
    }
    void finish() {  // pad to a byte
        flush();
        if (bits) *out++ = static_cast<std::uint8_t>(buf), buf = 0, bits = 0;
    }
};

// The zlib stream of `data` (n bytes): one final dynamic-Huffman block of literals.
// `freq` holds the byte frequencies of `data`.
inline std::string deflate_literals(const std::uint8_t* data, std::size_t n, const std::uint64_t* freq) {
    std::vector<std::uint64_t> lit_freq(freq, freq + 256);
    lit_freq.push_back(1);  // end of block
    std::vector<std::uint8_t> lit_len, dist_len = {1, 1}, cl_len;
    huffman_lengths(lit_freq, 15, lit_len);
    const auto lit_code = canonical_codes(lit_len);

    // The 257 + 2 code lengths, sent as code-length symbols 0-15 (no run-length codes:
    // the header is a few hundred bytes either way).
    std::vector<std::uint8_t> lengths(lit_len);
    lengths.insert(lengths.end(), dist_len.begin(), dist_len.end());
    std::vector<std::uint64_t> cl_freq(19, 0);
    for (auto l : lengths) ++cl_freq[l];
    huffman_lengths(cl_freq, 7, cl_len);
    const auto cl_code = canonical_codes(cl_len);
    static constexpr std::uint8_t kOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    int hclen = 19;
    while (hclen > 4 && cl_len[kOrder[hclen - 1]] == 0) --hclen;

    std::string out(2 + 512 + n * 15 / 8 + 16 + 4, '\0');
    auto* base = reinterpret_cast<std::uint8_t*>(&out[0]);
    base[0] = 0x78, base[1] = 0x01;  // deflate, 32 KiB window, "fastest" (FCHECK: 0x7801 % 31 == 0)
    BitWriter w{base + 2};
    w.put(1, 1);  // BFINAL
    w.put(2, 2);  // BTYPE = dynamic Huffman
    w.put(257 - 257, 5);
    w.put(2 - 1, 5);
    w.put(static_cast<std::uint64_t>(hclen - 4), 4);
    w.flush();
    for (int i = 0; i < hclen; ++i) {
        w.put(cl_len[kOrder[i]], 3);
        w.flush();
    }
    for (auto l : lengths) {
        w.put(cl_code[l], cl_len[l]);
        w.flush();
    }
    // The literals: code and length packed in one table entry, three codes (<= 45 bits)
    // between flushes.
    std::uint32_t table[256];
    for (int s = 0; s < 256; ++s) table[s] = lit_code[static_cast<std::size_t>(s)] | (std::uint32_t{lit_len[static_cast<std::size_t>(s)]} << 16);
    std::size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        const std::uint32_t a = table[data[i]], b = table[data[i + 1]], c = table[data[i + 2]];
        w.put(a & 0xffff, static_cast<int>(a >> 16));
        w.put(b & 0xffff, static_cast<int>(b >> 16));
        w.put(c & 0xffff, static_cast<int>(c >> 16));
        w.flush();
    }
    for (; i < n; ++i) {
        const std::uint32_t a = table[data[i]];
        w.put(a & 0xffff, static_cast<int>(a >> 16));
        w.flush();
    }
    w.put(lit_code[256], lit_len[256]);
    w.finish();
    std::size_t size = static_cast<std::size_t>(w.out - base);
    const std::uint32_t adler = static_cast<std::uint32_t>(adler32(adler32(0, nullptr, 0), data, static_cast<uInt>(n)));
    for (int k = 3; k >= 0; --k) base[size++] = static_cast<std::uint8_t>(adler >> (8 * k));
    out.resize(size);
    return out;
}

inline void put_u32be(std::string& s, std::uint32_t v) {
    const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
    s.append(b, 4);
}

inline void chunk(std::string& png, const char* type, const char* data, std::size_t n) {
    put_u32be(png, static_cast<std::uint32_t>(n));
    const std::size_t at = png.size();
    png.append(type, 4);
    png.append(data, n);
    put_u32be(png, static_cast<std::uint32_t>(
                       crc32(0, reinterpret_cast<const Bytef*>(png.data() + at), static_cast<uInt>(n + 4))));
}

}  // namespace png_impl

// Returns the PNG file bytes.
inline std::string encode_png(const std::uint8_t* pixels, std::uint32_t width, std::uint32_t height,
                              int channels) {
    static constexpr std::uint8_t kColorType[] = {0, 0, 4, 2, 6};  // gray, gray+alpha, RGB, RGBA
    if (channels < 1 || channels > 4) throw std::invalid_argument("tblog: PNG images have 1 to 4 channels");
    if (width == 0 || height == 0) throw std::invalid_argument("tblog: PNG images cannot be empty");
    const std::size_t stride = std::size_t{width} * static_cast<std::size_t>(channels);
    if (stride > (std::size_t{1} << 31) / height) throw std::invalid_argument("tblog: PNG image too large");

    // Filter every row with "Up" (the first row's prior row is zeros) and count the bytes:
    // four interleaved sub-histograms keep repeated values from serializing on one counter.
    std::vector<std::uint8_t> filtered((stride + 1) * height);
    std::uint64_t freq[256] = {0};
    {
        std::vector<std::uint32_t> sub(4 * 256, 0);
        std::uint32_t* f[4] = {sub.data(), sub.data() + 256, sub.data() + 512, sub.data() + 768};
        for (std::uint32_t y = 0; y < height; ++y) {
            std::uint8_t* o = filtered.data() + y * (stride + 1);
            const std::uint8_t* r = pixels + y * stride;
            o[0] = 2;
            ++f[0][2];
            if (y == 0) {
                std::memcpy(o + 1, r, stride);
            } else {
                const std::uint8_t* up = r - stride;
                for (std::size_t i = 0; i < stride; ++i) o[1 + i] = static_cast<std::uint8_t>(r[i] - up[i]);
            }
            std::size_t i = 1;
            for (; i + 4 <= stride + 1; i += 4) ++f[0][o[i]], ++f[1][o[i + 1]], ++f[2][o[i + 2]], ++f[3][o[i + 3]];
            for (; i < stride + 1; ++i) ++f[0][o[i]];
            if (y % 4096 == 4095 || y + 1 == height) {  // before a 32-bit counter could wrap
                for (int k = 0; k < 256; ++k) freq[k] += f[0][k] + std::uint64_t{f[1][k]} + f[2][k] + f[3][k];
                std::fill(sub.begin(), sub.end(), 0);
            }
        }
    }
    const std::string z = png_impl::deflate_literals(filtered.data(), filtered.size(), freq);

    std::string png;
    png.reserve(z.size() + 64 + z.size() / (1 << 20) * 12);
    png.append("\x89PNG\r\n\x1a\n", 8);
    std::string ihdr;
    png_impl::put_u32be(ihdr, width);
    png_impl::put_u32be(ihdr, height);
    ihdr += static_cast<char>(8);  // bit depth
    ihdr += static_cast<char>(kColorType[channels]);
    ihdr.append(3, '\0');  // deflate, adaptive filtering, no interlace
    png_impl::chunk(png, "IHDR", ihdr.data(), ihdr.size());
    constexpr std::size_t kIdatMax = 1 << 20;  // IDAT chunks of at most 1 MiB
    for (std::size_t at = 0; at < z.size(); at += kIdatMax)
        png_impl::chunk(png, "IDAT", z.data() + at, std::min(kIdatMax, z.size() - at));
    png_impl::chunk(png, "IEND", "", 0);
    return png;
}

}  // namespace tblog::detail
