// HParams: what PyTorch's summary.hparams() builds — three summaries, each a single value
// with no data, only plugin "hparams" metadata whose content is an HParamsPluginData:
//   "_hparams_/experiment":          Experiment{hparam_infos (dict order), metric_infos}
//   "_hparams_/session_start_info":  SessionStartInfo{hparams: map name -> Value}
//   "_hparams_/session_end_info":    SessionEndInfo{status: STATUS_SUCCESS}
// As in PyTorch, int, float and bool values are numbers (DATA_TYPE_FLOAT64; bool is an int
// in Python), strings are DATA_TYPE_STRING. The map is written sorted by key (protobuf's
// deterministic order); PyTorch's order is its protobuf runtime's hash order.
#pragma once

#include <algorithm>
#include <optional>
#include <set>
#include <utility>
#include <variant>

#include "tblog/detail/io/logdir_paths.hpp"
#include "tblog/detail/text/py_format.hpp"
#include "tblog/summary/common.hpp"

namespace tblog {

using HParamValue = std::variant<std::string, bool, std::int64_t, double>;
// Ordered like Python dicts: hparam_infos and metric_infos keep this order.
using HParamDict = std::vector<std::pair<std::string, HParamValue>>;
using MetricDict = std::vector<std::pair<std::string, double>>;
// hparam name -> the discrete values it may take (same type as its value in HParamDict).
using HParamDomainDict = std::vector<std::pair<std::string, std::vector<HParamValue>>>;

}  // namespace tblog

