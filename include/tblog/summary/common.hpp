// Pieces shared by the Summary builders: field numbers of the messages they write and
// small encoders for SummaryMetadata and TensorProto. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tblog/detail/text/argument_error.hpp"
#include "tblog/detail/text/utf8.hpp"
#include "tblog/detail/wire/wire.hpp"

namespace tblog::summary {

using detail::wire::Nested;
using detail::wire::ProtoWriter;

// Field numbers (see proto/summary.proto, proto/tensor.proto).
namespace field {
inline constexpr std::uint32_t kSummaryValue = 1;
inline constexpr std::uint32_t kValueTag = 1;
inline constexpr std::uint32_t kValueSimpleValue = 2;
inline constexpr std::uint32_t kValueImage = 4;
inline constexpr std::uint32_t kValueHisto = 5;
inline constexpr std::uint32_t kValueAudio = 6;
inline constexpr std::uint32_t kValueTensor = 8;
inline constexpr std::uint32_t kValueMetadata = 9;
inline constexpr std::uint32_t kMetaPluginData = 1;
inline constexpr std::uint32_t kMetaDisplayName = 2;
inline constexpr std::uint32_t kMetaDescription = 3;
inline constexpr std::uint32_t kMetaDataClass = 4;
inline constexpr std::uint32_t kPluginName = 1;
inline constexpr std::uint32_t kPluginContent = 2;
inline constexpr std::uint32_t kTensorDtype = 1;
inline constexpr std::uint32_t kTensorShape = 2;
inline constexpr std::uint32_t kTensorContent = 4;
inline constexpr std::uint32_t kTensorFloatVal = 5;
inline constexpr std::uint32_t kTensorDoubleVal = 6;
inline constexpr std::uint32_t kTensorIntVal = 7;
inline constexpr std::uint32_t kTensorStringVal = 8;
inline constexpr std::uint32_t kTensorInt64Val = 10;
inline constexpr std::uint32_t kTensorBoolVal = 11;
inline constexpr std::uint32_t kShapeDim = 2;
inline constexpr std::uint32_t kDimSize = 1;
}  // namespace field

// tensorflow.DataType values used on the wire.
enum class WireDType : std::int32_t {
    DT_FLOAT = 1,
    DT_DOUBLE = 2,
    DT_INT32 = 3,
    DT_UINT8 = 4,
    DT_STRING = 7,
    DT_INT64 = 9,
    DT_BOOL = 10,
    DT_HALF = 19,
};

enum class DataClass : std::int32_t { unknown = 0, scalar = 1, tensor = 2, blob_sequence = 3 };

// The error every builder gives for bad input (detail/text/argument_error.hpp).
using detail::invalid;
using detail::printable;

// The rule for every name tblog writes into a protobuf `string` field or a path (tags,
// sub-run keys, run names, layout titles, hparam names and values, metadata labels): valid
// UTF-8 (protobuf requires it of `string` fields; TensorBoard's Python loader rejects the
// whole event otherwise) and no NUL byte (C APIs and file systems end the name there).
// `what` names the argument in the error; `tag` is the tag it belongs to. name_problem()
// says what is wrong ("" if nothing), for callers with errors of their own.
inline std::string name_problem(std::string_view what, std::string_view value) {
    if (value.find('\0') != std::string_view::npos)
        return std::string(what) + " '" + printable(value) + "' contains a NUL byte";
    const auto bad = detail::utf8::first_invalid(value);
    if (bad != std::string_view::npos)
        return std::string(what) + " '" + printable(value) + "' is not valid UTF-8 (byte " + std::to_string(bad) + ")";
    return {};
}

inline void check_name(std::string_view tag, std::string_view what, std::string_view value) {
    const auto problem = name_problem(what, value);
    if (!problem.empty()) invalid(tag, problem);
}

inline void check_tag(std::string_view tag) {
    if (tag.empty()) throw std::invalid_argument("tblog: tag must not be empty");
    check_name(tag, "the tag", tag);
}

// Text content (add_text, string tensors): valid UTF-8, as PyTorch's str.encode("utf_8")
// guarantees (it raises for text that cannot be encoded); NUL bytes are text like any other.
inline void check_text(std::string_view tag, std::string_view what, std::string_view text) {
    const auto bad = detail::utf8::first_invalid(text);
    if (bad != std::string_view::npos)
        invalid(tag, std::string(what) + " is not valid UTF-8 (byte " + std::to_string(bad) + ")");
}

// SummaryMetadata{plugin_data{plugin_name, content}} (+ optional fields), as field `f`.
struct PluginMeta {
    std::string_view plugin_name;
    std::string_view content;  // serialized plugin-specific message; may be empty
    std::string_view display_name = {};
    std::string_view description = {};
    DataClass data_class = DataClass::unknown;
};

inline void write_metadata(ProtoWriter& w, const PluginMeta& m,
                           std::uint32_t f = field::kValueMetadata) {
    Nested meta(w, f);
    {
        Nested pd(w, field::kMetaPluginData);
        w.string_nonempty(field::kPluginName, m.plugin_name);
        w.string_nonempty(field::kPluginContent, m.content);
    }
    w.string_nonempty(field::kMetaDisplayName, m.display_name);
    w.string_nonempty(field::kMetaDescription, m.description);
    if (m.data_class != DataClass::unknown) w.int64(field::kMetaDataClass, static_cast<int>(m.data_class));
}

// TensorShapeProto{dim{size}...} as field `f` of the enclosing TensorProto. PyTorch/TF
// omit the message for rank-0 tensors built from *_val fields; pass write_empty=true to
// emit an empty shape message anyway.
inline void write_shape(ProtoWriter& w, const std::vector<std::int64_t>& shape,
                        bool write_empty = false, std::uint32_t f = field::kTensorShape) {
    if (shape.empty() && !write_empty) return;
    Nested s(w, f);
    for (auto d : shape) {
        Nested dim(w, field::kShapeDim);
        w.int64_nonzero(field::kDimSize, d);
    }
}

}  // namespace tblog::summary
