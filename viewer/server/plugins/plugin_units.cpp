// Lookups over the generated registry of plugin units (plugin_unit.hpp).
#include <algorithm>
#include <unordered_map>

#include "plugin_unit.hpp"

namespace tblog::view {

DataClass data_class_of_plugin(std::string_view plugin) {
    static const auto* index = [] {
        auto* m = new std::unordered_map<std::string, DataClass>;
        for (const PluginUnit* u : plugin_units())
            for (const OwnedData& d : u->owns) m->emplace(d.plugin_name, d.data_class);
        return m;
    }();
    auto it = index->find(std::string(plugin));
    return it == index->end() ? DataClass::unknown : it->second;
}

}  // namespace tblog::view
