#include "plugins/hparams/hparams_experiment.hpp"

#include <algorithm>
#include <set>

#include "http_util.hpp"
#include "number_format.hpp"
#include "plugin_index.hpp"

namespace tblog::view::hparams {

namespace {

// ---- hparam values ----------------------------------------------------------------------

// DATA_TYPE_* of a google.protobuf.Value, or UNSET for null/struct/list.
hp::DataType type_of(const Value& v) {
    switch (v.kind_case()) {
        case Value::kNumberValue: return hp::DATA_TYPE_FLOAT64;
        case Value::kStringValue: return hp::DATA_TYPE_STRING;
        case Value::kBoolValue: return hp::DATA_TYPE_BOOL;
        default: return hp::DATA_TYPE_UNSET;
    }
}

// json_format.MessageToJson(value) without the quotes of strings.
std::string value_string(const Value& v) {
    if (v.kind_case() == Value::kStringValue) return v.string_value();
    if (v.kind_case() == Value::kBoolValue) return v.bool_value() ? "true" : "false";
    std::string s;
    append_repr(s, v.number_value());
    return s;
}

std::string normpath(const std::string& path) {
    std::vector<std::string> parts;
    const bool abs = !path.empty() && path[0] == '/';
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string::npos) slash = path.size();
        const std::string part = path.substr(start, slash - start);
        if (part == "..") {
            if (!parts.empty() && parts.back() != "..") parts.pop_back();
            else if (!abs) parts.push_back(part);
        } else if (!part.empty() && part != ".") {
            parts.push_back(part);
        }
        start = slash + 1;
    }
    std::string out = abs ? "/" : "";
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
    return out.empty() ? "." : out;
}

std::string dirname(const std::string& p) {
    const auto slash = p.rfind('/');
    return slash == std::string::npos ? "" : p.substr(0, slash);
}

// (tag, group) of every scalar series under a session run, sorted.
std::vector<std::pair<std::string, std::string>> metric_names(const Store& store, const std::set<std::string>& sessions) {
    std::set<std::pair<std::string, std::string>> names;
    for_each_series(store, "scalars", DataClass::scalar, [&](const Run& run, const std::string& tag, const Series&) {
        std::string session = run.name();
        while (!sessions.count(session)) {
            if (session.empty()) return;
            session = dirname(session);
        }
        std::string group = run.name() == session ? "" : run.name().substr(session.size() + 1);
        names.insert({tag, group});
    });
    return {names.begin(), names.end()};
}

std::vector<HParamInfo> hparams_from_sessions(const HParamsIndex& index) {
    std::map<std::string, std::vector<Value>> values;
    for (const auto& [run, tags] : index) {
        auto it = tags.find(kStartTag);
        if (it == tags.end()) continue;
        for (const auto& [name, v] : it->second.session_start_info().hparams()) values[name].push_back(v);
    }
    std::vector<HParamInfo> out;
    for (const auto& [name, vals] : values) {
        hp::DataType type = hp::DATA_TYPE_UNSET;
        for (const auto& v : vals) {
            const hp::DataType t = type_of(v);
            if (t == hp::DATA_TYPE_UNSET) continue;
            type = type == hp::DATA_TYPE_UNSET || type == t ? t : hp::DATA_TYPE_STRING;
            if (type == hp::DATA_TYPE_STRING) break;
        }
        if (type == hp::DATA_TYPE_UNSET) continue;
        HParamInfo h;
        h.info.set_name(name);
        h.info.set_type(type);
        if (type == hp::DATA_TYPE_STRING) {
            std::set<std::string> distinct;
            for (const auto& v : vals)
                if (type_of(v) != hp::DATA_TYPE_UNSET) distinct.insert(value_string(v));
            for (const auto& s : distinct) h.info.mutable_domain_discrete()->add_values()->set_string_value(s);
            h.differs = distinct.size() > 1;
        } else if (type == hp::DATA_TYPE_BOOL) {
            std::set<bool> distinct;
            for (const auto& v : vals) distinct.insert(v.bool_value());
            for (bool b : distinct) h.info.mutable_domain_discrete()->add_values()->set_bool_value(b);
            h.differs = distinct.size() > 1;
        } else {
            std::vector<double> nums;
            for (const auto& v : vals) nums.push_back(v.number_value());
            std::sort(nums.begin(), nums.end());
            h.info.mutable_domain_interval()->set_min_value(nums.front());
            h.info.mutable_domain_interval()->set_max_value(nums.back());
            h.differs = std::set<double>(nums.begin(), nums.end()).size() > 1;
        }
        out.push_back(std::move(h));
    }
    return out;
}

}  // namespace

