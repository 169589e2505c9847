// HParams: /data/plugin/hparams/{experiment,session_groups,list_metric_evals} (POST JSON, or
// GET ?request=<json>), following TensorBoard's hparams plugin:
//
//   experiment: the Experiment summary (tag "_hparams_/experiment") of the first run holding
//     one; else one computed from every run's SessionStartInfo (hparam types and domains) and
//     the scalar tags under session runs (metrics); hparams sorted by (differs first, name).
//   session_groups: one session per run with a SessionStartInfo; sessions grouped by
//     group_name (or alone); metrics are the last value of each experiment metric in the run
//     <session>/<group>; groups filtered by status and colParams, sorted by name then by the
//     colParams' orders, sliced by startIndex/sliceSize.
#include <google/protobuf/struct.pb.h>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <map>
#include <regex>
#include <set>

#include "number_format.hpp"
#include "plugin_hparams.pb.h"
#include "plugin_index.hpp"
#include "routes.hpp"
#include "scalar_json.hpp"

namespace tblog::view {

namespace {

namespace hp = tensorboard::hparams;
using google::protobuf::Value;

constexpr const char* kPlugin = "hparams";
constexpr const char* kExperimentTag = "_hparams_/experiment";
constexpr const char* kStartTag = "_hparams_/session_start_info";
constexpr const char* kEndTag = "_hparams_/session_end_info";

// {run: {tag: HParamsPluginData}} for every hparams series.
using HParamsIndex = std::map<std::string, std::map<std::string, hp::HParamsPluginData>>;

HParamsIndex hparams_index(const Store& store) {
    HParamsIndex out;
    for_each_series(store, kPlugin, DataClass::tensor, [&](const Run& run, const std::string& tag, const Series& s) {
        hp::HParamsPluginData d;
        if (d.ParseFromString(s.meta.plugin_content)) out[run.name()][tag] = std::move(d);
    });
    return out;
}

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

json value_json(const Value& v) {
    switch (v.kind_case()) {
        case Value::kNumberValue: return jnum(v.number_value());
        case Value::kStringValue: return v.string_value();
        case Value::kBoolValue: return v.bool_value();
        default: return nullptr;
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

// ---- experiment ---------------------------------------------------------------------------

struct HParamInfo {
    hp::HParamInfo info;
    bool differs = false;
};

struct Experiment {
    hp::Experiment proto;
    std::vector<HParamInfo> hparams;  // sorted: differing first, then by name
};

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

// os.path.normpath(os.path.join(session, group))
std::string metric_run(const std::string& session, const std::string& group) {
    if (!group.empty() && group[0] == '/') return normpath(group);
    return normpath(session + "/" + group);
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

// MessageToJson(experiment, including_default_value_fields=True)
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

// ---- session groups -------------------------------------------------------------------

struct MetricValue {
    hp::MetricName name;
    double value;
    std::int64_t step;
    double wall_time;
};

struct Session {
    std::string name;
    double start_time = 0, end_time = 0;
    hp::Status status = hp::STATUS_UNKNOWN;
    std::string model_uri, monitor_url;
    std::vector<MetricValue> metrics;
};

struct Group {
    std::string name, monitor_url;
    const google::protobuf::Map<std::string, Value>* hparams = nullptr;
    std::vector<Session> sessions;
    std::vector<MetricValue> metrics;  // aggregated
};

const MetricValue* find_metric(const std::vector<MetricValue>& ms, const hp::MetricName& n) {
    for (const auto& m : ms)
        if (m.name.tag() == n.tag() && m.name.group() == n.group()) return &m;
    return nullptr;
}

// Last scalar of run/tag, if any.
std::optional<ScalarPoint> last_scalar(const Store& store, const std::string& run_name, const std::string& tag) {
    auto run = store.find(run_name);
    if (!run) return std::nullopt;
    std::shared_lock lk(run->mutex);
    const Series* s = run->find(tag);
    if (!s || s->meta.data_class != DataClass::scalar || s->meta.plugin_name != "scalars" || s->scalars.empty())
        return std::nullopt;
    return s->scalars.point(s->scalars.size() - 1);
}

// A sortable/filterable cell: missing, number, string or bool.
struct Cell {
    int kind = 0;  // 0 missing, 1 bool, 2 number, 3 string
    double num = 0;
    std::string str;
    bool operator<(const Cell& o) const { return std::tie(kind, num, str) < std::tie(o.kind, o.num, o.str); }
    bool operator==(const Cell& o) const { return kind == o.kind && num == o.num && str == o.str; }
};

Cell cell_of(const Value& v) {
    Cell c;
    if (v.kind_case() == Value::kNumberValue) c.kind = 2, c.num = v.number_value();
    else if (v.kind_case() == Value::kStringValue) c.kind = 3, c.str = v.string_value();
    else if (v.kind_case() == Value::kBoolValue) c.kind = 1, c.num = v.bool_value();
    return c;
}

Cell cell_of(const json& j) {
    Cell c;
    if (j.is_number()) c.kind = 2, c.num = j.get<double>();
    else if (j.is_string()) c.kind = 3, c.str = j.get<std::string>();
    else if (j.is_boolean()) c.kind = 1, c.num = j.get<bool>();
    return c;
}

struct ColParam {
    bool is_metric = false;
    hp::MetricName metric;
    std::string hparam;
    int order = 0;  // 0 unspecified, 1 asc, 2 desc
    bool missing_first = false, exclude_missing = false;
    std::optional<std::regex> regexp;
    std::optional<std::pair<double, double>> interval;
    std::optional<std::vector<Cell>> discrete;

    Cell extract(const Group& g) const {
        if (is_metric) {
            const MetricValue* m = find_metric(g.metrics, metric);
            Cell c;
            if (m) c.kind = 2, c.num = m->value;
            return c;
        }
        auto it = g.hparams->find(hparam);
        return it == g.hparams->end() ? Cell{} : cell_of(it->second);
    }

    bool passes(const Group& g) const {
        const Cell c = extract(g);
        if (c.kind == 0) return !exclude_missing;
        if (regexp) return c.kind == 3 && std::regex_search(c.str, *regexp);
        if (interval) return c.kind == 2 && interval->first <= c.num && c.num <= interval->second;
        if (discrete) return std::find(discrete->begin(), discrete->end(), c) != discrete->end();
        return true;
    }
};

template <class T>
T field(const json& j, const char* camel, const char* snake, T fallback) {
    if (j.contains(camel)) return j.at(camel).get<T>();
    if (j.contains(snake)) return j.at(snake).get<T>();
    return fallback;
}

int enum_value(const json& j, const std::map<std::string, int>& names) {
    if (j.is_number()) return j.get<int>();
    auto it = names.find(j.get<std::string>());
    return it == names.end() ? -1 : it->second;
}

ColParam parse_col_param(const json& j) {
    ColParam c;
    if (j.contains("metric")) {
        c.is_metric = true;
        c.metric.set_group(j["metric"].value("group", ""));
        c.metric.set_tag(j["metric"].value("tag", ""));
    } else if (j.contains("hparam")) {
        c.hparam = j["hparam"].get<std::string>();
    } else {
        throw std::invalid_argument("colParam with neither metric nor hparam");
    }
    if (j.contains("order")) c.order = enum_value(j["order"], {{"ORDER_UNSPECIFIED", 0}, {"ORDER_ASC", 1}, {"ORDER_DESC", 2}});
    c.missing_first = field(j, "missingValuesFirst", "missing_values_first", false);
    c.exclude_missing = field(j, "excludeMissingValues", "exclude_missing_values", false);
    const json* f;
    if ((f = j.contains("filterRegexp") ? &j["filterRegexp"] : j.contains("filter_regexp") ? &j["filter_regexp"] : nullptr))
        c.regexp = std::regex(f->get<std::string>());
    if ((f = j.contains("filterInterval") ? &j["filterInterval"] : j.contains("filter_interval") ? &j["filter_interval"] : nullptr))
        c.interval = std::make_pair(field(*f, "minValue", "min_value", -INFINITY), field(*f, "maxValue", "max_value", INFINITY));
    if ((f = j.contains("filterDiscrete") ? &j["filterDiscrete"] : j.contains("filter_discrete") ? &j["filter_discrete"] : nullptr)) {
        std::vector<Cell> cells;
        for (const auto& v : *f) cells.push_back(cell_of(v));
        c.discrete = cells;
    }
    return c;
}

json metric_value_json(const MetricValue& m) {
    return {{"name", metric_name_json(m.name)},
            {"value", jnum(m.value)},
            {"trainingStep", m.step},
            {"wallTimeSecs", jnum(m.wall_time)}};
}

json session_groups(const Store& store, const json& request) {
    const HParamsIndex index = hparams_index(store);
    const bool include_metrics = field(request, "includeMetrics", "include_metrics", true);
    const Experiment exp = experiment(store, index, true, 0);

    std::set<int> allowed;
    const json statuses = request.contains("allowedStatuses") ? request["allowedStatuses"]
                                                              : request.value("allowed_statuses", json::array());
    for (const auto& s : statuses)
        allowed.insert(enum_value(s, {{"STATUS_UNKNOWN", 0}, {"STATUS_SUCCESS", 1}, {"STATUS_FAILURE", 2}, {"STATUS_RUNNING", 3}}));

    std::map<std::string, Group> groups;
    for (const auto& [run, tags] : index) {
        auto start = tags.find(kStartTag);
        if (start == tags.end()) continue;
        const hp::SessionStartInfo& si = start->second.session_start_info();
        Session s;
        s.name = run;
        s.start_time = si.start_time_secs();
        s.model_uri = si.model_uri();
        s.monitor_url = si.monitor_url();
        if (include_metrics) {
            for (const auto& mi : exp.proto.metric_infos()) {
                if (auto p = last_scalar(store, metric_run(run, mi.name().group()), mi.name().tag()))
                    s.metrics.push_back({mi.name(), p->value, p->step, p->wall_time});
            }
        }
        if (auto end = tags.find(kEndTag); end != tags.end()) {
            s.status = end->second.session_end_info().status();
            s.end_time = end->second.session_end_info().end_time_secs();
        }
        if (!allowed.count(s.status)) continue;
        const std::string group_name = si.group_name().empty() ? run : si.group_name();
        Group& g = groups[group_name];
        if (g.sessions.empty()) {
            g.name = group_name;
            g.monitor_url = si.monitor_url();
            g.hparams = &si.hparams();
        }
        g.sessions.push_back(std::move(s));
    }

    std::vector<Group*> list;
    for (auto& [name, g] : groups) {
        std::sort(g.sessions.begin(), g.sessions.end(), [](const Session& a, const Session& b) { return a.name < b.name; });
        // Average of every metric over the group's sessions (aggregation AVG, the default).
        struct Stats {
            hp::MetricName name;
            double total = 0, walls = 0;
            std::int64_t count = 0, steps = 0;
        };
        std::vector<Stats> stats;
        for (const auto& s : g.sessions)
            for (const auto& m : s.metrics) {
                auto it = std::find_if(stats.begin(), stats.end(), [&](const Stats& st) {
                    return st.name.tag() == m.name.tag() && st.name.group() == m.name.group();
                });
                if (it == stats.end()) it = stats.insert(stats.end(), Stats{m.name});
                it->total += m.value;
                it->walls += m.wall_time;
                it->count += 1;
                it->steps += m.step;
            }
        for (const auto& st : stats)
            g.metrics.push_back({st.name, st.total / static_cast<double>(st.count), st.steps / st.count,
                                 st.walls / static_cast<double>(st.count)});
        list.push_back(&g);
    }

    std::vector<ColParam> cols;
    for (const auto& c : request.contains("colParams") ? request["colParams"] : request.value("col_params", json::array()))
        cols.push_back(parse_col_param(c));
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const Group* g) {
                                  return !std::all_of(cols.begin(), cols.end(), [&](const ColParam& c) { return c.passes(*g); });
                              }),
               list.end());
    // Name order, then the colParams' orders (the first is the primary key).
    for (auto it = cols.rbegin(); it != cols.rend(); ++it) {
        const ColParam& c = *it;
        if (c.order == 0) continue;
        const bool missing_largest = c.order == 1 ? !c.missing_first : c.missing_first;
        std::stable_sort(list.begin(), list.end(), [&](const Group* a, const Group* b) {
            Cell ca = c.extract(*a), cb = c.extract(*b);
            auto key = [&](const Cell& x) { return std::make_pair((x.kind == 0) == missing_largest, x); };
            return c.order == 1 ? key(ca) < key(cb) : key(cb) < key(ca);
        });
    }

    const long long start = field(request, "startIndex", "start_index", 0LL);
    const long long size = field(request, "sliceSize", "slice_size", 0LL);
    json out_groups = json::array();
    for (long long i = std::max(0LL, start); i < static_cast<long long>(list.size()) && i < start + size; ++i) {
        const Group& g = *list[static_cast<std::size_t>(i)];
        json hparams = json::object();
        for (const auto& [k, v] : *g.hparams) hparams[k] = value_json(v);
        json sessions = json::array(), metrics = json::array();
        for (const auto& m : g.metrics) metrics.push_back(metric_value_json(m));
        for (const auto& s : g.sessions) {
            json sm = json::array();
            for (const auto& m : s.metrics) sm.push_back(metric_value_json(m));
            sessions.push_back({{"name", s.name},
                                {"startTimeSecs", jnum(s.start_time)},
                                {"endTimeSecs", jnum(s.end_time)},
                                {"status", hp::Status_Name(s.status)},
                                {"modelUri", s.model_uri},
                                {"metricValues", sm},
                                {"monitorUrl", s.monitor_url}});
        }
        out_groups.push_back({{"name", g.name},
                              {"hparams", hparams},
                              {"metricValues", metrics},
                              {"sessions", sessions},
                              {"monitorUrl", g.monitor_url}});
    }
    return {{"sessionGroups", out_groups}, {"totalSize", list.size()}};
}

// The request proto as JSON: the POST body, or ?request= of a GET.
std::optional<json> request_json(const httplib::Request& req, httplib::Response& res) {
    const std::string text = req.method == "POST" ? req.body : param_or(req, "request", "{}");
    try {
        json j = text.empty() ? json::object() : json::parse(text);
        if (!j.is_object()) throw std::invalid_argument("not an object");
        return j;
    } catch (const std::exception& e) {
        send_error(res, 400, std::string("bad request JSON: ") + e.what());
        return std::nullopt;
    }
}

template <class F>
void handle(const httplib::Request& req, httplib::Response& res, F&& f) {
    auto body = request_json(req, res);
    if (!body) return;
    try {
        send_json(res, f(*body));
    } catch (const std::exception& e) {  // bad colParams, regexps, types
        send_error(res, 400, std::string("bad hparams request: ") + e.what());
    }
}

}  // namespace

void register_hparams_routes(httplib::Server& srv, ServerContext& ctx) {
    auto experiment_route = [&ctx](const httplib::Request& req, httplib::Response& res) {
        handle(req, res, [&](const json& body) {
            return experiment_json(experiment(ctx.store, hparams_index(ctx.store),
                                              field(body, "includeMetrics", "include_metrics", true),
                                              field(body, "hparamsLimit", "hparams_limit", 0LL)));
        });
    };
    srv.Post("/data/plugin/hparams/experiment", experiment_route);
    srv.Get("/data/plugin/hparams/experiment", experiment_route);

    auto groups_route = [&ctx](const httplib::Request& req, httplib::Response& res) {
        handle(req, res, [&](const json& body) { return session_groups(ctx.store, body); });
    };
    srv.Post("/data/plugin/hparams/session_groups", groups_route);
    srv.Get("/data/plugin/hparams/session_groups", groups_route);

    // {"sessionName", "metricName": {"group", "tag"}} -> [[wall_time, step, value], ...]
    auto evals_route = [&ctx](const httplib::Request& req, httplib::Response& res) {
        auto body = request_json(req, res);
        if (!body) return;
        const std::string session = field(*body, "sessionName", "session_name", std::string());
        const json metric = body->contains("metricName") ? (*body)["metricName"] : body->value("metric_name", json::object());
        const std::string run_name = metric_run(session, metric.value("group", ""));
        auto run = ctx.store.find(run_name);
        if (!run) return send_error(res, 404, "Unknown run: \"" + run_name + "\"");
        std::shared_lock lk(run->mutex);
        const Series* s = run->find(metric.value("tag", ""));
        if (!s || !series_of(*s, "scalars", DataClass::scalar)) return send_error(res, 404, "No such metric");
        send_body(res, points_json(s->scalars), "application/json");
    };
    srv.Post("/data/plugin/hparams/list_metric_evals", evals_route);
    srv.Get("/data/plugin/hparams/list_metric_evals", evals_route);
}

}  // namespace tblog::view
