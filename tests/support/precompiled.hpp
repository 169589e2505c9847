// The headers nearly every test includes, precompiled once per build tree and shared by the test
// executables (tests/CMakeLists.txt, tblog_test). Parsing Catch2, the whole library and the
// generated protobuf classes costs ~10 s of CPU per test file, as much as the test itself; with
// ~30 test files in each of CI's builds that was minutes of its time budget. Content is only what
// the tests include anyway: a test still names every header it uses.
#pragma once
#include <catch2/catch.hpp>

#include "event.pb.h"
#include "summary.pb.h"
#include "support/test_support.hpp"
#include "tblog/reader.hpp"
#include "tblog/summary.hpp"
#include "tblog/writer.hpp"
