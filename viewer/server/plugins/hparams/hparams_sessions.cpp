#include "plugins/hparams/hparams_sessions.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <regex>
#include <set>
#include <tuple>

#include "http_util.hpp"
#include "scalar_columns.hpp"

namespace tblog::view::hparams {

namespace {

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

}  // namespace

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

}  // namespace tblog::view::hparams
