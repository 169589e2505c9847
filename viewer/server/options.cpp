#include "options.hpp"

#include <cstdlib>
#include <set>

namespace tblog::view {

namespace {

std::invalid_argument bad(const std::string& msg) { return std::invalid_argument("tblog-view: " + msg); }

long to_long(const std::string& flag, const std::string& v) {
    char* end = nullptr;
    const long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end) throw bad(flag + " expects an integer, got '" + v + "'");
    return n;
}

double to_double(const std::string& flag, const std::string& v) {
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end || d < 0) throw bad(flag + " expects a number >= 0, got '" + v + "'");
    return d;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        const std::size_t at = s.find(sep, start);
        const std::size_t end = at == std::string::npos ? s.size() : at;
        if (end > start) out.push_back(s.substr(start, end - start));
        if (at == std::string::npos) break;
        start = at + 1;
    }
    return out;
}

// TensorBoard flags tuning its own loaders or UI, meaningless here: accepted, ignored.
const std::set<std::string>& ignored_flags() {
    static const std::set<std::string> s = {"load_fast", "reload_multifile", "reload_multifile_inactive_secs",
                                            "reload_task", "purge_orphaned_data", "max_reload_threads",
                                            "detect_file_replacement", "generic_data", "verbosity_level"};
    return s;
}

}  // namespace

void parse_samples_per_plugin(const std::string& spec, SamplingPolicy& policy) {
    for (const auto& item : split(spec, ',')) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            throw bad("--samples_per_plugin expects name=count pairs, got '" + item + "'");
        const std::string name = item.substr(0, eq), value = item.substr(eq + 1);
        const long n = value == "all" ? 0 : to_long("--samples_per_plugin", value);
        if (n < 0) throw bad("--samples_per_plugin: negative count for '" + name + "'");
        if (name == "scalars") continue;  // scalars are always kept in full
        if (name == "tensors")
            policy.tensors = static_cast<std::size_t>(n);
        else
            policy.per_plugin[name] = static_cast<std::size_t>(n);
    }
}

Options parse_options(int argc, const char* const* argv) {
    Options o;
    std::string logdir, logdir_spec;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            o.help = true;
            continue;
        }
        if (arg.rfind("--", 0) != 0) throw bad("unexpected argument '" + arg + "' (see --help)");
        std::string flag = arg.substr(2), value;
        bool has_value = false;
        if (const auto eq = flag.find('='); eq != std::string::npos) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
            has_value = true;
        }
        auto take = [&]() -> std::string {
            if (has_value) return value;
            if (i + 1 >= argc) throw bad("--" + flag + " needs a value");
            return argv[++i];
        };
        if (flag == "bind_all") {
            o.bind_all = !has_value || (value != "false" && value != "0");
        } else if (flag == "logdir") {
            logdir = take();
        } else if (flag == "logdir_spec") {
            logdir_spec = take();
        } else if (flag == "host") {
            o.host = take();
        } else if (flag == "port") {
            const long p = to_long("--port", take());
            if (p < 0 || p > 65535) throw bad("--port out of range");
            o.port = static_cast<int>(p);
        } else if (flag == "reload_interval") {
            const std::string v = take();
            o.reload_interval = v.rfind('-', 0) == 0 ? -to_double("--reload_interval", v.substr(1))
                                                      : to_double("--reload_interval", v);
        } else if (flag == "samples_per_plugin") {
            parse_samples_per_plugin(take(), o.sampling);
        } else if (flag == "load_threads") {
            o.load_threads = static_cast<int>(to_long("--load_threads", take()));
        } else if (flag == "allowed_hosts") {
            for (const auto& h : split(take(), ',')) o.allowed_hosts.push_back(h);
        } else if (flag == "http_threads") {
            const long n = to_long("--http_threads", take());
            if (n < 0 || n > 1024) throw bad("--http_threads out of range (0..1024)");
            o.http_threads = static_cast<int>(n);
        } else if (flag == "max_memory") {
            o.max_memory = parse_memory_size("--max_memory", take());
        } else if (flag == "cache_dir") {
            o.cache_dir = take();
        } else if (flag == "window_title") {
            o.window_title = take();
        } else if (ignored_flags().count(flag)) {
            if (!has_value && i + 1 < argc && std::string(argv[i + 1]).rfind("--", 0) != 0) ++i;
        } else {
            throw bad("unknown flag --" + flag + " (see --help)");
        }
    }
    if (o.help) return o;
    if (!logdir.empty() && !logdir_spec.empty()) throw bad("give --logdir or --logdir_spec, not both");
    if (!logdir.empty()) {
        o.logdirs.push_back({"", logdir});
        o.data_location = logdir;
    } else if (!logdir_spec.empty()) {
        std::set<std::string> names;
        for (const auto& item : split(logdir_spec, ',')) {
            const auto colon = item.find(':');
            LogdirEntry e;
            if (colon == std::string::npos || item.compare(colon, 3, "://") == 0) {
                e.dir = item;  // TensorBoard allows unnamed entries too (s3://... has no name)
            } else {
                e.name = item.substr(0, colon);
                e.dir = item.substr(colon + 1);
                if (e.name.find("..") != std::string::npos || e.name.find('/') == 0)
                    throw bad("--logdir_spec: bad name '" + e.name + "'");
                if (!names.insert(e.name).second) throw bad("--logdir_spec: name '" + e.name + "' given twice");
            }
            o.logdirs.push_back(e);
        }
        o.data_location = logdir_spec;
    } else {
        throw bad("--logdir (or --logdir_spec) is required (see --help)");
    }
    return o;
}

