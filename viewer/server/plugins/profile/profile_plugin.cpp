// Profiler traces: /data/tblog/profile/runs lists the trace files the loader found (tblog's
// and TensorFlow's <run>/plugins/profile/<session>/<host>.trace.json[.gz] and .xplane.pb,
// PyTorch's <run>/<worker>.<stamp>.pt.trace.json[.gz]; see ProfileTrace);
// /data/tblog/profile/trace?run=&session=&host=[&format=] serves one as Chrome trace-event
// JSON. A gzipped JSON trace goes out as stored with "Content-Encoding: gzip" when the
// client accepts it (browsers do), else inflated; an XSpace is converted (xspace_trace.cpp).
// Without format, a JSON trace is preferred to the XSpace of the same session and host.
// /data/tblog/profile/trace_columns (same parameters) serves the same trace as the timeline
// the dashboard draws, in columns (trace_columns.hpp): what the page reads; the JSON route
// stays for downloads, Perfetto and other clients. The timeline is built once per version of
// the file and kept in the Store (trace_timelines.hpp, trace_file.hpp).
#include "http/response.hpp"
#include "logdir_files.hpp"
#include "routes.hpp"
#include "trace_file.hpp"

namespace tblog::view {

namespace {

// The trace the request names, if the loader listed it (the parameters never form a path);
// else an error is sent. Without format, a JSON trace before the XSpace of the same host.
std::optional<ProfileTrace> find_trace(ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
    auto run = require_param(req, res, "run");
    auto session = run ? require_param(req, res, "session") : std::nullopt;
    auto host = session ? require_param(req, res, "host") : std::nullopt;
    if (!host) return std::nullopt;
    const std::string format = req.get_param_value("format");
    std::optional<ProfileTrace> found;
    for (auto& t : ctx.loader.profile_traces()) {
        if (t.run != *run || t.session != *session || t.host != *host) continue;
        if (!format.empty() ? t.format == format : (!found || found->format == "xspace")) found = std::move(t);
    }
    if (!found) send_error(res, 404, "No trace for run \"" + *run + "\", session \"" + *session + "\", host \"" + *host + "\"");
    return found;
}

// The one place profile routes open a trace file: through the logdir containment check
// (logdir_files.hpp), so a trace symlinked out of the logdir is refused.
std::shared_ptr<LogdirFile> open_trace(ServerContext& ctx, const ProfileTrace& t, httplib::Response& res) {
    FileRefusal why;
    auto file = open_logdir_file(ctx.options, t.path, &why);
    if (!file) send_error(res, why.status, why.reason);
    return file;
}

}  // namespace

void register_profile_routes(Router& srv, ServerContext& ctx) {
    srv.Get("/data/tblog/profile/runs", [&ctx](const httplib::Request&, httplib::Response& res) {
        json out = json::array();
        for (const auto& t : ctx.loader.profile_traces())
            out.push_back({{"run", t.run}, {"session", t.session}, {"host", t.host}, {"format", t.format},
                            {"bytes", t.bytes}, {"gzipped", t.gzipped}});
        send_json(res, out);
    });

    srv.Get("/data/tblog/profile/trace", [&ctx](const httplib::Request& req, httplib::Response& res) {
        const auto t = find_trace(ctx, req, res);
        if (!t) return;
        auto file = open_trace(ctx, *t, res);
        if (!file) return;
        // Served as stored: streamed from disk, never held whole in memory.
        const bool as_stored = !t->gzipped || req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos;
        if (t->format != "xspace" && as_stored) {
            if (!t->gzipped) return stream_logdir_file(res, file, "application/json");
            res.set_header("Content-Encoding", "gzip");
            // With a charset the type is not one the server compresses again.
            return stream_logdir_file(res, file, "application/json; charset=utf-8");
        }
        try {
            res.set_content(trace_json(*t, *file), "application/json");
        } catch (const TraceFileError& e) {
            send_error(res, e.status, e.what());
        }
    });

    // Read from the Store: built by the loader when it found this version of the file (or
    // here, once, if the page asks first).
    srv.Get("/data/tblog/profile/trace_columns", [&ctx](const httplib::Request& req, httplib::Response& res) {
        const auto t = find_trace(ctx, req, res);
        if (!t) return;
        const TraceTimeline tl = trace_timeline(ctx.options, ctx.store, *t);
        if (!tl.bytes) return send_error(res, tl.status, tl.error);
        http::stream_shared(res, tl.bytes, "application/octet-stream");
    });
}

const PluginUnit& profile_plugin() {
    static const PluginUnit unit{"profile",
                                 {},
                                 {{"profile_redirect", "Profile", "tf-profile-redirect-dashboard", nullptr, false, {}}},
                                 register_profile_routes};
    return unit;
}

}  // namespace tblog::view
