// Finding the time series a plugin route serves, under the right locks.
//
// TensorBoard's plugins ask their data provider for "the scalar/tensor/blob-sequence series
// of plugin P"; these helpers answer the same question over the Store: a series belongs to
// plugin P when its first record's metadata named P and gave it that data class.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "http/response_cache.hpp"
#include "http_util.hpp"
#include "markdown.hpp"

namespace tblog::view {

inline bool series_of(const Series& s, std::string_view plugin, DataClass cls) {
    return s.meta.data_class == cls && s.meta.plugin_name == plugin;
}

// Calls f(run, tag, series) for every series of `plugin`/`cls`, runs in name order, each run
// under its shared lock.
template <class F>
void for_each_series(const Store& store, std::string_view plugin, DataClass cls, F&& f) {
    for (const auto& run : store.runs()) {
        std::shared_lock lk(run->mutex);
        for (const auto& [tag, s] : run->series)
            if (series_of(s, plugin, cls)) f(*run, tag, s);
    }
}

// The series ?run=&tag= of `plugin`/`cls`: calls f(const Series&) under the run's shared lock,
// or answers 400/404 itself.
template <class F>
void with_series(const ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                 std::string_view plugin, DataClass cls, F&& f) {
    auto run = require_run(ctx, req, res);
    if (!run) return;
    auto tag = require_param(req, res, "tag");
    if (!tag) return;
    std::shared_lock lk(run->mutex);
    const Series* s = run->find(*tag);
    if (!s || !series_of(*s, plugin, cls)) {
        send_error(res, 404, "No " + std::string(plugin) + " data for run \"" + run->name() + "\", tag \"" + *tag + "\"");
        return;
    }
    f(*run, *s);
}

// {run: {tag: {"displayName", "description"}}}, the tags route of most plugins; `extra`
// may add fields per tag: extra(series, json& entry).
template <class Extra>
json tags_index(const Store& store, std::string_view plugin, DataClass cls, Extra&& extra) {
    json out = json::object();
    for_each_series(store, plugin, cls, [&](const Run& run, const std::string& tag, const Series& s) {
        json entry = {{"displayName", s.meta.display_name},
                      {"description", markdown_to_safe_html(s.meta.description)}};
        extra(s, entry);
        out[run.name()][tag] = std::move(entry);
    });
    return out;
}

inline json tags_index(const Store& store, std::string_view plugin, DataClass cls) {
    return tags_index(store, plugin, cls, [](const Series&, json&) {});
}

// The version, for the answer cache (http::cached, http/response_cache.hpp), of answers
// derived from the runs and their tags and from files beside the event files (e.g.
// /data/plugins_listing, which walks every series and looks for files in every run directory:
// ~40 ms at 1,000 runs x 20 tags, against ~0.1 ms to take this): the loader's completed passes
// (such files are looked for again after each), and each run's identity and number of series
// (a plugin's first data comes with a new series).
inline http::Version store_shape(const ServerContext& ctx) {
    return [&ctx](const httplib::Request&) -> std::optional<std::string> {
        std::string v = std::to_string(ctx.loader.stats().passes);
        for (const auto& run : ctx.store.runs()) {
            std::shared_lock lk(run->mutex);
            v += ';';
            v += std::to_string(run->uid());
            v += ':';
            v += std::to_string(run->series.size());
        }
        return v;
    };
}

// Every value of a repeated parameter (runs=a&runs=b...), in order: one pass, where
// get_param_value(name, i) for each i walks the parameters again (quadratic at 1,000 runs).
inline std::vector<std::string> param_values(const httplib::Request& req, const char* name) {
    std::vector<std::string> out;
    const auto [first, last] = req.params.equal_range(name);
    for (auto it = first; it != last; ++it) out.push_back(it->second);
    return out;
}

// The series of a batched request (tag=&runs=a&runs=b...): calls f(run, series, i) for each
// requested run that has a series of `plugin`/`cls` under the tag, in request order, under the
// run's shared lock (i: the run's position among the `runs` parameters). False, with a 400
// answered, when the tag is missing.
template <class F>
bool for_each_requested_series(const ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                               std::string_view plugin, DataClass cls, F&& f) {
    auto tag = require_param(req, res, "tag");
    if (!tag) return false;
    const std::vector<std::string> runs = param_values(req, "runs");
    for (std::size_t i = 0; i < runs.size(); ++i) {
        auto run = ctx.store.find(runs[i]);
        if (!run) continue;
        std::shared_lock lk(run->mutex);
        const Series* s = run->find(*tag);
        if (s && series_of(*s, plugin, cls)) f(*run, *s, i);
    }
    return true;
}

// The batched form of a per-(run, tag) route: POST (or GET) tag=&runs=a&runs=b answers
// {run: answer, ...} for the requested runs that have a series of `plugin`/`cls` under the
// tag, one request instead of one per run. answer(run, series, i) returns the JSON text the
// single-run route would send (i: the run's position among the `runs` parameters).
template <class Answer>
void serve_multirun(const ServerContext& ctx, const httplib::Request& req, httplib::Response& res,
                    std::string_view plugin, DataClass cls, Answer&& answer) {
    std::string out = "{";
    bool first = true;
    const bool ok = for_each_requested_series(ctx, req, res, plugin, cls, [&](const Run& run, const Series& s, std::size_t i) {
        if (!first) out += ',';
        first = false;
        out += json(run.name()).dump();
        out += ':';
        out += answer(run, s, i);
    });
    if (!ok) return;
    out += '}';
    send_body(res, std::move(out), "application/json");
}

}  // namespace tblog::view
