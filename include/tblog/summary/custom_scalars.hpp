// Custom scalars: what PyTorch's summary.custom_scalars() writes.
//   Value{tag: "custom_scalars__config__", tensor{DT_STRING, shape {} (present, rank 0),
//         string_val: [serialized Layout]}, metadata{plugin "custom_scalars", no content}}
// Layout{category{title, chart{title, multiline{tag...} | margin{series{value, lower, upper}}}}}
// in the order given (a Python dict keeps insertion order, so the layout is a list here).
//
//   tblog::CustomScalarLayout layout = {
//       {"Taiwan", {{"twse", {"Multiline", {"twse/0050", "twse/2330"}}}}},
//       {"USA", {{"dow", {"Margin", {"dow/aaa", "dow/bbb", "dow/ccc"}}}}},
//   };
#pragma once

#include <utility>

#include "tblog/summary/common.hpp"
#include "tblog/summary/text.hpp"

namespace tblog {

// One chart: kind "Multiline" (any number of tag regexes) or "Margin" (exactly three tags:
// value, lower, upper), as PyTorch's ["Multiline", [tags]] / ["Margin", [tags]].
struct CustomScalarChart {
    std::string kind;
    std::vector<std::string> tags;
};
using CustomScalarCategory = std::vector<std::pair<std::string, CustomScalarChart>>;  // title -> chart
using CustomScalarLayout = std::vector<std::pair<std::string, CustomScalarCategory>>;  // title -> charts

}  // namespace tblog

namespace tblog::summary {

inline constexpr std::string_view kCustomScalarsPlugin = "custom_scalars";
inline constexpr std::string_view kCustomScalarsTag = "custom_scalars__config__";

namespace field {
inline constexpr std::uint32_t kLayoutCategory = 2;
inline constexpr std::uint32_t kCategoryTitle = 1;
inline constexpr std::uint32_t kCategoryChart = 2;
inline constexpr std::uint32_t kChartTitle = 1;
inline constexpr std::uint32_t kChartMultiline = 2;
inline constexpr std::uint32_t kChartMargin = 3;
inline constexpr std::uint32_t kMultilineTag = 1;
inline constexpr std::uint32_t kMarginSeries = 1;
inline constexpr std::uint32_t kSeriesValue = 1;
inline constexpr std::uint32_t kSeriesLower = 2;
inline constexpr std::uint32_t kSeriesUpper = 3;
}  // namespace field

// Serialized tensorboard.Layout message.
inline std::string custom_scalar_layout(const CustomScalarLayout& layout) {
    const auto tag = kCustomScalarsTag;
    if (layout.empty()) invalid(tag, "custom scalars layout has no category");
    std::string out;
    ProtoWriter w(out);
    for (const auto& [category, charts] : layout) {
        check_name(tag, "custom scalars category", category);
        if (charts.empty()) invalid(tag, "custom scalars category '" + category + "' has no chart");
        Nested c(w, field::kLayoutCategory);
        w.string_nonempty(field::kCategoryTitle, category);
        for (const auto& [title, chart] : charts) {
            const std::string where = "chart '" + category + "/" + title + "'";
            check_name(tag, "custom scalars chart title", title);
            for (const auto& t : chart.tags) check_name(tag, where + ": tag", t);
            if (chart.tags.empty()) invalid(tag, where + " has no tags");
            Nested ch(w, field::kCategoryChart);
            w.string_nonempty(field::kChartTitle, title);
            if (chart.kind == "Multiline") {
                Nested m(w, field::kChartMultiline);
                for (const auto& t : chart.tags) w.string(field::kMultilineTag, t);
            } else if (chart.kind == "Margin") {
                if (chart.tags.size() != 3)
                    invalid(tag, where + ": a Margin chart takes exactly 3 tags (value, lower, upper), got " +
                                     std::to_string(chart.tags.size()));
                Nested m(w, field::kChartMargin);
                Nested s(w, field::kMarginSeries);
                w.string_nonempty(field::kSeriesValue, chart.tags[0]);
                w.string_nonempty(field::kSeriesLower, chart.tags[1]);
                w.string_nonempty(field::kSeriesUpper, chart.tags[2]);
            } else {
                invalid(tag, where + ": kind must be \"Multiline\" or \"Margin\", not \"" + chart.kind + "\"");
            }
        }
    }
    return out;
}

// Serialized Summary carrying the layout.
inline std::string custom_scalars(const CustomScalarLayout& layout) {
    const std::string bytes = custom_scalar_layout(layout);
    std::string out;
    ProtoWriter w(out);
    {
        Nested v(w, field::kSummaryValue);
        w.string(field::kValueTag, kCustomScalarsTag);
        write_string_tensor(w, bytes, {}, /*write_empty_shape=*/true);
        write_metadata(w, PluginMeta{kCustomScalarsPlugin, {}});
    }
    return out;
}

}  // namespace tblog::summary
