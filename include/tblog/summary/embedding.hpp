// Embeddings (TensorBoard's projector): the contents of the files PyTorch's add_embedding
// writes, built in memory. No events are involved; the writer puts them on disk.
//
//   <logdir>/<step:05d>/<tag, with % / \ as %25 %2f %5c>/tensors.tsv   one row per point
//                                                       /metadata.tsv  labels (header row
//                                                                      only for several columns)
//                                                       /sprite.png    square grid of thumbnails
//   <logdir>/projector_config.pbtxt                     one `embeddings { ... }` block per call
//
// Numbers are printed as Python's str() does (float32 values widened to double first, as
// `str(x.item())`), the sprite is PyTorch's make_sprite(): ceil(sqrt(N)) columns of
// thumbnails on a black square canvas as wide as the grid, pixels uint8(clip(v * 255, 0, 255)).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <type_traits>
#include <utility>

#include "tblog/detail/io/embedding_files.hpp"
#include "tblog/detail/io/logdir_paths.hpp"
#include "tblog/detail/codecs/png.hpp"
#include "tblog/detail/text/py_format.hpp"
#include "tblog/summary/common.hpp"
#include "tblog/tensor.hpp"

namespace tblog {

// add_embedding's metadata: one label per point, or one row of columns per point (then
// a metadata_header naming the columns is required, as TensorBoard reads a header only
// when there are several columns).
struct EmbeddingMetadata {
    std::vector<std::vector<std::string>> rows;

    EmbeddingMetadata(const std::vector<std::string>& labels) {  // NOLINT: like a Python list
        for (const auto& l : labels) rows.push_back({l});
    }
    EmbeddingMetadata(std::vector<std::vector<std::string>> columns)  // NOLINT
        : rows(std::move(columns)) {}
    EmbeddingMetadata(const std::vector<std::int64_t>& labels) {  // NOLINT: str(int) per label
        for (auto l : labels) rows.push_back({std::to_string(l)});
    }
};

}  // namespace tblog

namespace tblog::summary {

// Everything one add_embedding call puts on disk (detail/io/embedding_files.hpp).
using detail::EmbeddingFiles;

// An RGB sprite: side x side pixels, rows top first.
struct SpriteImage {
    std::uint32_t side = 0;
    std::vector<std::uint8_t> rgb;
};

// PyTorch's SummaryWriter._encode(tag) for directory names: '%', '/', '\' as %25, %2f, %5c.
inline std::string embedding_encode_tag(std::string_view tag) {
    std::string out;
    for (char c : tag) {
        if (c == '%') out += "%25";
        else if (c == '/') out += "%2f";
        else if (c == '\\') out += "%5c";
        else out += c;
    }
    return out;
}

inline std::string embedding_subdir(std::int64_t step, std::string_view tag) {
    const std::string enc = embedding_encode_tag(tag);
    const std::string sub = detail::py_zfill(step, 5) + "/" + enc;
    if (!detail::is_contained_relative_path(sub))
        invalid(tag, "add_embedding: the tag would make a directory outside the log_dir");
    return sub;
}

// tensors.tsv: a row per point, values separated by tabs, as str() prints them.
inline std::string embedding_tensors_tsv(std::string_view tag, const TensorView& mat) {
    if (mat.dim() != 2) invalid(tag, "add_embedding: mat must be 2-D (points x dimensions), got " + mat.shape_string());
    if (mat.empty()) invalid(tag, "add_embedding: mat is empty");
    const auto cols = static_cast<std::size_t>(mat.size(1));
    std::string out;
    std::size_t i = 0;
    mat.visit([&](auto v) {
        using T = decltype(v);
        if constexpr (std::is_floating_point_v<T>) {
            if (!std::isfinite(v)) invalid(tag, "add_embedding: mat contains NaN or Inf");
            out += detail::py_float_repr(static_cast<double>(v));
        } else {
            out += std::to_string(static_cast<long long>(v));
        }
        out += (++i % cols == 0) ? '\n' : '\t';
    });
    return out;
}

// metadata.tsv for `points` points.
inline std::string embedding_metadata_tsv(std::string_view tag, const EmbeddingMetadata& metadata,
                                          const std::optional<std::vector<std::string>>& header,
                                          std::size_t points) {
    if (metadata.rows.size() != points)
        invalid(tag, "add_embedding: metadata has " + std::to_string(metadata.rows.size()) +
                         " labels for " + std::to_string(points) + " points");
    const std::size_t cols = metadata.rows.empty() ? 0 : metadata.rows[0].size();
    if (cols == 0) invalid(tag, "add_embedding: metadata has no columns");
    if (cols >= 2 && !header)
        invalid(tag, "add_embedding: metadata with " + std::to_string(cols) + " columns needs metadata_header");
    if (cols == 1 && header)
        invalid(tag, "add_embedding: metadata_header is only for metadata of two or more columns");
    if (header && header->size() != cols)
        invalid(tag, "add_embedding: metadata_header has " + std::to_string(header->size()) + " names for " +
                         std::to_string(cols) + " columns");
    auto add_row = [&](std::string& out, const std::vector<std::string>& row) {
        if (row.size() != cols) invalid(tag, "add_embedding: metadata rows differ in their number of columns");
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (row[c].find_first_of("\t\n") != std::string::npos)
                invalid(tag, "add_embedding: metadata value contains a tab or a newline");
            check_name(tag, "add_embedding: metadata label", row[c]);
            if (c) out += '\t';
            out += row[c];
        }
        out += '\n';
    };
    std::string out;
    if (header) add_row(out, *header);
    for (const auto& row : metadata.rows) add_row(out, row);
    return out;
}

