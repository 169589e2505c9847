// /data/environment, /data/runs, /data/plugins_listing and /data/tblog/status.
#include <algorithm>
#include <limits>
#include <set>

#include "plugin_index.hpp"
#include "routes.hpp"
#include "version.hpp"

namespace tblog::view {

namespace {

std::set<std::string> plugins_with_data(const Store& store) {
    std::set<std::string> out;
    for (const auto& run : store.runs()) {
        std::shared_lock lk(run->mutex);
        const std::string* last = nullptr;  // a run's series are mostly of one plugin
        for (const auto& [tag, s] : run->series)
            if (s.meta.data_class != DataClass::unknown && (!last || *last != s.meta.plugin_name)) {
                out.insert(s.meta.plugin_name);
                last = &s.meta.plugin_name;
            }
    }
    return out;
}

// /data/plugins_listing: every unit's entries, enabled by their rule or when a data plugin of
// theirs has series.
json plugins_listing(const ServerContext& ctx) {
    const auto with_data = plugins_with_data(ctx.store);
    json out = json::object();
    for (const PluginUnit* unit : plugin_units()) for (const ListingEntry& d : unit->listing) {
        const bool enabled = d.is_active ? d.is_active(ctx)
                                         : std::any_of(d.data_plugins.begin(), d.data_plugins.end(),
                                                       [&](const std::string& p) { return with_data.count(p) > 0; });
        json mech;
        if (d.element_name)
            mech = {{"type", "CUSTOM_ELEMENT"}, {"element_name", d.element_name}};
        else if (d.module_path)
            mech = {{"type", "IFRAME"}, {"module_path", d.module_path}};
        else
            mech = {{"type", "NG_COMPONENT"}};
        out[d.name] = {{"disable_reload", d.disable_reload},
                       {"enabled", enabled},
                       {"loading_mechanism", mech},
                       {"remove_dom", false},
                       {"tab_name", d.tab_name}};
    }
    return out;
}

// A cache of built values (versioned_cache.hpp) as the status route reports it.
json cache_stats(const VersionedCacheStats& s) {
    return {{"entries", s.entries}, {"bytes", s.bytes}, {"budget", s.budget},
            {"builds", s.builds},   {"hits", s.hits},   {"dropped", s.dropped}};
}

}  // namespace

void register_core_routes(Router& srv, ServerContext& ctx) {
    srv.Get("/data/environment", [&ctx](const httplib::Request&, httplib::Response& res) {
        send_json(res, {{"data_location", ctx.options.data_location},
                        {"window_title", ctx.options.window_title},
                        {"experiment_name", ""},
                        {"experiment_description", ""},
                        {"creation_time", 0.0},
                        {"version", kVersion},
                        {"server", "tblog-view"}});
    });

    // Run names ordered by start time (earliest event), ties and runs without events by name.
    srv.Get("/data/runs", [&ctx](const httplib::Request&, httplib::Response& res) {
        std::vector<std::pair<double, std::string>> order;
        for (const auto& run : ctx.store.runs()) {
            std::shared_lock lk(run->mutex);
            order.emplace_back(run->start_time.value_or(std::numeric_limits<double>::infinity()), run->name());
        }
        std::sort(order.begin(), order.end());
        json out = json::array();
        for (auto& [t, name] : order) out.push_back(name);
        send_json(res, out);
    });

    // Kept in the answer cache per shape of the store (plugin_index.hpp): a page asks for it on
    // every open and reload, and at 1,000 runs its walk of every series and run directory took ~40 ms.
    srv.Get("/data/plugins_listing", http::cached(ctx.answers, store_shape(ctx), [&ctx](const httplib::Request&, httplib::Response& res) {
        send_json(res, plugins_listing(ctx));
    }));

    // The rest of TensorBoard's core_plugin.py routes, as TensorBoard answers them without an
    // experiment database: the logdir (data_location), the window title, no experiments, and
    // no notifications (TensorBoard redirects to a static notifications_note.json).
    srv.Get("/data/logdir", [&ctx](const httplib::Request&, httplib::Response& res) {
        send_json(res, {{"logdir", ctx.options.data_location}});
    });
    srv.Get("/data/window_properties", [&ctx](const httplib::Request&, httplib::Response& res) {
        send_json(res, {{"window_title", ctx.options.window_title}});
    });
    for (const char* path : {"/data/experiments", "/data/experiment_runs"})
        srv.Get(path, [](const httplib::Request&, httplib::Response& res) { send_json(res, json::array()); });
    srv.Get("/data/notifications", [](const httplib::Request&, httplib::Response& res) {
        send_json(res, {{"notifications", json::array()}});
    });

    // tblog extra: what the loader has done (tests and benchmarks poll this).
    srv.Get("/data/tblog/status", [&ctx](const httplib::Request&, httplib::Response& res) {
        const LoaderStats s = ctx.loader.stats();
        const ScalarSpill& budget = ctx.store.budget();
        const TraceTimelineStats tl = ctx.store.timelines().stats();
        std::uint64_t points = 0, series = 0;
        for (const auto& run : ctx.store.runs()) {
            std::shared_lock lk(run->mutex);
            for (const auto& [tag, ser] : run->series) {
                ++series;
                points += ser.scalars.size() + ser.tensors.items().size() + ser.blobs.items().size();
            }
        }
        send_json(res, {{"passes", s.passes},
                        {"runs", s.runs},
                        {"files", s.files},
                        {"bytes", s.bytes},
                        {"records", s.records},
                        {"fast_records", s.fast_records},
                        {"corrupt_records", s.corrupt_records},
                        {"skipped_bytes", s.skipped_bytes},
                        {"unparsable_records", s.unparsable},
                        {"dropped_values", s.dropped_values},
                        {"truncated_files", s.truncated_files},
                        {"dead_files", s.dead_files},
                        {"series", series},
                        {"points", points},
                        {"first_pass_seconds", s.first_pass_seconds},
                        {"first_pass_cpu_seconds", s.first_pass_cpu_seconds},
                        {"last_pass_seconds", s.last_pass_seconds},
                        {"reload_interval", ctx.options.reload_interval},
                        // --max_memory (0: unlimited), the RAM the store's data is charged
                        // (scalar points and summaries, payloads, fixed per-run/series costs)
                        // and the bytes spilled past it; scalar_* are their older names
                        {"max_memory", budget.budget() == ScalarSpill::kUnlimited ? 0 : budget.budget()},
                        {"data_ram_bytes", budget.resident()},
                        {"reserved_bytes", budget.reserved()},  // set aside (ScalarSpill::reserve)
                        {"data_cache_bytes", budget.spilled_bytes()},
                        {"scalar_ram_bytes", budget.resident()},
                        {"scalar_cache_bytes", budget.spilled_bytes()},
                        // the Profile dashboard's timelines kept (trace_timelines.hpp); builds
                        // counts each trace file version built
                        {"trace_timelines", cache_stats(tl)},
                        // the scalar routes' answers kept as sent (http/response_cache.hpp)
                        {"answer_cache", cache_stats(ctx.answers->stats())},
                        // how --max_memory is shared (memory_shares.hpp; 0: unlimited): the
                        // answers' share and the timelines kept are part of reserved_bytes;
                        // data: what is left for the data now
                        {"memory_shares", {{"answers", ctx.answers->stats().budget},
                                           {"timelines", tl.budget},
                                           {"data", ctx.options.max_memory ? ctx.options.max_memory - ctx.answers->stats().budget - tl.bytes : 0}}},
                        {"version", kVersion}});
    });
}

// Core owns no data; it lists the TensorBoard dashboards tblog has no unit for, so the
// listing has TensorBoard's keys.
const PluginUnit& core_plugin() {
    static const PluginUnit unit{
        "core",
        {},
        {{"debugger-v2", "Debugger V2", nullptr, nullptr, false, {"debugger-v2"}},
         {"wit_redirect", "What-If Tool", "tf-wit-redirect-dashboard", nullptr, false, {}}},
        register_core_routes};
    return unit;
}

}  // namespace tblog::view
