// HParams routes: /data/plugin/hparams/{experiment,session_groups,metric_evals,download_data},
// as TensorBoard's hparams_plugin.py registers them (POST JSON, or GET ?request=<json>);
// /list_metric_evals is an alias of /metric_evals. The experiment is inferred by
// hparams_experiment.hpp, session groups are queried by hparams_sessions.hpp; download_data
// formats their rows as TensorBoard's download_data.py does (csv, json, latex).
#include <cmath>
#include <cstdio>
#include <vector>

#include "number_format.hpp"
#include "plugin_index.hpp"
#include "plugins/hparams/hparams_experiment.hpp"
#include "plugins/hparams/hparams_sessions.hpp"
#include "routes.hpp"
#include "scalar_json.hpp"

namespace tblog::view {

namespace {

using namespace hparams;

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

// ---- download_data --------------------------------------------------------------------

// A cell of the table: missing (None), a bool, a number or a string.
struct Cell {
    enum Kind { none, boolean, number, string } kind = none;
    bool b = false;
    double d = 0;
    std::string s;
};

struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<Cell>> rows;
};

double number_of(const json& j) {  // jnum's strings back to doubles
    if (j.is_number()) return j.get<double>();
    const std::string s = j.get<std::string>();
    return s == "NaN" ? NAN : s == "-Infinity" ? -INFINITY : INFINITY;
}

// download_data.Handler.run before formatting: a header of hparam then metric display names
// (or names / tags), one row per session group, every column filtered by `visible` (zip:
// columns beyond it are dropped).
Table download_table(const Store& store, const json& request, const std::vector<bool>& visible) {
    const Experiment exp = experiment(store, hparams_index(store), field(request, "includeMetrics", "include_metrics", true), 0);
    const json groups = session_groups(store, request);
    auto filter = [&](auto row) {
        decltype(row) out;
        for (std::size_t i = 0; i < row.size() && i < visible.size(); ++i)
            if (visible[i]) out.push_back(std::move(row[i]));
        return out;
    };
    Table t;
    std::vector<std::string> header;
    for (const auto& h : exp.hparams) header.push_back(h.info.display_name().empty() ? h.info.name() : h.info.display_name());
    for (const auto& m : exp.proto.metric_infos()) header.push_back(m.display_name().empty() ? m.name().tag() : m.display_name());
    t.header = filter(header);
    for (const auto& g : groups["sessionGroups"]) {
        std::vector<Cell> row;
        for (const auto& h : exp.hparams) {
            Cell c;
            const json& v = g["hparams"].contains(h.info.name()) ? g["hparams"][h.info.name()] : json();
            if (v.is_boolean()) c.kind = Cell::boolean, c.b = v.get<bool>();
            else if (v.is_number()) c.kind = Cell::number, c.d = v.get<double>();
            else if (v.is_string()) c.kind = Cell::string, c.s = v.get<std::string>();  // "" for unset
            else c.kind = Cell::string;
            row.push_back(std::move(c));
        }
        for (const auto& m : exp.proto.metric_infos()) {
            Cell c;
            for (const auto& mv : g["metricValues"])
                if (mv["name"]["group"] == m.name().group() && mv["name"]["tag"] == m.name().tag())
                    c.kind = Cell::number, c.d = number_of(mv["value"]);
            row.push_back(std::move(c));
        }
        t.rows.push_back(filter(row));
    }
    return t;
}

json cell_json(const Cell& c) {
    switch (c.kind) {
        case Cell::boolean: return c.b;
        case Cell::number: return jnum(c.d);
        case Cell::string: return c.s;
        default: return nullptr;
    }
}

json table_json(const Table& t) {
    json rows = json::array();
    for (const auto& r : t.rows) {
        json row = json::array();
        for (const auto& c : r) row.push_back(cell_json(c));
        rows.push_back(std::move(row));
    }
    return {{"header", t.header}, {"rows", rows}};
}

// Python's csv.writer (excel dialect): str() of each value, None empty, a field quoted (quotes
// doubled) when it holds a comma, a quote, CR or LF, or is the only, empty field of a row.
std::string csv_field(const std::string& s, bool only) {
    if (s.find_first_of(",\"\r\n") == std::string::npos && !(only && s.empty())) return s;
    std::string out = "\"";
    for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return out + "\"";
}

std::string csv_text(const Cell& c) {
    std::string s;
    switch (c.kind) {
        case Cell::boolean: return c.b ? "True" : "False";
        case Cell::number: append_repr(s, c.d, "nan", "inf"); return s;
        case Cell::string: return c.s;
        default: return "";
    }
}

std::string table_csv(const Table& t) {
    std::string out;
    auto line = [&](const std::vector<std::string>& fields) {
        for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csv_field(fields[i], fields.size() == 1);
        out += "\r\n";
    };
    line(t.header);
    for (const auto& r : t.rows) {
        std::vector<std::string> fields;
        for (const auto& c : r) fields.push_back(csv_text(c));
        line(fields);
    }
    return out;
}

// download_data.py's latex_format: None "-", bools and ints "$%d$", floats "%.3g" in math mode
// (exponents as \cdot 10^{e}), strings with _ and % escaped.
std::string latex_string(const std::string& s) {
    std::string out;
    for (char ch : s) out += ch == '_' ? "\\_" : ch == '%' ? "\\%" : std::string(1, ch);
    return out;
}

std::string latex_cell(const Cell& c) {
    switch (c.kind) {
        case Cell::none: return "-";
        case Cell::boolean: return c.b ? "$1$" : "$0$";  // bool is an int in Python
        case Cell::string: return latex_string(c.s);
        case Cell::number: break;
    }
    if (std::isnan(c.d)) return "$\\mathrm{NaN}$";
    if (std::isinf(c.d)) return c.d < 0 ? "$-\\infty$" : "$+\\infty$";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", c.d);
    const std::string sci = buf;
    const auto e = sci.find('e');
    if (e == std::string::npos) return "$" + sci + "$";
    return "$" + sci.substr(0, e) + "\\cdot 10^{" + std::to_string(std::stoi(sci.substr(e + 1))) + "}$";
}

std::string table_latex(const Table& t) {
    std::string out = "\\begin{table}[tbp]\n\\begin{tabular}{" + std::string(t.header.size(), 'l') + "}\n";
    for (std::size_t i = 0; i < t.header.size(); ++i) out += (i ? " & " : "") + latex_string(t.header[i]);
    out += " \\\\ \\hline\n";
    for (const auto& r : t.rows) {
        for (std::size_t i = 0; i < r.size(); ++i) out += (i ? " & " : "") + latex_cell(r[i]);
        out += " \\\\\n";
    }
    return out + "\\hline\n\\end{tabular}\n\\end{table}\n";
}

}  // namespace