std::string usage() {
    return R"(usage: tblog-view --logdir DIR [options]
       tblog-view export --logdir DIR --out DIR [options]   (static snapshot; export --help)

Serves TensorBoard's HTTP data API (and tblog's web UI) for a logdir.

  --logdir DIR            directory tree holding event files (*tfevents*); every directory
                          with event files is a run named by its path relative to DIR;
                          or s3://bucket/prefix (S3_ENDPOINT, AWS_* as for the AWS tools)
  --logdir_spec SPEC      several logdirs: name1:dir1,name2:dir2 (runs become name1/<run>)
  --host ADDR             address to listen on (default 127.0.0.1: this machine only)
  --bind_all              listen on every interface (makes the data reachable from the network)
  --port N                port (default 6006; 0 picks a free one)
  --reload_interval S     seconds between scans for new data (default 5; 0 loads once,
                          negative not at all)
  --samples_per_plugin L  per-plugin sample sizes for non-scalar data, e.g.
                          images=20,histograms=500 (all or 0: keep everything); scalars are
                          always kept in full
  --allowed_hosts H,H     extra names the server answers to. Bound to a loopback address (the
                          default), requests whose Host is not localhost, a loopback IP or
                          the --host name are refused with 403 (DNS-rebinding defence); list
                          the names you reach it by (e.g. an SSH tunnel alias or a reverse
                          proxy's name). With --bind_all or a non-loopback --host any Host is
                          accepted unless this list is given; '*' accepts any Host
  --http_threads N        threads running request handlers (default: max(8, 2 x cores));
                          idle and slow connections use none
  --load_threads N        runs loaded in parallel (default: one per core)
  --max_memory SIZE       RAM for the logdir's data, e.g. 2G or 512M (default: half this
                          machine's RAM, or of its cgroup's memory limit if lower; 0:
                          unlimited). Scalar points and the payloads of histograms, images,
                          audio, text, ... beyond it move to a cache file in --cache_dir; RAM
                          keeps per-block min/max summaries for the charts and every point
                          stays available at full resolution. The caches of built answers
                          take their share: kept scalar answers budget/16 (at most 32 MiB,
                          set aside first), Profile timelines up to budget/4 (at most 1 GiB,
                          charged as kept); the data the rest (with 0, the caches keep 32 MiB
                          and 1 GiB)
  --cache_dir DIR         where that file goes (default: $TMPDIR or /tmp); it is deleted on exit
  --window_title T        title reported by /data/environment
  -h, --help              this text

TensorBoard's --load_fast, --reload_multifile and --purge_orphaned_data are accepted and ignored.
)";
}

}  // namespace tblog::view
