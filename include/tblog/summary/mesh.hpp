// Mesh: what PyTorch's summary.mesh() writes. One Summary with a value per component
// present, in the order vertices, faces, colors:
//   Value{tag: "<tag>_VERTEX" | "<tag>_FACE" | "<tag>_COLOR",
//         tensor{DT_FLOAT, shape [B, N, 3], float_val},
//         metadata{plugin "mesh", content: MeshPluginData{name: tag, content_type,
//                  json_config, shape, components: bitmask of the present types}}}
// json_config is json.dumps(config_dict, sort_keys=True), or "{}" without a config.
#pragma once

#include <cmath>
#include <optional>

#include "tblog/summary/common.hpp"
#include "tblog/json.hpp"
#include "tblog/tensor.hpp"

namespace tblog::summary {

inline constexpr std::string_view kMeshPlugin = "mesh";

namespace field {
inline constexpr std::uint32_t kMeshName = 2;
inline constexpr std::uint32_t kMeshContentType = 3;
inline constexpr std::uint32_t kMeshJsonConfig = 5;
inline constexpr std::uint32_t kMeshShape = 6;
inline constexpr std::uint32_t kMeshComponents = 7;
}  // namespace field

enum class MeshContent : int { vertex = 1, face = 2, color = 3 };

inline const char* mesh_content_name(MeshContent c) {
    switch (c) {
        case MeshContent::vertex: return "VERTEX";
        case MeshContent::face: return "FACE";
        case MeshContent::color: return "COLOR";
    }
    return "UNDEFINED";
}

namespace detail_mesh {

inline void check_component(std::string_view tag, const char* what, const TensorView& t,
                            const TensorView& vertices) {
    if (t.dim() != 3 || t.size(2) != 3)
        invalid(tag, std::string("add_mesh: ") + what + " must have shape (B, N, 3), got " + t.shape_string());
    if (t.size(0) != vertices.size(0))
        invalid(tag, std::string("add_mesh: ") + what + " batch size " + std::to_string(t.size(0)) +
                         " differs from the vertices' " + std::to_string(vertices.size(0)));
    if (t.empty()) invalid(tag, std::string("add_mesh: ") + what + " is empty");
}

inline void write_component(ProtoWriter& w, std::string_view tag, const TensorView& t, MeshContent type,
                            int components, std::string_view json_config) {
    std::string content;
    {
        ProtoWriter pw(content);
        pw.string_nonempty(field::kMeshName, tag);
        pw.int64(field::kMeshContentType, static_cast<int>(type));
        pw.string_nonempty(field::kMeshJsonConfig, json_config);
        pw.packed_varint(field::kMeshShape, t.shape().data(), t.dim(),
                         [](std::int64_t d) { return static_cast<std::uint64_t>(d); });
        pw.int64_nonzero(field::kMeshComponents, components);
    }
    const auto values = t.to_vector<float>();
    Nested v(w, field::kSummaryValue);
    w.string(field::kValueTag, std::string(tag) + "_" + mesh_content_name(type));
    {
        Nested tensor(w, field::kValueTensor);
        w.int64(field::kTensorDtype, static_cast<int>(WireDType::DT_FLOAT));
        write_shape(w, t.shape());
        w.packed_fixed(field::kTensorFloatVal, values.data(), values.size());
    }
    write_metadata(w, PluginMeta{kMeshPlugin, content});
}

}  // namespace detail_mesh

// Serialized Summary for one mesh. vertices: (B, N, 3) float; colors: (B, N, 3) values
// 0-255 per vertex; faces: (B, F, 3) vertex indices; config_dict: the three.js scene
// configuration (camera, lights, material), written as json.dumps(config_dict,
// sort_keys=True) — use Json::raw() for JSON text — or "{}" without one.
inline std::string mesh(std::string_view tag, const TensorView& vertices,
                        const std::optional<TensorView>& colors = std::nullopt,
                        const std::optional<TensorView>& faces = std::nullopt,
                        const std::optional<Json>& config_dict = std::nullopt) {
    check_tag(tag);
    if (vertices.dim() != 3 || vertices.size(2) != 3)
        invalid(tag, "add_mesh: vertices must have shape (B, N, 3), got " + vertices.shape_string());
    if (vertices.empty()) invalid(tag, "add_mesh: vertices is empty");
    for (std::size_t i = 0, n = vertices.numel(); i < n; ++i)
        if (!std::isfinite(vertices.at(i))) invalid(tag, "add_mesh: vertices contain NaN or Inf");
    if (colors) {
        detail_mesh::check_component(tag, "colors", *colors, vertices);
        if (colors->size(1) != vertices.size(1))
            invalid(tag, "add_mesh: colors " + colors->shape_string() + " must give one color per vertex " +
                             vertices.shape_string());
    }
    if (faces) {
        detail_mesh::check_component(tag, "faces", *faces, vertices);
        const double n = static_cast<double>(vertices.size(1));
        for (std::size_t i = 0, k = faces->numel(); i < k; ++i) {
            const double f = faces->at(i);
            if (!(f >= 0 && f < n && f == std::floor(f)))
                invalid(tag, "add_mesh: faces hold an index that is not a vertex index in [0, " +
                                 std::to_string(vertices.size(1)) + ")");
        }
    }
    int components = 1 << static_cast<int>(MeshContent::vertex);
    if (faces) components |= 1 << static_cast<int>(MeshContent::face);
    if (colors) components |= 1 << static_cast<int>(MeshContent::color);

    std::string json_config = "{}";
    if (config_dict) {
        try {
            json_config = config_dict->dump();
        } catch (const std::invalid_argument& e) {
            invalid(tag, std::string("add_mesh: config_dict: ") + e.what());
        }
    }

    std::string out;
    ProtoWriter w(out);
    detail_mesh::write_component(w, tag, vertices, MeshContent::vertex, components, json_config);
    if (faces) detail_mesh::write_component(w, tag, *faces, MeshContent::face, components, json_config);
    if (colors) detail_mesh::write_component(w, tag, *colors, MeshContent::color, components, json_config);
    return out;
}

}  // namespace tblog::summary
