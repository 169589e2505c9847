// tblog::Json lives in <tblog/json.hpp> (it is a value type, not a summary kind); this path
// keeps code that included it from here compiling.
#pragma once

#include "tblog/json.hpp"