// PyTorch's make_sprite() pixels for label_img (N, C, H, W), C = 1 or 3.
inline SpriteImage embedding_sprite(std::string_view tag, const TensorView& label_img) {
    if (label_img.dim() != 4 || (label_img.size(1) != 1 && label_img.size(1) != 3))
        invalid(tag, "add_embedding: label_img must be (N, C, H, W) with C = 1 or 3, got " +
                         label_img.shape_string());
    if (label_img.empty()) invalid(tag, "add_embedding: label_img is empty");
    const auto n = static_cast<std::size_t>(label_img.size(0));
    const auto c = static_cast<std::size_t>(label_img.size(1));
    const auto h = static_cast<std::size_t>(label_img.size(2));
    const auto w = static_cast<std::size_t>(label_img.size(3));
    const auto ncols = std::min(n, static_cast<std::size_t>(std::ceil(std::pow(static_cast<double>(n), 0.5))));
    const auto nrows = (n + ncols - 1) / ncols;
    SpriteImage s;
    const std::size_t side = w * ncols;
    if (h * nrows > side)
        invalid(tag, "add_embedding: label_img thumbnails are too tall for a square sprite (" +
                         std::to_string(nrows) + " rows of " + std::to_string(h) + " px in " +
                         std::to_string(side) + " px)");
    if (side > 8192) invalid(tag, "add_embedding: the sprite would exceed TensorBoard's 8192 px");
    s.side = static_cast<std::uint32_t>(side);
    s.rgb.assign(side * side * 3, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t y0 = (i / ncols) * h, x0 = (i % ncols) * w;
        for (std::size_t ch = 0; ch < 3; ++ch) {
            const std::size_t src_ch = c == 1 ? 0 : ch;
            for (std::size_t y = 0; y < h; ++y)
                for (std::size_t x = 0; x < w; ++x) {
                    const double v = label_img.at(((i * c + src_ch) * h + y) * w + x);
                    if (std::isnan(v)) invalid(tag, "add_embedding: label_img contains NaN");
                    const double scaled = std::min(std::max(v * 255.0, 0.0), 255.0);
                    s.rgb[((y0 + y) * side + x0 + x) * 3 + ch] = static_cast<std::uint8_t>(scaled);
                }
        }
    }
    return s;
}

// Python's text_format string escaping (CEscape, not UTF-8 aware): \n \r \t \" \' \\, and
// octal \ooo for other bytes outside 0x20-0x7e.
inline std::string pbtxt_quote(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '"': out += "\\\""; break;
            case '\'': out += "\\'"; break;
            case '\\': out += "\\\\"; break;
            default:
                if (c < 0x20 || c >= 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof(buf), "\\%03o", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

// One `embeddings { ... }` block of projector_config.pbtxt, as protobuf's text_format
// prints an EmbeddingInfo. sprite_dims: thumbnail (width, height).
inline std::string projector_embedding_block(std::string_view tag, std::int64_t step, const std::string& subdir,
                                             bool has_metadata,
                                             std::optional<std::pair<std::int64_t, std::int64_t>> sprite_dims) {
    std::string b = "embeddings {\n";
    b += "  tensor_name: " + pbtxt_quote(std::string(tag) + ":" + detail::py_zfill(step, 5)) + "\n";
    if (has_metadata) b += "  metadata_path: " + pbtxt_quote(subdir + "/" + std::string(detail::kMetadataTsv)) + "\n";
    if (sprite_dims) {
        b += "  sprite {\n";
        b += "    image_path: " + pbtxt_quote(subdir + "/" + std::string(detail::kSpritePng)) + "\n";
        b += "    single_image_dim: " + std::to_string(sprite_dims->first) + "\n";
        b += "    single_image_dim: " + std::to_string(sprite_dims->second) + "\n";
        b += "  }\n";
    }
    b += "  tensor_path: " + pbtxt_quote(subdir + "/" + std::string(detail::kTensorsTsv)) + "\n";
    return b + "}\n";
}

// All of add_embedding's file contents; validates everything first.
inline EmbeddingFiles embedding_files(const TensorView& mat, const std::optional<EmbeddingMetadata>& metadata,
                                      const std::optional<TensorView>& label_img, std::int64_t global_step,
                                      std::string_view tag,
                                      const std::optional<std::vector<std::string>>& metadata_header) {
    check_tag(tag);
    EmbeddingFiles f;
    f.subdir = embedding_subdir(global_step, tag);
    f.tensors_tsv = embedding_tensors_tsv(tag, mat);
    const auto points = static_cast<std::size_t>(mat.size(0));
    if (metadata) {
        f.metadata_tsv = embedding_metadata_tsv(tag, *metadata, metadata_header, points);
    } else if (metadata_header) {
        invalid(tag, "add_embedding: metadata_header without metadata");
    }
    std::optional<std::pair<std::int64_t, std::int64_t>> dims;
    if (label_img) {
        if (label_img->dim() >= 1 && static_cast<std::size_t>(label_img->size(0)) != points)
            invalid(tag, "add_embedding: label_img has " + std::to_string(label_img->size(0)) +
                             " images for " + std::to_string(points) + " points");
        const auto sprite = embedding_sprite(tag, *label_img);
        f.sprite_png = detail::encode_png(sprite.rgb.data(), sprite.side, sprite.side, 3);
        dims = std::make_pair(label_img->size(3), label_img->size(2));
    }
    f.projector_block = projector_embedding_block(tag, global_step, f.subdir, metadata.has_value(), dims);
    return f;
}

}  // namespace tblog::summary
