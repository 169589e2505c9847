# The plugin units and their generated registry, for every target that links the viewer's
# server code (viewer/CMakeLists.txt, fuzz/CMakeLists.txt).
#
#   include(<viewer>/server/plugins/plugin_registry.cmake)
#   tblog_plugin_registry(SOURCES)
#   # SOURCES: every server/plugins/<name>/*.cpp, plugin_units.cpp and the generated
#   #          plugin_registry.cpp (in the current binary dir) that lists each unit.
#
# Every server/plugins/<name>/<name>_plugin.cpp defines <name>_plugin(), its descriptor
# (plugin_unit.hpp); the registry is generated from the file names, so a new plugin is one
# new directory.
function(tblog_plugin_registry out_sources)
  set(dir "${CMAKE_CURRENT_FUNCTION_LIST_DIR}")
  file(GLOB units CONFIGURE_DEPENDS "${dir}/*/*_plugin.cpp")
  file(GLOB sources CONFIGURE_DEPENDS "${dir}/*/*.cpp")
  list(SORT units)
  set(_tblog_plugin_decls "")
  set(_tblog_plugin_refs "")
  foreach(src IN LISTS units)
    get_filename_component(unit "${src}" NAME_WE)
    string(APPEND _tblog_plugin_decls "const PluginUnit& ${unit}();\n")
    string(APPEND _tblog_plugin_refs "        &${unit}(),\n")
  endforeach()
  set(registry "${CMAKE_CURRENT_BINARY_DIR}/plugin_registry.cpp")
  configure_file("${dir}/plugin_registry.cpp.in" "${registry}" @ONLY)
  set(${out_sources} "${dir}/plugin_units.cpp" ${sources} "${registry}" PARENT_SCOPE)
endfunction()
