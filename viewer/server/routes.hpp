// The HTTP routes, one registration function per TensorBoard plugin (same paths as
// TensorBoard: /data/... and /data/plugin/<plugin>/...), plus tblog's own /data/tblog/...
#pragma once

#include <httplib.h>

#include "http_util.hpp"

namespace tblog::view {

void register_core_routes(httplib::Server& srv, ServerContext& ctx);        // environment, runs, plugins_listing, status
void register_scalar_routes(httplib::Server& srv, ServerContext& ctx);      // scalars (+ csv, multirun, downsampled)
void register_histogram_routes(httplib::Server& srv, ServerContext& ctx);   // histograms, distributions
void register_media_routes(httplib::Server& srv, ServerContext& ctx);       // images, audio
void register_text_routes(httplib::Server& srv, ServerContext& ctx);        // text
void register_pr_curve_routes(httplib::Server& srv, ServerContext& ctx);    // pr_curves
void register_custom_scalar_routes(httplib::Server& srv, ServerContext& ctx);
void register_mesh_routes(httplib::Server& srv, ServerContext& ctx);
void register_graph_routes(httplib::Server& srv, ServerContext& ctx);
void register_hparams_routes(httplib::Server& srv, ServerContext& ctx);
void register_timeseries_routes(httplib::Server& srv, ServerContext& ctx);  // TensorBoard's Time Series tab
void register_projector_routes(httplib::Server& srv, ServerContext& ctx);
void register_profile_routes(httplib::Server& srv, ServerContext& ctx);     // /data/tblog/profile/...
void register_web_routes(httplib::Server& srv, ServerContext& ctx);         // the embedded web UI

inline void register_all_routes(httplib::Server& srv, ServerContext& ctx) {
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
