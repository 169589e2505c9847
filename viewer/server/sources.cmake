# The server's source lists, for every build that compiles them (viewer/CMakeLists.txt builds
# tblog_view_core from both lists; fuzz/CMakeLists.txt instruments the engine alone).
#
#   include(<viewer>/server/sources.cmake)
#   tblog_view_sources(ENGINE APP)
#   # ENGINE: loader, store, ingest, the HTTP layer and every plugin unit with its generated
#   #         registry: what answers a request, without web assets or a listening process.
#   # APP:    what tblog-view adds on top: the web routes, the process (viewer.cpp), export.
include(${CMAKE_CURRENT_LIST_DIR}/plugins/plugin_registry.cmake)

function(tblog_view_sources engine_out app_out)
  set(dir "${CMAKE_CURRENT_FUNCTION_LIST_DIR}")
  tblog_plugin_registry(plugin_sources)
  set(engine
    scalar_columns.cpp scalar_spill.cpp payload.cpp ingest.cpp record_scan.cpp log_storage.cpp loader.cpp
    options.cpp http_util.cpp points_download.cpp logdir_files.cpp markdown.cpp tensor_util.cpp text_format.cpp
    http/request_parser.cpp http/router.cpp http/response.cpp http/response_cache.cpp http/host_check.cpp
    http/server.cpp)
  set(app routes_web.cpp viewer.cpp export/static_key.cpp export/exporter.cpp export/destination.cpp)
  list(TRANSFORM engine PREPEND "${dir}/")
  list(TRANSFORM app PREPEND "${dir}/")
  set(${engine_out} ${engine} ${plugin_sources} PARENT_SCOPE)
  set(${app_out} ${app} PARENT_SCOPE)
endfunction()
