// The HTTP routes: each plugin unit's (same paths as TensorBoard: /data/... and
// /data/plugin/<plugin>/..., plus tblog's own /data/tblog/...) and the web UI's.
#pragma once

#include "http/router.hpp"
#include "http_util.hpp"
#include "plugins/plugin_unit.hpp"

namespace tblog::view {

void register_web_routes(Router& srv, ServerContext& ctx);  // the embedded web UI

// Every plugin unit's routes (server/plugins/<name>/), then the web UI.
inline void register_all_routes(Router& srv, ServerContext& ctx) {
    for (const PluginUnit* unit : plugin_units()) unit->register_routes(srv, ctx);
    register_web_routes(srv, ctx);  // last: its catch-all must not shadow /data routes
}

}  // namespace tblog::view
