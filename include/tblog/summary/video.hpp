// Video: what PyTorch's summary.video() writes: an image summary holding an animated GIF.
//   Value{tag, image: Summary.Image{height, width, colorspace: C, encoded_image_string: GIF}}
// vid_tensor is (N, T, C, H, W). As PyTorch's _prepare_video: the N clips are padded with
// black clips to a power of two and tiled, 2^floor((bit_length(N) - 1) / 2) rows; uint8
// values are taken as float32(v) / 255, then every value as float32 * 255, clipped,
// truncated. Frame delay int(100 / fps) centiseconds, looping forever (detail/codecs/gif.hpp).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "tblog/detail/codecs/gif.hpp"
#include "tblog/detail/codecs/image_ops.hpp"
#include "tblog/summary/common.hpp"
#include "tblog/summary/image.hpp"
#include "tblog/tensor.hpp"

namespace tblog::summary {

namespace video_impl {
template <class T>
std::uint8_t to_u8(T v) {
    if constexpr (std::is_same_v<T, std::uint8_t>) return detail::image::scale_to_u8(static_cast<float>(v) / 255.0f);
    else return detail::image::scale_to_u8(static_cast<float>(v));
}

// Frames (T, rows*H, cols*W, 3) as RGB bytes.
template <class T>
void tile(const T* src, std::int64_t b, std::int64_t t, std::int64_t c, std::int64_t h, std::int64_t w,
          std::int64_t cols, std::int64_t width, std::int64_t height, std::vector<std::uint8_t>& out) {
    for (std::int64_t i = 0; i < b; ++i) {
        const std::int64_t y0 = (i / cols) * h, x0 = (i % cols) * w;
        for (std::int64_t f = 0; f < t; ++f)
            for (std::int64_t y = 0; y < h; ++y)
                for (std::int64_t x = 0; x < w; ++x) {
                    std::uint8_t* px = &out[static_cast<std::size_t>(((f * height + y0 + y) * width + x0 + x) * 3)];
                    for (std::int64_t k = 0; k < 3; ++k) {
                        const std::int64_t ch = c == 1 ? 0 : k;  // gray: the one channel thrice
                        px[k] = to_u8(src[(((i * t + f) * c + ch) * h + y) * w + x]);
                    }
                }
    }
}
}  // namespace video_impl

inline std::string video(std::string_view tag, const TensorView& vid_tensor, double fps = 4) {
    check_tag(tag);
    if (vid_tensor.dim() != 5)
        invalid(tag, "add_video: vid_tensor must be (N, T, C, H, W), got shape " + vid_tensor.shape_string());
    if (vid_tensor.empty()) invalid(tag, "add_video: vid_tensor is empty, shape " + vid_tensor.shape_string());
    const auto& s = vid_tensor.shape();
    const std::int64_t b = s[0], t = s[1], c = s[2], h = s[3], w = s[4];
    if (c != 1 && c != 3 && c != 4)
        invalid(tag, "add_video: need 1, 3 or 4 channels, got " + std::to_string(c));
    if (!(fps > 0) || !std::isfinite(fps)) invalid(tag, "add_video: fps must be a positive number");
    std::int64_t padded = 1;
    while (padded < b) padded *= 2;
    int bit_length = 0;
    for (std::int64_t v = b; v; v >>= 1) ++bit_length;
    const std::int64_t rows = std::int64_t{1} << ((bit_length - 1) / 2);
    const std::int64_t cols = padded / rows;
    const std::int64_t height = rows * h, width = cols * w;
    if (height > 65535 || width > 65535) invalid(tag, "add_video: frames larger than GIF's 65535 pixels");
    std::vector<std::uint8_t> frames(static_cast<std::size_t>(t * height * width * 3), 0);
    switch (vid_tensor.dtype()) {
        case DType::float32: video_impl::tile(vid_tensor.data_as<float>(), b, t, c, h, w, cols, width, height, frames); break;
        case DType::float64: video_impl::tile(vid_tensor.data_as<double>(), b, t, c, h, w, cols, width, height, frames); break;
        case DType::uint8: video_impl::tile(vid_tensor.data_as<std::uint8_t>(), b, t, c, h, w, cols, width, height, frames); break;
        case DType::int32: video_impl::tile(vid_tensor.data_as<std::int32_t>(), b, t, c, h, w, cols, width, height, frames); break;
        case DType::int64: video_impl::tile(vid_tensor.data_as<std::int64_t>(), b, t, c, h, w, cols, width, height, frames); break;
    }
    // imageio: int(duration * 100), capped at GIF's 16-bit delay before the conversion (a
    // tiny fps would overflow int)
    const int delay_cs = static_cast<int>(std::min(1.0 / fps * 100, 65535.0));
    const std::string gif = detail::gif::encode_animation(frames.data(), static_cast<int>(t), static_cast<int>(width),
                                                          static_cast<int>(height), delay_cs);
    std::string out;
    ProtoWriter pw(out);
    write_image_value(pw, tag, static_cast<int>(height), static_cast<int>(width), static_cast<int>(c), gif);
    return out;
}

}  // namespace tblog::summary
