# Builds the web UI with npm as part of the CMake build, for tblog-view to embed.
#
#   include(${CMAKE_CURRENT_SOURCE_DIR}/web/web-ui.cmake)
#   tblog_web_ui(WEB_DIST WEB_STAMP)
#   # WEB_DIST: directory of the built UI (index.html at its top), in the build tree,
#   #           or "" when npm is missing (then serve a placeholder);
#   # WEB_STAMP: file to DEPEND on: it is rebuilt when the UI's sources change.
#
# npm ci runs only when package-lock.json changes (it needs the npm registry the
# first time); the build itself is offline. Needs Node.js >= 20.19 and npm.
function(tblog_web_ui out_dist out_stamp)
  find_program(TBLOG_NPM_EXECUTABLE npm)
  if(NOT TBLOG_NPM_EXECUTABLE)
    message(WARNING "npm not found: tblog-view is built without its web UI")
    set(${out_dist} "" PARENT_SCOPE)
    set(${out_stamp} "" PARENT_SCOPE)
    return()
  endif()
  set(src "${CMAKE_CURRENT_FUNCTION_LIST_DIR}")
  set(dist "${CMAKE_CURRENT_BINARY_DIR}/web-dist")
  set(deps_stamp "${CMAKE_CURRENT_BINARY_DIR}/web-node_modules.stamp")
  set(build_stamp "${CMAKE_CURRENT_BINARY_DIR}/web-dist.stamp")
  add_custom_command(
    OUTPUT "${deps_stamp}"
    COMMAND "${TBLOG_NPM_EXECUTABLE}" ci --no-audit --no-fund --loglevel=error
    COMMAND "${CMAKE_COMMAND}" -E touch "${deps_stamp}"
    WORKING_DIRECTORY "${src}"
    DEPENDS "${src}/package.json" "${src}/package-lock.json"
    COMMENT "Installing the web UI's npm packages (npm ci)"
    VERBATIM)
  file(GLOB_RECURSE inputs CONFIGURE_DEPENDS "${src}/src/*")
  list(APPEND inputs "${src}/index.html" "${src}/vite.config.ts" "${src}/tsconfig.json" "${src}/build.mjs")
  add_custom_command(
    OUTPUT "${build_stamp}"
    COMMAND "${TBLOG_NPM_EXECUTABLE}" run build --silent -- --outDir "${dist}" --emptyOutDir
    COMMAND "${CMAKE_COMMAND}" -E touch "${build_stamp}"
    WORKING_DIRECTORY "${src}"
    DEPENDS "${deps_stamp}" ${inputs}
    COMMENT "Building the web UI (npm run build -> ${dist})"
    VERBATIM)
  set(${out_dist} "${dist}" PARENT_SCOPE)
  set(${out_stamp} "${build_stamp}" PARENT_SCOPE)
endfunction()