namespace tblog::summary {

inline constexpr std::string_view kHParamsPlugin = "hparams";
inline constexpr std::string_view kHParamsExperimentTag = "_hparams_/experiment";
inline constexpr std::string_view kHParamsSessionStartTag = "_hparams_/session_start_info";
inline constexpr std::string_view kHParamsSessionEndTag = "_hparams_/session_end_info";

namespace field {
inline constexpr std::uint32_t kHpExperiment = 2;
inline constexpr std::uint32_t kHpSessionStart = 3;
inline constexpr std::uint32_t kHpSessionEnd = 4;
inline constexpr std::uint32_t kExpHParamInfos = 4;
inline constexpr std::uint32_t kExpMetricInfos = 5;
inline constexpr std::uint32_t kHParamInfoName = 1;
inline constexpr std::uint32_t kHParamInfoType = 4;
inline constexpr std::uint32_t kHParamInfoDomainDiscrete = 5;
inline constexpr std::uint32_t kMetricInfoName = 1;
inline constexpr std::uint32_t kMetricNameTag = 2;
inline constexpr std::uint32_t kSessionStartHParams = 1;
inline constexpr std::uint32_t kSessionEndStatus = 1;
inline constexpr std::uint32_t kMapKey = 1;
inline constexpr std::uint32_t kMapValue = 2;
// google.protobuf.Value / ListValue
inline constexpr std::uint32_t kValueNumber = 2;
inline constexpr std::uint32_t kValueString = 3;
inline constexpr std::uint32_t kListValues = 1;
}  // namespace field

enum class HParamDataType : int { string = 1, boolean = 2, float64 = 3 };
inline constexpr int kHParamsStatusSuccess = 1;

// The three serialized Summary messages of one add_hparams call.
struct HParamsSummaries {
    std::string experiment;
    std::string session_start_info;
    std::string session_end_info;
};

namespace detail_hparams {

[[noreturn]] inline void fail(const std::string& problem) {
    throw std::invalid_argument("tblog: add_hparams: " + problem);
}

// Names and string values are protobuf strings: check_name's rule (UTF-8, no NUL).
inline void check_string(const std::string& what, const std::string& s) {
    const auto problem = name_problem(what, s);
    if (!problem.empty()) fail(problem);
}

inline void check_value(const std::string& what, const HParamValue& v) {
    if (auto* s = std::get_if<std::string>(&v)) check_string(what, *s);
}

// google.protobuf.Value as field `f`: a string, or a number (bool and int included).
inline void write_value(ProtoWriter& w, const HParamValue& v, std::uint32_t f) {
    Nested n(w, f);
    if (auto* s = std::get_if<std::string>(&v)) {
        w.string(field::kValueString, *s);
    } else {
        double d = 0;
        if (auto* b = std::get_if<bool>(&v)) d = *b ? 1.0 : 0.0;
        else if (auto* i = std::get_if<std::int64_t>(&v)) d = static_cast<double>(*i);
        else d = std::get<double>(v);
        w.float64(field::kValueNumber, d);  // a oneof member: written even when 0
    }
}

inline std::string plugin_summary(std::string_view tag, std::uint32_t data_field, const std::string& data) {
    std::string content;
    {
        ProtoWriter pw(content);
        pw.bytes(data_field, data);  // version 0 is not written
    }
    std::string out;
    ProtoWriter w(out);
    {
        Nested v(w, field::kSummaryValue);
        w.string(field::kValueTag, tag);
        write_metadata(w, PluginMeta{kHParamsPlugin, content});
    }
    return out;
}

}  // namespace detail_hparams

// Throws std::invalid_argument for empty or repeated names, and for a domain naming an
// unknown hparam or holding values of another type than the hparam's.
inline HParamsSummaries hparams(const HParamDict& hparam_dict, const MetricDict& metric_dict,
                                const HParamDomainDict& hparam_domain_discrete = {}) {
    using detail_hparams::fail;
    std::set<std::string> names;
    for (const auto& [k, v] : hparam_dict) {
        if (k.empty()) fail("hparam_dict has an empty name");
        detail_hparams::check_string("hparam_dict name", k);
        detail_hparams::check_value("hparam_dict['" + printable(k) + "']", v);
        if (!names.insert(k).second) fail("hparam_dict has the name '" + k + "' twice");
    }
    std::set<std::string> metrics;
    for (const auto& [k, v] : metric_dict) {
        if (k.empty()) fail("metric_dict has an empty name");
        detail_hparams::check_string("metric_dict name", k);
        if (!metrics.insert(k).second) fail("metric_dict has the name '" + k + "' twice");
    }
    std::set<std::string> domain_names;
    for (const auto& [k, values] : hparam_domain_discrete) {
        auto it = std::find_if(hparam_dict.begin(), hparam_dict.end(), [&](auto& p) { return p.first == k; });
        if (it == hparam_dict.end()) fail("hparam_domain_discrete names '" + k + "', which is not in hparam_dict");
        if (!domain_names.insert(k).second) fail("hparam_domain_discrete has the name '" + k + "' twice");
        for (const auto& d : values) {
            detail_hparams::check_value("hparam_domain_discrete['" + printable(k) + "']", d);
            if (d.index() != it->second.index())
                fail("hparam_domain_discrete['" + k + "'] must hold values of the same type as hparam_dict['" +
                     k + "']");
        }
    }
    auto domain_of = [&](const std::string& k) -> const std::vector<HParamValue>* {
        for (const auto& [name, values] : hparam_domain_discrete)
            if (name == k) return &values;
        return nullptr;
    };

    HParamsSummaries out;
    {  // Experiment
        std::string exp;
        ProtoWriter w(exp);
        for (const auto& [k, v] : hparam_dict) {
            Nested info(w, field::kExpHParamInfos);
            w.string(field::kHParamInfoName, k);
            const auto type = std::holds_alternative<std::string>(v) ? HParamDataType::string : HParamDataType::float64;
            w.int64(field::kHParamInfoType, static_cast<int>(type));
            if (const auto* domain = domain_of(k)) {
                Nested list(w, field::kHParamInfoDomainDiscrete);
                for (const auto& d : *domain) detail_hparams::write_value(w, d, field::kListValues);
            }
        }
        for (const auto& [k, v] : metric_dict) {
            Nested info(w, field::kExpMetricInfos);
            Nested name(w, field::kMetricInfoName);
            w.string(field::kMetricNameTag, k);
        }
        out.experiment = detail_hparams::plugin_summary(kHParamsExperimentTag, field::kHpExperiment, exp);
    }
    {  // SessionStartInfo: map entries sorted by key
        std::vector<const std::pair<std::string, HParamValue>*> sorted;
        for (const auto& p : hparam_dict) sorted.push_back(&p);
        std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
        std::string ssi;
        ProtoWriter w(ssi);
        for (const auto* p : sorted) {
            Nested entry(w, field::kSessionStartHParams);
            w.string(field::kMapKey, p->first);
            detail_hparams::write_value(w, p->second, field::kMapValue);
        }
        out.session_start_info =
            detail_hparams::plugin_summary(kHParamsSessionStartTag, field::kHpSessionStart, ssi);
    }
    {  // SessionEndInfo
        std::string sei;
        ProtoWriter w(sei);
        w.int64(field::kSessionEndStatus, kHParamsStatusSuccess);
        out.session_end_info = detail_hparams::plugin_summary(kHParamsSessionEndTag, field::kHpSessionEnd, sei);
    }
    return out;
}

// The sub-run add_hparams writes to: run_name, or PyTorch's str(time.time()) when it is
// missing or empty. It must stay inside the log_dir.
inline std::string hparams_run_name(const std::optional<std::string>& run_name, double now_seconds) {
    const std::string name = run_name && !run_name->empty() ? *run_name : detail::py_float_repr(now_seconds);
    const auto problem = detail::path_problem(name);
    if (!problem.empty())
        detail_hparams::fail("run_name '" + printable(name) + "' must be a relative path inside the log_dir: it " +
                             problem);
    return name;
}

}  // namespace tblog::summary
