// Profiler traces: /data/tblog/profile/runs lists the trace files the loader found (tblog's
// and TensorFlow's <run>/plugins/profile/<session>/<host>.trace.json[.gz] and .xplane.pb,
// PyTorch's <run>/<worker>.<stamp>.pt.trace.json[.gz]; see ProfileTrace);
// /data/tblog/profile/trace?run=&session=&host=[&format=] serves one as Chrome trace-event
// JSON. A gzipped JSON trace goes out as stored with "Content-Encoding: gzip" when the
// client accepts it (browsers do), else inflated; an XSpace is converted (xspace_trace.cpp).
// Without format, a JSON trace is preferred to the XSpace of the same session and host.
// /data/tblog/profile/trace_columns (same parameters) serves the same trace as the timeline
// the dashboard draws, in columns (trace_columns.hpp): what the page reads; the JSON route
// stays for downloads, Perfetto and other clients.
#include <zlib.h>

#include "logdir_files.hpp"
#include "routes.hpp"
#include "trace_columns.hpp"
#include "xspace_trace.hpp"

namespace tblog::view {

namespace {

std::optional<std::string> gunzip(const std::string& in) {
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    std::string out;
    // the gzip trailer's size (mod 4 GiB): one allocation instead of a doubling string's copies
    if (in.size() >= 18) {
        const auto* t = reinterpret_cast<const unsigned char*>(in.data() + in.size() - 4);
        out.reserve(t[0] | (t[1] << 8) | (t[2] << 16) | (static_cast<std::size_t>(t[3]) << 24));
    }
    char buf[1 << 16];
    int rc;
    do {
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof(buf);
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&zs);
            return std::nullopt;
        }
        out.append(buf, sizeof(buf) - zs.avail_out);
    } while (rc != Z_STREAM_END);
    inflateEnd(&zs);
    return out;
}

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

// The trace as Chrome trace-event JSON text (inflated, or converted from an XSpace); on
// failure an error is sent.
std::optional<std::string> trace_json(const ProfileTrace& t, LogdirFile& file, httplib::Response& res) {
    const std::string bytes = file.read_all();
    if (t.format == "xspace") {
        try {
            return xspace_to_trace_json(bytes);
        } catch (const std::exception& e) {
            send_error(res, 500, std::string("trace file is not valid: ") + e.what());
            return std::nullopt;
        }
    }
    if (!t.gzipped) return bytes;
    auto plain = gunzip(bytes);
    if (!plain) send_error(res, 500, "trace file is not valid gzip");
    return plain;
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
        if (auto text = trace_json(*t, *file, res)) res.set_content(*text, "application/json");
    });

    srv.Get("/data/tblog/profile/trace_columns", [&ctx](const httplib::Request& req, httplib::Response& res) {
        const auto t = find_trace(ctx, req, res);
        if (!t) return;
        auto file = open_trace(ctx, *t, res);
        if (!file) return;
        const auto text = trace_json(*t, *file, res);
        if (!text) return;
        try {
            res.set_content(trace_columns(*text), "application/octet-stream");
        } catch (const std::exception& e) {
            send_error(res, 500, std::string("trace file is not valid: ") + e.what());
        }
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
