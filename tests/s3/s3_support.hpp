// Helpers of the S3 tests: the RGW the suite started (tools/ceph_rgw.sh), fresh buckets, and
// the bucket's contents mirrored to a local directory for the same checks as local runs.
#pragma once

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "support/test_support.hpp"
#include "tblog/s3.hpp"

namespace tbs3 {

namespace fs = std::filesystem;

// True when an S3 endpoint is configured. Under CI=true a missing one fails the test: the
// suite must not skip the S3 tests there.
inline bool have_s3() {
    if (std::getenv("S3_ENDPOINT")) return true;
    const char* ci = std::getenv("CI");
    if (ci && std::string(ci) == "true") FAIL("CI=true but S3_ENDPOINT is not set: start tools/ceph_rgw.sh");
    WARN("S3_ENDPOINT not set (start tools/ceph_rgw.sh start and export its lines): S3 test not run");
    return false;
}

// A bucket name no other test (or earlier run) used.
inline std::string fresh_bucket(const std::string& what) {
    static std::atomic<int> n{0};
    std::string b = "tblog-" + what + "-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + "-" +
                    std::to_string(std::time(nullptr) % 100000);
    tblog::s3::create_bucket(b);
    return b;
}

inline tblog::detail::s3::ListResult list(const std::string& bucket, const std::string& prefix = "") {
    tblog::detail::s3::Client c(tblog::S3Options{});
    tblog::detail::s3::ListResult out;
    auto r = c.list_all(bucket, prefix, "", out);
    if (!r.ok()) FAIL(r.describe());
    return out;
}

inline std::string get(const std::string& bucket, const std::string& key) {
    tblog::detail::s3::Client c(tblog::S3Options{});
    auto r = c.get_object(bucket, key);
    if (!r.ok()) FAIL(r.describe());
    return r.body;
}

// Every object under `prefix` written to `dir`/<key minus prefix>.
inline void mirror(const std::string& bucket, const std::string& prefix, const fs::path& dir) {
    for (const auto& o : list(bucket, prefix).objects) {
        const fs::path p = dir / o.key.substr(prefix.size());
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << get(bucket, o.key);
    }
}

// The events of one run directory in file-name order, without each file's file_version
// event: what a reader of the whole run sees.
inline std::vector<tensorboard::Event> run_events(const fs::path& dir) {
    std::vector<tensorboard::Event> out;
    for (const auto& f : tbtest::event_files(dir)) {
        auto ev = tbtest::read_events(f);
        REQUIRE(!ev.empty());
        REQUIRE(ev.front().file_version() == "brain.Event:2");
        out.insert(out.end(), ev.begin() + 1, ev.end());
    }
    return out;
}

// Runs `script` of tools/ceph_rgw.sh (kill-rgw, start-rgw, ...).
inline void rgw(const std::string& what) {
    const std::string cmd = std::string(TBLOG_SOURCE_DIR) + "/tools/ceph_rgw.sh " + what + " >/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
}

// Restarts radosgw when a fault test leaves scope, whatever happened inside.
struct RgwRestorer {
    ~RgwRestorer() {
        const std::string base = std::string(TBLOG_SOURCE_DIR) + "/tools/ceph_rgw.sh ";
        (void)std::system((base + "cont-rgw >/dev/null 2>&1").c_str());
        if (std::system((base + "status >/dev/null 2>&1").c_str()) != 0)
            (void)std::system((base + "start-rgw >/dev/null 2>&1").c_str());
    }
};

}  // namespace tbs3
