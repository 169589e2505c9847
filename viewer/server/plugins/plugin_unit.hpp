// What a plugin unit (server/plugins/<name>/) declares about itself, as TensorBoard's
// <name>_plugin.py does: the summary plugin names whose series it owns and their data class
// (ingest types a new series by this), its /data/plugins_listing entries with the rule that
// makes each active, and the function registering its HTTP routes.
//
// Each unit defines `const PluginUnit& <name>_plugin()`; the build generates the registry
// (plugin_registry.cpp) from the directories under server/plugins/, so adding a plugin means
// adding one directory and nothing else on the server side.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/router.hpp"
#include "http_util.hpp"

namespace tblog::view {

// Route files register handlers with srv.Get/Post(pattern, handler), handlers taking
// (const httplib::Request&, httplib::Response&) as with cpp-httplib's server.
using http::Router;

// One entry of /data/plugins_listing: how TensorBoard's frontend loads a dashboard.
struct ListingEntry {
    const char* name;
    const char* tab_name;
    const char* element_name = nullptr;  // nullptr: NG_COMPONENT (or IFRAME if module_path)
    const char* module_path = nullptr;
    bool disable_reload = false;
    // Active when any of these summary plugins has data ...
    std::vector<std::string> data_plugins = {};
    // ... unless this decides instead (e.g. a config file, or always).
    std::function<bool(const ServerContext&)> is_active = nullptr;
};

// A summary plugin name whose series this unit serves, and the data class its series get
// when the first record's metadata does not say (TensorBoard 1.x summaries).
struct OwnedData {
    std::string plugin_name;
    DataClass data_class;
};

struct PluginUnit {
    const char* name;
    std::vector<OwnedData> owns;
    std::vector<ListingEntry> listing;
    void (*register_routes)(Router&, ServerContext&);
};

// Every unit, in directory-name order ("core" registers its routes first).
const std::vector<const PluginUnit*>& plugin_units();

// The data class of series of summary plugin `plugin`, from the units' `owns`; unknown if
// no unit owns it.
DataClass data_class_of_plugin(std::string_view plugin);

}  // namespace tblog::view
