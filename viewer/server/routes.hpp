// The HTTP routes, one registration function per TensorBoard plugin (same paths as
// TensorBoard: /data/... and /data/plugin/<plugin>/...), plus tblog's own /data/tblog/...
#pragma once

#include "http/router.hpp"
#include "http_util.hpp"

namespace tblog::view {

// Route files register handlers with srv.Get/Post(pattern, handler), handlers taking
// (const httplib::Request&, httplib::Response&) as with cpp-httplib's server.
using http::Router;

void register_core_routes(Router& srv, ServerContext& ctx);        // environment, runs, plugins_listing, status
void register_scalar_routes(Router& srv, ServerContext& ctx);      // scalars (+ csv, multirun, downsampled)
void register_histogram_routes(Router& srv, ServerContext& ctx);   // histograms, distributions
void register_media_routes(Router& srv, ServerContext& ctx);       // images, audio
void register_text_routes(Router& srv, ServerContext& ctx);        // text
void register_pr_curve_routes(Router& srv, ServerContext& ctx);    // pr_curves
void register_custom_scalar_routes(Router& srv, ServerContext& ctx);
void register_mesh_routes(Router& srv, ServerContext& ctx);
void register_graph_routes(Router& srv, ServerContext& ctx);
void register_hparams_routes(Router& srv, ServerContext& ctx);
void register_timeseries_routes(Router& srv, ServerContext& ctx);  // TensorBoard's Time Series tab
void register_projector_routes(Router& srv, ServerContext& ctx);
void register_profile_routes(Router& srv, ServerContext& ctx);     // /data/tblog/profile/...
void register_web_routes(Router& srv, ServerContext& ctx);         // the embedded web UI

inline void register_all_routes(Router& srv, ServerContext& ctx) {
    register_core_routes(srv, ctx);
    register_scalar_routes(srv, ctx);
    register_histogram_routes(srv, ctx);
    register_media_routes(srv, ctx);
    register_text_routes(srv, ctx);
    register_pr_curve_routes(srv, ctx);
    register_custom_scalar_routes(srv, ctx);
    register_mesh_routes(srv, ctx);
    register_graph_routes(srv, ctx);
    register_hparams_routes(srv, ctx);
    register_timeseries_routes(srv, ctx);
    register_projector_routes(srv, ctx);
    register_profile_routes(srv, ctx);
    register_web_routes(srv, ctx);  // last: its catch-all must not shadow /data routes
}

}  // namespace tblog::view
