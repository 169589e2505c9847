// Text: what PyTorch's summary.text() writes.
//   Value{tag: "<tag>/text_summary", tensor{DT_STRING, shape [1], string_val: [text]},
//         metadata{plugin "text", content: TextPluginData{} (empty bytes)}}
// TensorBoard renders the string as Markdown.
#pragma once

#include "tblog/summary/common.hpp"

namespace tblog::summary {

inline constexpr std::string_view kTextPlugin = "text";
inline constexpr std::string_view kTextTagSuffix = "/text_summary";

// Writes a rank-1 DT_STRING tensor of one element (field `f` of the enclosing message).
inline void write_string_tensor(ProtoWriter& w, std::string_view s, std::vector<std::int64_t> shape,
                                bool write_empty_shape = false, std::uint32_t f = field::kValueTensor) {
    Nested t(w, f);
    w.int64(field::kTensorDtype, static_cast<int>(WireDType::DT_STRING));
    write_shape(w, shape, write_empty_shape);
    w.bytes(field::kTensorStringVal, s);
}

// Serialized Summary holding `text` under "<tag>/text_summary".
inline std::string text(std::string_view tag, std::string_view text_string) {
    check_tag(tag);
    check_text(tag, "text_string", text_string);
    std::string out;
    ProtoWriter w(out);
    {
        Nested v(w, field::kSummaryValue);
        w.string(field::kValueTag, std::string(tag) + std::string(kTextTagSuffix));
        write_string_tensor(w, text_string, {1});
        write_metadata(w, PluginMeta{kTextPlugin, {}});
    }
    return out;
}

}  // namespace tblog::summary
