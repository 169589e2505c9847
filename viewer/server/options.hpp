// tblog-view's command line, modelled on TensorBoard's:
//
//   tblog-view --logdir DIR [--logdir_spec name1:dir1,name2:dir2] [--host 127.0.0.1]
//              [--port 6006] [--bind_all] [--reload_interval 5]
//              [--samples_per_plugin images=20,histograms=500] [--allowed_hosts a,b]
//              [--http_threads N] [--max_memory 2G] [--cache_dir DIR] [--load_fast ...]
//
// Flags are accepted as `--flag value` and `--flag=value`. TensorBoard flags that only tune
// its own loaders (--load_fast, --reload_multifile, ...) are accepted and ignored so that
// scripts written for TensorBoard run unchanged.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "run_data.hpp"
#include "scalar_spill.hpp"

namespace tblog::view {

struct LogdirEntry {
    std::string name;  // run-name prefix ("" for --logdir)
    std::filesystem::path dir;
};

struct Options {
    std::vector<LogdirEntry> logdirs;
    std::string data_location;  // as given, for /data/environment
    std::string host = "127.0.0.1";
    bool bind_all = false;
    int port = 6006;               // 0: any free port
    double reload_interval = 5.0;  // seconds; 0 loads once, < 0 never
    int load_threads = 0;          // 0: one per core
    SamplingPolicy sampling;
    // RAM for the store's data (bytes, 0: unlimited); scalar points and non-scalar payloads
    // beyond it spill to a file in cache_dir (empty: the temporary directory). Default: half
    // the machine's RAM or of the cgroup's memory limit, whichever is lower.
    std::uint64_t max_memory = default_memory_budget();
    std::filesystem::path cache_dir;
    std::string window_title;
    // HTTP layer (http/server.hpp, http/host_check.hpp).
    std::vector<std::string> allowed_hosts;  // --allowed_hosts: extra Host names accepted
    int http_threads = 0;                    // --http_threads: handler threads (0: max(8, 2 x cores))
    double header_timeout = 10;              // seconds for a request's header section to arrive
    double body_timeout = 30;                // seconds for its body
    double keepalive_timeout = 30;           // seconds an idle kept-alive connection stays open
    double write_timeout = 30;               // seconds a client may take nothing of an answer
    bool help = false;
};

// Throws std::invalid_argument with a message for the user.
Options parse_options(int argc, const char* const* argv);

// "name=N,name=N" (N may be "all" or 0 for no limit) into `policy`.
void parse_samples_per_plugin(const std::string& spec, SamplingPolicy& policy);

std::string usage();

}  // namespace tblog::view
