// The headers nearly every server unit includes (through http_util.hpp and routes.hpp),
// precompiled once for tblog_view_core (viewer/CMakeLists.txt): cpp-httplib and nlohmann/json
// alone take 3-6 s of CPU to parse in each of the ~45 units. Only headers the units include anyway.
#pragma once
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "http_util.hpp"
#include "loader.hpp"
#include "routes.hpp"
