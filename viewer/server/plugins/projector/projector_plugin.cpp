// Embedding projector: /data/plugin/projector/{runs,info,tensor,metadata,sprite_image,bookmarks}.
//
// A run has embeddings when its directory (or its plugins/projector/) holds a
// projector_config.pbtxt whose embeddings name tensor files: TSV (one row per point) or raw
// little-endian float32 with tensor_shape set. Checkpoint-based embeddings (TensorFlow's
// variables) are not read. Every file a config names must stay inside the config's directory:
// absolute paths and ".." are refused (TensorBoard follows them anywhere).
#include <google/protobuf/util/json_util.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "log_storage.hpp"
#include "logdir_files.hpp"
#include "plugin_index.hpp"
#include "projector_config.hpp"
#include "plugin_projector.pb.h"
#include "routes.hpp"

namespace tblog::view {

namespace {

namespace fs = std::filesystem;
using tensorboard::projector::EmbeddingInfo;
using tensorboard::projector::ProjectorConfig;

constexpr const char* kConfigFile = "projector_config.pbtxt";

// `rel` resolved against `dir`, or nullopt if it would leave `dir`.
std::optional<fs::path> inside(const fs::path& dir, const std::string& rel) {
    if (rel.empty() || is_path_escape(rel)) return std::nullopt;
    // An object store has no symlinks and no cwd: the key is the directory's plus `rel`.
    if (is_remote_path(dir.string())) return fs::path(dir.string() + "/" + fs::path(rel).lexically_normal().string());
    std::error_code ec;
    const fs::path base = fs::weakly_canonical(dir, ec);
    const fs::path full = fs::weakly_canonical(dir / rel, ec);
    if (ec) return std::nullopt;
    auto b = base.begin(), f = full.begin();
    for (; b != base.end(); ++b, ++f)
        if (f == full.end() || *b != *f) return std::nullopt;
    return full;
}

struct RunConfig {
    const Options* options = nullptr;  // its logdirs bound every file read (logdir_files.hpp)
    ProjectorConfig config;
    fs::path dir;  // the config file's directory: asset paths are relative to it
};

std::optional<Matrix> read_tensor(const RunConfig& rc, const EmbeddingInfo& e) {
    auto path = inside(rc.dir, e.tensor_path());
    if (!path) return std::nullopt;
    auto bytes = read_logdir_file(*rc.options, *path);
    if (!bytes) return std::nullopt;
    Matrix m;
    if (parse_tsv(*bytes, m)) return m;
    if (e.tensor_shape_size() != 2) return std::nullopt;  // binary needs its shape
    m.rows = e.tensor_shape(0);
    m.cols = e.tensor_shape(1);
    if (bytes->size() != m.rows * m.cols * 4) return std::nullopt;
    m.values.resize(m.rows * m.cols);
    std::memcpy(m.values.data(), bytes->data(), bytes->size());
    return m;
}

std::optional<RunConfig> load_config(const Options& options, const fs::path& run_dir) {
    for (const fs::path& dir : {run_dir, run_dir / "plugins" / "projector"}) {
        auto text = read_logdir_file(options, dir / kConfigFile);
        if (!text) continue;
        RunConfig rc;
        rc.options = &options;
        rc.dir = dir;
        if (!parse_projector_config(*text, rc.config)) continue;
        bool has_tensors = false;
        for (auto& e : *rc.config.mutable_embeddings()) {
            const std::string& n = e.tensor_name();
            if (n.size() >= 2 && n.compare(n.size() - 2, 2, ":0") == 0) e.set_tensor_name(n.substr(0, n.size() - 2));
            if (e.tensor_path().empty()) continue;
            has_tensors = true;
            if (e.tensor_name().empty()) e.set_tensor_name(fs::path(e.tensor_path()).filename().string());
            if (e.tensor_shape_size() == 0) {
                if (auto m = read_tensor(rc, e)) {
                    e.add_tensor_shape(static_cast<std::uint32_t>(m->rows));
                    e.add_tensor_shape(static_cast<std::uint32_t>(m->cols));
                }
            }
        }
        if (has_tensors) return rc;
    }
    return std::nullopt;
}

// Runs with a usable config, in run order, then the logdir itself as "." (as TensorBoard).
std::vector<std::pair<std::string, fs::path>> candidate_dirs(const ServerContext& ctx) {
    std::vector<std::pair<std::string, fs::path>> out;
    bool has_root = false;
    for (const auto& run : ctx.store.runs()) {
        out.emplace_back(run->name(), run->dir());
        has_root = has_root || run->name() == ".";
    }
    if (!has_root && ctx.options.logdirs.size() == 1 && ctx.options.logdirs[0].name.empty())
        out.emplace_back(".", ctx.options.logdirs[0].dir);
    return out;
}

const EmbeddingInfo* find_embedding(const ProjectorConfig& c, const std::string& name) {
    auto canonical = [](const std::string& n) { return n.find(':') == std::string::npos ? n + ":0" : n; };
    for (const auto& e : c.embeddings())
        if (canonical(e.tensor_name()) == canonical(name)) return &e;
    return nullptr;
}

// The config of ?run=, or an answered error.
std::optional<RunConfig> require_config(const ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
    auto run = require_param(req, res, "run");
    if (!run) return std::nullopt;
    for (const auto& [name, dir] : candidate_dirs(ctx)) {
        if (name != *run) continue;
        if (auto rc = load_config(ctx.options, dir)) return rc;
    }
    send_error(res, 400, "Unknown run: \"" + *run + "\"");
    return std::nullopt;
}

// The embedding ?name= of the config, or an answered error.
const EmbeddingInfo* require_embedding(const RunConfig& rc, const httplib::Request& req, httplib::Response& res) {
    auto name = require_param(req, res, "name");
    if (!name) return nullptr;
    const EmbeddingInfo* e = find_embedding(rc.config, *name);
    if (!e) send_error(res, 400, "No embedding \"" + *name + "\" in the projector config");
    return e;
}

// Calls f(config, embedding) for ?run=&name=, or answers the error.
template <class F>
void with_embedding(const ServerContext& ctx, const httplib::Request& req, httplib::Response& res, F&& f) {
    auto rc = require_config(ctx, req, res);
    if (!rc) return;
    if (const EmbeddingInfo* e = require_embedding(*rc, req, res)) f(*rc, *e);
}

std::optional<long long> num_rows_param(const httplib::Request& req, httplib::Response& res) {
    auto n = int_param(req, res, "num_rows", 0);
    if (n && *n < 0) {
        send_error(res, 400, "query parameter num_rows must be integer > 0");
        return std::nullopt;
    }
    return n;
}

// An asset file named by the embedding, inside the config's directory (or an answered error).
std::optional<std::string> read_asset(const RunConfig& rc, const std::string& rel, const char* what,
                                      httplib::Response& res) {
    if (rel.empty()) {
        send_error(res, 400, std::string("No ") + what + " file for this embedding");
        return std::nullopt;
    }
    auto path = inside(rc.dir, rel);
    if (!path) {
        send_error(res, 400, std::string("refused: the ") + what + " path leaves the config's directory");
        return std::nullopt;
    }
    FileRefusal why;
    auto bytes = read_logdir_file(*rc.options, *path, &why);
    if (!bytes) send_error(res, 400, "\"" + rel + "\" not found, or is not a file" + (why.status == 403 ? " (" + why.reason + ")" : ""));
    return bytes;
}

// The listing's "enabled": some run directory holds a config file.
bool has_projector_config(const ServerContext& ctx) {
    for (const auto& run : ctx.store.runs()) {
        // Local or s3:// (log_storage.hpp).
        if (file_exists((run->dir() / kConfigFile).string()) ||
            file_exists((run->dir() / "plugins" / "projector" / kConfigFile).string()))
            return true;
    }
    return false;
}

}  // namespace

void register_projector_routes(Router& srv, ServerContext& ctx) {
    // Kept in the answer cache per shape of the store (plugin_index.hpp): it reads a config in
    // every run directory that has one (and the tensors it names without a shape), and looks
    // for two files in every other (~10-40 ms at 1,000 runs without any).
    srv.Get("/data/plugin/projector/runs", http::cached(ctx.answers, store_shape(ctx), [&ctx](const httplib::Request&, httplib::Response& res) {
        json out = json::array();
        for (const auto& [name, dir] : candidate_dirs(ctx))
            if (load_config(ctx.options, dir)) out.push_back(name);
        send_json(res, out);
    }));

    srv.Get("/data/plugin/projector/info", [&ctx](const httplib::Request& req, httplib::Response& res) {
        auto rc = require_config(ctx, req, res);
        if (!rc) return;
        std::string out;
        (void)google::protobuf::util::MessageToJsonString(rc->config, &out);
        res.set_content(out, "application/json");
    });

    // float32 rows, little-endian (num_rows limits them).
    srv.Get("/data/plugin/projector/tensor", [&ctx](const httplib::Request& req, httplib::Response& res) {
        with_embedding(ctx, req, res, [&](const RunConfig& rc, const EmbeddingInfo& e) {
            const auto num_rows = num_rows_param(req, res);
            if (!num_rows) return;
            auto m = read_tensor(rc, e);
            if (!m) return send_error(res, 400, "Tensor file \"" + e.tensor_path() + "\" is missing or unreadable");
            std::size_t rows = m->rows;
            if (*num_rows > 0) rows = std::min<std::size_t>(rows, static_cast<std::size_t>(*num_rows));
            res.set_content(std::string(reinterpret_cast<const char*>(m->values.data()), rows * m->cols * sizeof(float)),
                            "application/octet-stream");
        });
    });

    // The metadata TSV: num_rows rows, plus the header row when there are several columns.
    srv.Get("/data/plugin/projector/metadata", [&ctx](const httplib::Request& req, httplib::Response& res) {
        with_embedding(ctx, req, res, [&](const RunConfig& rc, const EmbeddingInfo& e) {
            const auto num_rows = num_rows_param(req, res);
            if (!num_rows) return;
            auto body = read_asset(rc, e.metadata_path(), "metadata", res);
            if (!body) return;
            if (*num_rows > 0) {
                const bool header = body->substr(0, body->find('\n')).find('\t') != std::string::npos;
                std::size_t keep = 0, lines = 0;
                while (keep < body->size() && lines < static_cast<std::size_t>(*num_rows) + (header ? 1 : 0)) {
                    const std::size_t nl = body->find('\n', keep);
                    keep = nl == std::string::npos ? body->size() : nl + 1;
                    ++lines;
                }
                body->resize(keep);
            }
            res.set_content(*body, "text/plain; charset=utf-8");
        });
    });

    srv.Get("/data/plugin/projector/sprite_image", [&ctx](const httplib::Request& req, httplib::Response& res) {
        with_embedding(ctx, req, res, [&](const RunConfig& rc, const EmbeddingInfo& e) {
            auto bytes = read_asset(rc, e.sprite().image_path(), "sprite image", res);
            if (!bytes) return;
            const bool png = bytes->compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
            res.set_content(*bytes, png ? "image/png" : "application/octet-stream");
        });
    });

    srv.Get("/data/plugin/projector/bookmarks", [&ctx](const httplib::Request& req, httplib::Response& res) {
        with_embedding(ctx, req, res, [&](const RunConfig& rc, const EmbeddingInfo& e) {
            if (auto bytes = read_asset(rc, e.bookmarks_path(), "bookmarks", res)) res.set_content(*bytes, "application/json");
        });
    });
}

const PluginUnit& projector_plugin() {
    static const PluginUnit unit{
        "projector",
        {},
        {{"projector", "projector", nullptr, "/data/plugin/projector/index.js", true, {}, has_projector_config}},
        register_projector_routes};
    return unit;
}

}  // namespace tblog::view