HParamsIndex hparams_index(const Store& store) {
    HParamsIndex out;
    for_each_series(store, kPlugin, DataClass::tensor, [&](const Run& run, const std::string& tag, const Series& s) {
        hp::HParamsPluginData d;
        if (d.ParseFromString(s.meta.plugin_content)) out[run.name()][tag] = std::move(d);
    });
    return out;
}

json value_json(const Value& v) {
    switch (v.kind_case()) {
        case Value::kNumberValue: return jnum(v.number_value());
        case Value::kStringValue: return v.string_value();
        case Value::kBoolValue: return v.bool_value();
        default: return nullptr;
    }
}

std::string metric_run(const std::string& session, const std::string& group) {
    if (!group.empty() && group[0] == '/') return normpath(group);
    return normpath(session + "/" + group);
}

Experiment experiment(const Store& store, const HParamsIndex& index, bool include_metrics, long long hparams_limit) {
    Experiment e;
    bool found = false;
    for (const auto& [run, tags] : index) {
        auto it = tags.find(kExperimentTag);
        if (it == tags.end() || !it->second.has_experiment()) continue;
        e.proto = it->second.experiment();
        if (!include_metrics) e.proto.clear_metric_infos();
        for (const auto& info : e.proto.hparam_infos()) e.hparams.push_back({info, false});
        found = true;
        break;
    }
    if (!found) {
        e.hparams = hparams_from_sessions(index);
        if (!e.hparams.empty() && include_metrics) {
            std::set<std::string> sessions;
            for (const auto& [run, tags] : index)
                if (tags.count(kStartTag)) sessions.insert(run);
            for (const auto& [tag, group] : metric_names(store, sessions)) {
                auto* m = e.proto.add_metric_infos();
                m->mutable_name()->set_tag(tag);
                m->mutable_name()->set_group(group);
            }
        }
    }
    std::stable_sort(e.hparams.begin(), e.hparams.end(), [](const HParamInfo& a, const HParamInfo& b) {
        return std::make_pair(!a.differs, a.info.name()) < std::make_pair(!b.differs, b.info.name());
    });
    if (hparams_limit > 0 && e.hparams.size() > static_cast<std::size_t>(hparams_limit))
        e.hparams.resize(static_cast<std::size_t>(hparams_limit));
    return e;
}

json metric_name_json(const hp::MetricName& n) { return {{"group", n.group()}, {"tag", n.tag()}}; }

json experiment_json(const Experiment& e) {
    json hparams = json::array(), metrics = json::array();
    for (const auto& h : e.hparams) {
        json j = {{"name", h.info.name()},
                  {"displayName", h.info.display_name()},
                  {"description", h.info.description()},
                  {"type", hp::DataType_Name(h.info.type())},
                  {"differs", h.differs}};
        if (h.info.has_domain_discrete()) {
            json vals = json::array();
            for (const auto& v : h.info.domain_discrete().values()) vals.push_back(value_json(v));
            j["domainDiscrete"] = vals;
        } else if (h.info.has_domain_interval()) {
            j["domainInterval"] = {{"minValue", jnum(h.info.domain_interval().min_value())},
                                   {"maxValue", jnum(h.info.domain_interval().max_value())}};
        }
        hparams.push_back(std::move(j));
    }
    for (const auto& m : e.proto.metric_infos())
        metrics.push_back({{"name", metric_name_json(m.name())},
                           {"displayName", m.display_name()},
                           {"description", m.description()},
                           {"datasetType", hp::DatasetType_Name(m.dataset_type())}});
    return {{"name", e.proto.name()},
            {"description", e.proto.description()},
            {"user", e.proto.user()},
            {"timeCreatedSecs", jnum(e.proto.time_created_secs())},
            {"hparamInfos", hparams},
            {"metricInfos", metrics}};
}

}  // namespace tblog::view::hparams
