// HParams experiment inference (TensorBoard's hparams backend_context.py / get_experiment.py):
// the Experiment summary (tag "_hparams_/experiment") of the first run holding one; else one
// computed from every run's SessionStartInfo (hparam types and domains) and the scalar tags
// under session runs (metrics); hparams sorted by (differs first, name).
#pragma once

#include <google/protobuf/struct.pb.h>

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "plugin_hparams.pb.h"
#include "store.hpp"

namespace tblog::view::hparams {

namespace hp = tensorboard::hparams;
using google::protobuf::Value;
using json = nlohmann::json;

inline constexpr const char* kPlugin = "hparams";
inline constexpr const char* kExperimentTag = "_hparams_/experiment";
inline constexpr const char* kStartTag = "_hparams_/session_start_info";
inline constexpr const char* kEndTag = "_hparams_/session_end_info";

// {run: {tag: HParamsPluginData}} for every hparams series.
using HParamsIndex = std::map<std::string, std::map<std::string, hp::HParamsPluginData>>;
HParamsIndex hparams_index(const Store& store);

// A google.protobuf.Value as JSON (number, string, bool; null otherwise).
json value_json(const Value& v);

struct HParamInfo {
    hp::HParamInfo info;
    bool differs = false;
};

struct Experiment {
    hp::Experiment proto;
    std::vector<HParamInfo> hparams;  // sorted: differing first, then by name
};

Experiment experiment(const Store& store, const HParamsIndex& index, bool include_metrics, long long hparams_limit);
json metric_name_json(const hp::MetricName& n);
// MessageToJson(experiment, including_default_value_fields=True)
json experiment_json(const Experiment& e);

// os.path.normpath(os.path.join(session, group)): the run holding a session's metric.
std::string metric_run(const std::string& session, const std::string& group);

// A request field given in camelCase (json_format) or snake_case.
template <class T>
T field(const json& j, const char* camel, const char* snake, T fallback) {
    if (j.contains(camel)) return j.at(camel).get<T>();
    if (j.contains(snake)) return j.at(snake).get<T>();
    return fallback;
}

}  // namespace tblog::view::hparams
