// Image preparation as PyTorch's summary.image / image_boxes / video do it:
//   - convert_to_HWC: any permutation of HW, HWC/CHW or NCHW given by `dataformats`; one
//     channel becomes three (gray shown as RGB, colorspace 3); N images are tiled by
//     make_grid: min(N, 8) columns, ceil(N / columns) rows, no padding, empty cells black.
//   - pixel values: uint8 as is; every other dtype as float32(v) * 255, clipped to [0, 255]
//     and truncated (NaN becomes 0).
//   - boxes: draw_boxes' 2-pixel red outlines (Pillow's wide-line rules) and a red label box
//     with black text (our built-in bitmap font instead of Pillow's default font).
// Everything works on an interleaved 8-bit HWC buffer.
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "tblog/detail/codecs/bitmap_font.hpp"
#include "tblog/detail/text/argument_error.hpp"
#include "tblog/tensor.hpp"

namespace tblog::detail::image {

struct Image8 {
    int height = 0, width = 0, channels = 0;
    std::vector<std::uint8_t> pixels;  // HWC, row-major
};

// float32(v) * 255, clipped, truncated: PyTorch's `(t.astype(float32) * 255).clip(0, 255).astype(uint8)`.
inline std::uint8_t scale_to_u8(float v) {
    float f = v * 255.0f;
    f = 0.0f < f ? f : 0.0f;      // NaN -> 0 as well; branch-free so loops vectorize
    f = f < 255.0f ? f : 255.0f;
    return static_cast<std::uint8_t>(static_cast<int>(f));
}

template <class T>
inline std::uint8_t to_u8(T v) {
    if constexpr (std::is_same_v<T, std::uint8_t>) return v;
    else return scale_to_u8(static_cast<float>(v));
}

// The N, C, H, W extents and element strides of `t` read through `dataformats`.
struct Layout {
    std::int64_t n = 1, c = 1, h = 1, w = 1;
    std::int64_t sn = 0, sc = 0, sh = 0, sw = 0;
};

inline Layout layout_of(std::string_view tag, const TensorView& t, std::string_view dataformats) {
    std::string fmt(dataformats);
    for (auto& ch : fmt) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    const std::string_view want = fmt.size() == 4 ? "NCHW" : fmt.size() == 3 ? "CHW" : "HW";
    const bool is_permutation =
        fmt.size() >= 2 && fmt.size() <= 4 && std::is_permutation(fmt.begin(), fmt.end(), want.begin());
    if (!is_permutation)
        invalid(tag, "dataformats '" + std::string(dataformats) +
                                  "' must be a permutation of HW, CHW (HWC) or NCHW");
    if (t.dim() != fmt.size())
        invalid(tag, "size of input tensor " + t.shape_string() + " and input format '" +
                                  std::string(dataformats) + "' are different");
    if (t.empty()) invalid(tag, "image is empty, shape " + t.shape_string());
    Layout l;
    std::int64_t stride = 1;
    for (std::size_t i = fmt.size(); i-- > 0;) {
        const std::int64_t extent = t.size(i);
        switch (fmt[i]) {
            case 'N': l.n = extent, l.sn = stride; break;
            case 'C': l.c = extent, l.sc = stride; break;
            case 'H': l.h = extent, l.sh = stride; break;
            case 'W': l.w = extent, l.sw = stride; break;
        }
        stride *= extent;
    }
    if (l.c != 1 && l.c != 3 && l.c != 4)
        invalid(tag, "images need 1, 3 or 4 channels, got " + std::to_string(l.c) + " (shape " +
                                  t.shape_string() + ", dataformats '" + std::string(dataformats) + "')");
    return l;
}

template <class T>
void fill_grid(const T* src, const Layout& l, Image8& out, std::int64_t cols) {
    const int oc = out.channels;
    const std::int64_t stride_row = static_cast<std::int64_t>(out.width) * oc;
    for (std::int64_t i = 0; i < l.n; ++i) {
        const std::int64_t y0 = (i / cols) * l.h, x0 = (i % cols) * l.w;
        for (std::int64_t y = 0; y < l.h; ++y) {
            std::uint8_t* row = out.pixels.data() + (y0 + y) * stride_row + x0 * oc;
            const T* s = src + i * l.sn + y * l.sh;
            if (l.c == 1) {
                for (std::int64_t x = 0; x < l.w; ++x) {
                    const std::uint8_t v = to_u8(s[x * l.sw]);
                    row[x * 3] = row[x * 3 + 1] = row[x * 3 + 2] = v;
                }
            } else if (l.sw == 1 && l.c == 3) {  // CHW RGB, the common case
                const T *r = s, *g = s + l.sc, *b = s + 2 * l.sc;
                for (std::int64_t x = 0; x < l.w; ++x) {
                    row[3 * x] = to_u8(r[x]);
                    row[3 * x + 1] = to_u8(g[x]);
                    row[3 * x + 2] = to_u8(b[x]);
                }
            } else if (l.sw == 1) {  // planar rows (CHW): one contiguous run per channel
                for (std::int64_t c = 0; c < l.c; ++c) {
                    const T* sc = s + c * l.sc;
                    std::uint8_t* o = row + c;
                    for (std::int64_t x = 0; x < l.w; ++x) o[x * oc] = to_u8(sc[x]);
                }
            } else {
                for (std::int64_t x = 0; x < l.w; ++x)
                    for (std::int64_t c = 0; c < l.c; ++c) row[x * oc + c] = to_u8(s[x * l.sw + c * l.sc]);
            }
        }
    }
}

// convert_to_HWC + the uint8 conversion.
inline Image8 to_hwc_u8(std::string_view tag, const TensorView& t, std::string_view dataformats) {
    const Layout l = layout_of(tag, t, dataformats);
    const std::int64_t cols = std::min<std::int64_t>(l.n, 8);
    const std::int64_t rows = (l.n + cols - 1) / cols;
    constexpr std::int64_t kMaxPixels = std::int64_t{1} << 29;  // 2 GB of RGBA: beyond a protobuf message
    if (l.h > kMaxPixels / rows || l.w > kMaxPixels / cols ||
        (l.h * rows) > kMaxPixels / (l.w * cols))  // checked before any product can overflow
        invalid(tag, "image too large: " + std::to_string(l.h) + "x" + std::to_string(l.w) + " x " +
                                  std::to_string(l.n) + " images");
    const std::int64_t height = l.h * rows, width = l.w * cols;
    if (height * width > kMaxPixels)
        invalid(tag, "image too large: " + std::to_string(height) + "x" + std::to_string(width));
    Image8 out;
    out.height = static_cast<int>(height);
    out.width = static_cast<int>(width);
    out.channels = l.c == 1 ? 3 : static_cast<int>(l.c);
    out.pixels.assign(static_cast<std::size_t>(height * width * out.channels), 0);
    switch (t.dtype()) {
        case DType::float32: fill_grid(t.data_as<float>(), l, out, cols); break;
        case DType::float64: fill_grid(t.data_as<double>(), l, out, cols); break;
        case DType::uint8: fill_grid(t.data_as<std::uint8_t>(), l, out, cols); break;
        case DType::int32: fill_grid(t.data_as<std::int32_t>(), l, out, cols); break;
        case DType::int64: fill_grid(t.data_as<std::int64_t>(), l, out, cols); break;
    }
    return out;
}

// ---- drawing (Pillow's rules, on integer coordinates) ----------------------------------

inline void fill_rect(Image8& im, long x0, long y0, long x1, long y1, const std::uint8_t* color) {
    if (x0 > x1) std::swap(x0, x1);
    if (y0 > y1) std::swap(y0, y1);
    x0 = std::max(x0, 0L), y0 = std::max(y0, 0L);
    x1 = std::min(x1, static_cast<long>(im.width) - 1), y1 = std::min(y1, static_cast<long>(im.height) - 1);
    for (long y = y0; y <= y1; ++y)
        for (long x = x0; x <= x1; ++x)
            std::copy(color, color + im.channels, &im.pixels[static_cast<std::size_t>((y * im.width + x) * im.channels)]);
}

// Pillow's ImagingDrawWideLine for an axis-parallel segment: a filled 4-corner polygon,
// (width-1)/2 rounded up on one side of the segment and down on the other, the side
// depending on the direction of travel.
inline void wide_axis_line(Image8& im, long x0, long y0, long x1, long y1, int width, const std::uint8_t* color) {
    const double half = (width - 1) / 2.0;
    const long up = static_cast<long>(std::floor(half + 0.5));   // ROUND_UP
    const long down = static_cast<long>(std::ceil(half - 0.5));  // ROUND_DOWN
    if (x0 == x1 && y0 == y1) {
        fill_rect(im, x0, y0, x0, y0, color);
    } else if (y0 == y1) {  // horizontal: the thick side is below when moving right
        if (x1 > x0) fill_rect(im, x0, y0 - down, x1, y0 + up, color);
        else fill_rect(im, x0, y0 - up, x1, y0 + down, color);
    } else {  // vertical: the thick side is right when moving down
        if (y1 > y0) fill_rect(im, x0 - down, y0, x0 + up, y1, color);
        else fill_rect(im, x0 - up, y0, x0 + down, y1, color);
    }
}

// C's (int) cast of a coordinate, as Pillow applies to the float coordinates it is given.
inline long coord(double v) { return static_cast<long>(std::clamp(v, -1e9, 1e9)); }

// PyTorch's draw_boxes: boxes (K, 4) as xmin, ymin, xmax, ymax in pixels.
inline void draw_boxes(std::string_view tag, Image8& im, const TensorView& boxes,
                       const std::optional<std::vector<std::string>>& labels) {
    if (boxes.dim() != 2 || boxes.size(1) != 4)
        invalid(tag, "box_tensor must have shape (K, 4) as xmin, ymin, xmax, ymax, got " +
                                  boxes.shape_string());
    const std::size_t k = static_cast<std::size_t>(boxes.size(0));
    if (labels && labels->size() != k)
        invalid(tag, "labels has " + std::to_string(labels->size()) + " entries for " +
                                  std::to_string(k) + " boxes");
    for (std::size_t i = 0; i < 4 * k; ++i)
        if (!std::isfinite(boxes.at(i))) invalid(tag, "box_tensor contains NaN or Inf");
    const std::uint8_t red[4] = {255, 0, 0, 255}, black[4] = {0, 0, 0, 255};
    for (std::size_t i = 0; i < k; ++i) {
        const double left = boxes.at(4 * i), top = boxes.at(4 * i + 1);
        const double right = boxes.at(4 * i + 2), bottom = boxes.at(4 * i + 3);
        const long l = coord(left), t = coord(top), r = coord(right), b = coord(bottom);
        // the closed outline (left,top) (left,bottom) (right,bottom) (right,top) (left,top)
        wide_axis_line(im, l, t, l, b, 2, red);
        wide_axis_line(im, l, b, r, b, 2, red);
        wide_axis_line(im, r, b, r, t, 2, red);
        wide_axis_line(im, r, t, l, t, 2, red);
        if (!labels || (*labels)[i].empty()) continue;
        const std::string& text = (*labels)[i];
        const double tw = font::text_width(text), th = font::kGlyphHeight;
        const double margin = std::ceil(0.05 * th);
        fill_rect(im, coord(left), coord(bottom - th - 2 * margin), coord(left + tw), coord(bottom), red);
        font::draw(text, static_cast<int>(coord(left + margin)), static_cast<int>(coord(bottom - th - margin)),
                   [&](int x, int y) {
                       if (x >= 0 && y >= 0 && x < im.width && y < im.height)
                           std::copy(black, black + im.channels,
                                     &im.pixels[static_cast<std::size_t>((y * im.width + x) * im.channels)]);
                   });
    }
}

}  // namespace tblog::detail::image
