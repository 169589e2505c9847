// Lanczos resizing as Pillow's Image.resize(size, LANCZOS) does it, which PyTorch's
// make_image applies for `rescale`: separable, horizontal pass then vertical pass, each output
// pixel a normalised window of lanczos3 weights stretched by the scale when shrinking,
// weights in 22-bit fixed point, rounded and clipped to 8 bits after each pass. RGBA is
// premultiplied by alpha before and un-premultiplied after, as Pillow does.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace tblog::detail::resample {

inline constexpr int kPrecisionBits = 32 - 8 - 2;

inline double sinc(double x) {
    if (x == 0.0) return 1.0;
    x *= M_PI;
    return std::sin(x) / x;
}

inline double lanczos3(double x) { return (-3.0 <= x && x < 3.0) ? sinc(x) * sinc(x / 3) : 0.0; }

// For each output position: first input index, count and fixed-point weights.
struct Coeffs {
    int ksize = 0;
    std::vector<int> first, count;
    std::vector<std::int32_t> k;  // out_size * ksize
};

inline Coeffs coefficients(int in_size, int out_size) {
    const double scale = static_cast<double>(in_size) / out_size;
    const double filterscale = std::max(scale, 1.0);
    const double support = 3.0 * filterscale;
    Coeffs c;
    c.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
    c.first.resize(static_cast<std::size_t>(out_size));
    c.count.resize(static_cast<std::size_t>(out_size));
    c.k.assign(static_cast<std::size_t>(out_size) * static_cast<std::size_t>(c.ksize), 0);
    std::vector<double> w(static_cast<std::size_t>(c.ksize));
    for (int xx = 0; xx < out_size; ++xx) {
        const double center = (xx + 0.5) * scale;
        const double ss = 1.0 / filterscale;
        int xmin = static_cast<int>(center - support + 0.5);
        if (xmin < 0) xmin = 0;
        int xmax = static_cast<int>(center + support + 0.5);
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        double ww = 0.0;
        for (int x = 0; x < xmax; ++x) {
            w[static_cast<std::size_t>(x)] = lanczos3((x + xmin - center + 0.5) * ss);
            ww += w[static_cast<std::size_t>(x)];
        }
        for (int x = 0; x < xmax; ++x) {
            double v = w[static_cast<std::size_t>(x)];
            if (ww != 0.0) v /= ww;
            const double f = v * (1 << kPrecisionBits);
            c.k[static_cast<std::size_t>(xx * c.ksize + x)] = static_cast<std::int32_t>(v < 0 ? -0.5 + f : 0.5 + f);
        }
        c.first[static_cast<std::size_t>(xx)] = xmin;
        c.count[static_cast<std::size_t>(xx)] = xmax;
    }
    return c;
}

inline std::uint8_t clip8(std::int64_t v) {
    if (v >= (std::int64_t{1} << kPrecisionBits << 8)) return 255;
    if (v <= 0) return 0;
    return static_cast<std::uint8_t>(v >> kPrecisionBits);
}

// One pass along an axis: `in` has `lines` lines of `in_len` pixels (stride between pixels
// `step`, between lines `line_step`, in pixel units of `ch` bytes).
inline void pass(const std::uint8_t* in, std::uint8_t* out, int lines, int ch, const Coeffs& c, int out_len,
                 std::size_t in_pixel_step, std::size_t in_line_step, std::size_t out_pixel_step,
                 std::size_t out_line_step) {
    for (int l = 0; l < lines; ++l)
        for (int o = 0; o < out_len; ++o) {
            const std::int32_t* k = &c.k[static_cast<std::size_t>(o * c.ksize)];
            const int first = c.first[static_cast<std::size_t>(o)];
            for (int b = 0; b < ch; ++b) {
                std::int64_t ss = std::int64_t{1} << (kPrecisionBits - 1);
                for (int i = 0; i < c.count[static_cast<std::size_t>(o)]; ++i)
                    ss += std::int64_t{in[(static_cast<std::size_t>(l) * in_line_step +
                                           static_cast<std::size_t>(first + i) * in_pixel_step) * static_cast<std::size_t>(ch) + static_cast<std::size_t>(b)]} *
                          k[i];
                out[(static_cast<std::size_t>(l) * out_line_step + static_cast<std::size_t>(o) * out_pixel_step) * static_cast<std::size_t>(ch) +
                    static_cast<std::size_t>(b)] = clip8(ss);
            }
        }
}

inline std::uint8_t muldiv255(unsigned a, unsigned b) {
    const unsigned t = a * b + 128;
    return static_cast<std::uint8_t>(((t >> 8) + t) >> 8);
}

// Resizes interleaved 8-bit pixels (ch channels, h x w) to out_h x out_w.
inline std::vector<std::uint8_t> lanczos(std::vector<std::uint8_t> px, int h, int w, int ch, int out_h, int out_w) {
    if (out_h == h && out_w == w) return px;
    if (ch == 4)  // Pillow resizes RGBA as premultiplied "RGBa"
        for (std::size_t i = 0; i < px.size(); i += 4) {
            const unsigned a = px[i + 3];
            if (a == 255) continue;
            for (int b = 0; b < 3; ++b) px[i + static_cast<std::size_t>(b)] = a == 0 ? 0 : muldiv255(px[i + static_cast<std::size_t>(b)], a);
        }
    const Coeffs cv = coefficients(h, out_h);
    const Coeffs ch_ = coefficients(w, out_w);
    int y_first = 0, y_last = h;
    if (out_w != w) {
        // horizontal pass over only the rows the vertical pass reads
        y_first = cv.first.front();
        y_last = cv.first.back() + cv.count.back();
        const int rows = y_last - y_first;
        std::vector<std::uint8_t> tmp(static_cast<std::size_t>(rows) * static_cast<std::size_t>(out_w) * static_cast<std::size_t>(ch));
        pass(px.data() + static_cast<std::size_t>(y_first) * static_cast<std::size_t>(w) * static_cast<std::size_t>(ch), tmp.data(), rows, ch, ch_, out_w, 1,
             static_cast<std::size_t>(w), 1, static_cast<std::size_t>(out_w));
        px.swap(tmp);
        w = out_w;
    } else {
        y_first = 0;
    }
    if (out_h != h) {
        Coeffs shifted = cv;
        for (auto& f : shifted.first) f -= y_first;
        std::vector<std::uint8_t> tmp(static_cast<std::size_t>(out_h) * static_cast<std::size_t>(w) * static_cast<std::size_t>(ch));
        pass(px.data(), tmp.data(), w, ch, shifted, out_h, static_cast<std::size_t>(w), 1, static_cast<std::size_t>(w), 1);
        px.swap(tmp);
    }
    if (ch == 4)
        for (std::size_t i = 0; i < px.size(); i += 4) {
            const unsigned a = px[i + 3];
            if (a == 255 || a == 0) continue;
            for (int b = 0; b < 3; ++b) px[i + static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(std::min(255u, 255u * px[i + static_cast<std::size_t>(b)] / a));
        }
    return px;
}

}  // namespace tblog::detail::resample
