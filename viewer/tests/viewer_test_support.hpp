// Helpers for the viewer tests: a tblog-view running in-process on a free port, and an HTTP
// client to query it.
#pragma once

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/test_support.hpp"
#include "viewer.hpp"

namespace vtest {

using json = nlohmann::json;
namespace fs = std::filesystem;

// Percent-encodes a query value.
inline std::string enc(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

struct Reply {
    int status = 0;
    std::string body;
    std::string content_type;
    json as_json() const { return json::parse(body); }
};

class TestServer {
public:
    // reload_interval 0: load once (at start); the tests call reload() to force a pass.
    explicit TestServer(const fs::path& logdir, double reload_interval = 0, const std::string& samples = "")
        : TestServer(options(logdir, reload_interval, samples)) {}
    explicit TestServer(tblog::view::Options o) : viewer_(std::move(o)) {
        viewer_.start();
        wait_passes(1);
        client_ = std::make_unique<httplib::Client>("127.0.0.1", viewer_.port());
        client_->set_read_timeout(30, 0);
    }

    tblog::view::Viewer& viewer() { return viewer_; }

    // Runs one synchronous loader pass (whatever the reload interval).
    void reload() { viewer_.loader().pass(); }

    void wait_passes(std::uint64_t n) {
        if (!viewer_.loader().wait_for_passes(n, std::chrono::seconds(60)))
            throw std::runtime_error("loader did not complete " + std::to_string(n) + " passes");
    }
    std::uint64_t passes() { return viewer_.loader().stats().passes; }

    Reply get(const std::string& path) {
        auto r = client_->Get(path.c_str());
        if (!r) throw std::runtime_error("GET " + path + " failed: " + httplib::to_string(r.error()));
        return {r->status, r->body, r->get_header_value("Content-Type")};
    }
    Reply post(const std::string& path, const std::string& body, const char* type = "application/json") {
        auto r = client_->Post(path.c_str(), body, type);
        if (!r) throw std::runtime_error("POST " + path + " failed: " + httplib::to_string(r.error()));
        return {r->status, r->body, r->get_header_value("Content-Type")};
    }
    json get_json(const std::string& path) {
        Reply r = get(path);
        if (r.status != 200) throw std::runtime_error("GET " + path + " -> " + std::to_string(r.status) + ": " + r.body);
        return r.as_json();
    }
    json scalars(const std::string& run, const std::string& tag) {
        return get_json("/data/plugin/scalars/scalars?run=" + enc(run) + "&tag=" + enc(tag));
    }

    static tblog::view::Options options(const fs::path& logdir, double reload_interval, const std::string& samples) {
        tblog::view::Options o;
        o.logdirs.push_back({"", logdir});
        o.data_location = logdir.string();
        o.port = 0;
        o.reload_interval = reload_interval;
        if (!samples.empty()) tblog::view::parse_samples_per_plugin(samples, o.sampling);
        return o;
    }

private:
    tblog::view::Viewer viewer_;
    std::unique_ptr<httplib::Client> client_;
};

inline std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_file(const fs::path& p, const std::string& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
}

}  // namespace vtest