void register_hparams_routes(Router& srv, ServerContext& ctx) {
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
    // TensorBoard's name; /list_metric_evals is kept as an alias (older tblog-view clients).
    for (const char* path : {"/data/plugin/hparams/metric_evals", "/data/plugin/hparams/list_metric_evals"}) {
        srv.Post(path, evals_route);
        srv.Get(path, evals_route);
    }

    // ?request=<ListSessionGroupsRequest JSON>&format=csv|json|latex&columnsVisibility=[bool...]
    srv.Get("/data/plugin/hparams/download_data", [&ctx](const httplib::Request& req, httplib::Response& res) {
        auto body = request_json(req, res);
        if (!body) return;
        auto format = require_param(req, res, "format");
        if (!format) return;
        auto visibility_text = require_param(req, res, "columnsVisibility");
        if (!visibility_text) return;
        try {
            const json visibility = json::parse(*visibility_text);
            if (!visibility.is_array()) throw std::invalid_argument("columnsVisibility is not a list");
            std::vector<bool> visible;
            for (const auto& v : visibility) visible.push_back(v.is_boolean() ? v.get<bool>() : !v.is_null() && v != 0);
            const Table t = download_table(ctx.store, *body, visible);
            if (*format == "json") return send_json(res, table_json(t));
            if (*format == "csv") return send_body(res, table_csv(t), "text/csv; charset=utf-8");
            if (*format == "latex") return send_body(res, table_latex(t), "application/x-latex");
            send_error(res, 400, "Invalid reponses format: " + *format);  // TensorBoard's wording
        } catch (const std::exception& e) {
            send_error(res, 400, std::string("bad hparams request: ") + e.what());
        }
    });
}

const PluginUnit& hparams_plugin() {
    static const PluginUnit unit{"hparams",
                                 {{"hparams", DataClass::tensor}},
                                 {{"hparams", "hparams", "tf-hparams-dashboard", nullptr, false, {"hparams"}}},
                                 register_hparams_routes};
    return unit;
}

}  // namespace tblog::view
