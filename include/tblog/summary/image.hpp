// Images: what PyTorch's summary.image() / image_boxes() write.
//   Value{tag, image: Summary.Image{height, width, colorspace, encoded_image_string: PNG}},
//   no metadata. height/width are the image's before `rescale`; the PNG holds the rescaled
//   pixels (Pillow's Lanczos), as PyTorch's make_image does.
// Pixel preparation (layouts, grids, value scaling, boxes) is in detail/codecs/image_ops.hpp.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "tblog/detail/codecs/image_ops.hpp"
#include "tblog/detail/codecs/png.hpp"
#include "tblog/detail/codecs/resample.hpp"
#include "tblog/summary/common.hpp"
#include "tblog/tensor.hpp"

namespace tblog::summary {

// Writes Summary.Value{tag, image{...}} into `w` (shared with video).
inline void write_image_value(ProtoWriter& w, std::string_view tag, int height, int width, int colorspace,
                              std::string_view encoded) {
    Nested v(w, field::kSummaryValue);
    w.string(field::kValueTag, tag);
    Nested im(w, field::kValueImage);
    w.int64_nonzero(1, height);
    w.int64_nonzero(2, width);
    w.int64_nonzero(3, colorspace);
    w.string_nonempty(4, encoded);
}

// PyTorch's make_image: optional Lanczos rescale, PNG, Summary bytes.
inline std::string make_image(std::string_view tag, detail::image::Image8 im, double rescale) {
    if (!(rescale > 0) || !std::isfinite(rescale)) invalid(tag, "rescale must be a positive number");
    const double scaled_h = std::floor(im.height * rescale), scaled_w = std::floor(im.width * rescale);
    if (scaled_h < 1 || scaled_w < 1) invalid(tag, "rescale makes the image empty");
    if (scaled_h * scaled_w > double(1 << 29)) invalid(tag, "rescale makes the image too large");
    const int out_h = static_cast<int>(scaled_h), out_w = static_cast<int>(scaled_w);
    const auto px = detail::resample::lanczos(std::move(im.pixels), im.height, im.width, im.channels, out_h, out_w);
    const std::string png = detail::encode_png(px.data(), static_cast<std::uint32_t>(out_w),
                                               static_cast<std::uint32_t>(out_h), im.channels);
    std::string out;
    ProtoWriter w(out);
    write_image_value(w, tag, im.height, im.width, im.channels, png);
    return out;
}

// Serialized Summary for add_image / add_images: `img_tensor` laid out as `dataformats`
// (HW, CHW, HWC, NCHW, NHWC or any permutation); float in [0, 1] or uint8 in [0, 255].
inline std::string image(std::string_view tag, const TensorView& img_tensor,
                         std::string_view dataformats = "CHW", double rescale = 1.0) {
    check_tag(tag);
    return make_image(tag, detail::image::to_hwc_u8(tag, img_tensor, dataformats), rescale);
}

// Serialized Summary for add_image_with_boxes: box_tensor (K, 4) = xmin, ymin, xmax, ymax.
inline std::string image_boxes(std::string_view tag, const TensorView& img_tensor, const TensorView& box_tensor,
                               double rescale = 1.0, std::string_view dataformats = "CHW",
                               const std::optional<std::vector<std::string>>& labels = std::nullopt) {
    check_tag(tag);
    auto im = detail::image::to_hwc_u8(tag, img_tensor, dataformats);
    detail::image::draw_boxes(tag, im, box_tensor, labels);
    return make_image(tag, std::move(im), rescale);
}

}  // namespace tblog::summary
