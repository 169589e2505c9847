#include "export/exporter.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <regex>
#include <stdexcept>
#include <vector>

#include "export/destination.hpp"
#include "export/static_key.hpp"
#include "http/request_parser.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http_util.hpp"
#include "loader.hpp"
#include "log_storage.hpp"
#include "media_types.hpp"
#include "memory_shares.hpp"
#include "routes.hpp"
#include "store.hpp"
#include "version.hpp"
#include "web_assets.hpp"

namespace tblog::view::exporting {

const char* const kKinds[] = {"scalars", "custom_scalars", "histograms", "distributions", "images", "audio",  "text",
                              "pr_curves", "hparams", "graphs", "projector", "mesh", "profile", nullptr};

namespace {

std::invalid_argument bad(const std::string& m) { return std::invalid_argument("tblog-view export: " + m); }

// One recorded answer.
struct File {
    std::string key;
    std::string ext;
    std::string kind;   // what --include would drop to leave it out
    std::string label;  // the tag (or run) it belongs to, for the over-budget message
    std::string bytes;
};

// The body of an answer, also when the route streams it (a content provider, e.g. traces).
std::string take_body(httplib::Response& res) {
    if (!res.content_provider_) return std::move(res.body);
    std::string out;
    bool done = false;
    httplib::DataSink sink;
    sink.write = [&](const char* d, std::size_t n) {
        out.append(d, n);
        return true;
    };
    sink.done = [&] { done = true; };
    sink.is_writable = [] { return true; };
    const std::size_t length = res.content_length_;
    while (!done && (length == 0 || out.size() < length)) {
        const std::size_t before = out.size();
        if (!res.content_provider_(out.size(), length ? length - out.size() : 0, sink) || out.size() == before) break;
    }
    // a fixed-length body must reach its length, a chunked one its last piece (http::Piece::cut)
    if (length ? out.size() != length : !done) throw std::runtime_error("a streamed answer ended early");
    return out;
}

// Asks the routes in-process and keeps each answer under its static name.
class Recorder {
public:
    explicit Recorder(const http::Router& router) : router_(router) {}

    // The answer to METHOD /data/<route> with `ask` (query or form fields) and `body` (JSON),
    // recorded under the key of (METHOD, route, `keep`, body); nullopt unless it is a 200.
    std::optional<std::string> record(const std::string& kind, const std::string& label, const char* method,
                                      const std::string& route, const Params& ask, const Params& keep,
                                      const std::string& body = {}) {
        httplib::Request req;
        req.method = method;
        req.path = "/data/" + route;
        for (const auto& [k, v] : ask) req.params.emplace(k, v);
        if (!body.empty()) {
            req.body = body;
            req.set_header("Content-Type", "application/json");
        }
        httplib::Response res;
        router_.handle(req, res);
        if (res.status != 200) return std::nullopt;
        std::string bytes = take_body(res);
        const std::string key = static_key(method, route, keep, body);
        const std::string name = static_name(key);
        auto [it, fresh] = files_.try_emplace(name);
        if (!fresh && it->second.key != key)
            throw std::runtime_error("two requests share the static name " + name + ": " + key + " / " + it->second.key);
        it->second = File{key, std::string(mime_extension(res.get_header_value("Content-Type"))), kind, label, bytes};
        return bytes;
    }
    std::optional<std::string> record(const std::string& kind, const std::string& label, const char* method,
                                      const std::string& route, const Params& params) {
        return record(kind, label, method, route, params, params);
    }
    json record_json(const std::string& kind, const char* method, const std::string& route, const Params& params = {}) {
        auto b = record(kind, "", method, route, params);
        return b ? json::parse(*b, nullptr, false) : json();
    }
    // Records `answer` as the one to (GET, route): for answers the export narrows to the selection.
    void put(const std::string& kind, const std::string& route, const json& answer) {
        const std::string key = static_key("GET", route, {});
        files_[static_name(key)] = File{key, "json", kind, "", answer.dump(-1, ' ', false, json::error_handler_t::replace)};
    }

    const std::map<std::string, File>& files() const { return files_; }

private:
    const http::Router& router_;
    std::map<std::string, File> files_;  // by name: written in name order
};

// What the crawl needs: the recorder, the selection and the options.
struct Crawl {
    Recorder& rec;
    const ExportOptions& opt;
    const std::set<std::string>& runs;  // selected run names

    bool wants(const char* kind) const { return opt.include.empty() || opt.include.count(kind) > 0; }
};

Params with(Params p, std::initializer_list<std::pair<std::string, std::string>> more) {
    p.insert(p.end(), more.begin(), more.end());
    return p;
}

// {run: {tag: ...}} answers: tag -> runs having it (both sorted).
std::map<std::string, std::vector<std::string>> runs_by_tag(const json& tags) {
    std::map<std::string, std::vector<std::string>> out;
    if (!tags.is_object()) return out;
    for (auto& [run, ts] : tags.items()) {
        if (ts.is_object())
            for (auto& [tag, _] : ts.items()) out[tag].push_back(run);
        else if (ts.is_array())
            for (auto& tag : ts) out[tag.get<std::string>()].push_back(run);
    }
    for (auto& [_, rs] : out) std::sort(rs.begin(), rs.end());
    return out;
}

// A batched route's answer for every run having the tag, recorded without the run list: the
// page's static transport answers any subset of runs from it.
std::optional<std::string> record_all_runs(Crawl& c, const std::string& kind, const std::string& route,
                                           const std::string& tag, const std::vector<std::string>& runs, Params extra,
                                           Params ask_only = {}) {
    Params keep = with(extra, {{"tag", tag}});
    Params ask = keep;
    ask.insert(ask.end(), ask_only.begin(), ask_only.end());
    for (const auto& r : runs) ask.emplace_back("runs", r);
    return c.rec.record(kind, tag, "POST", route, ask, keep);
}

void crawl_scalars(Crawl& c) {
    const json tags = c.rec.record_json("scalars", "GET", "plugin/scalars/tags");
    for (const auto& [tag, runs] : runs_by_tag(tags)) {
        record_all_runs(c, "scalars", "tblog/scalars_multirun", tag, runs, {},
                        {{"buckets", std::to_string(c.opt.max_points)}});
        for (const auto& run : runs) {  // full resolution, as downloads
            c.rec.record("scalars", tag, "GET", "plugin/scalars/scalars", {{"run", run}, {"tag", tag}});
            c.rec.record("scalars", tag, "GET", "plugin/scalars/scalars", {{"run", run}, {"tag", tag}, {"format", "csv"}});
        }
    }
}

void crawl_histograms(Crawl& c) {
    const json tags = c.rec.record_json("histograms", "GET", "plugin/histograms/tags");
    for (const auto& [tag, runs] : runs_by_tag(tags))
        record_all_runs(c, "histograms", "plugin/histograms/histograms_multirun", tag, runs, {});
}

// Images and audio: each sample's entries, then every blob they name.
void crawl_media(Crawl& c, const std::string& plugin, const char* blob_route) {
    const json tags = c.rec.record_json(plugin, "GET", "plugin/" + plugin + "/tags");
    for (const auto& [tag, runs] : runs_by_tag(tags)) {
        long long samples = 1;
        for (const auto& r : runs) samples = std::max(samples, tags[r][tag].value("samples", 1LL));
        for (long long s = 0; s < samples; ++s) {
            auto body = record_all_runs(c, plugin, "plugin/" + plugin + "/" + plugin + "_multirun", tag, runs,
                                        {{"sample", std::to_string(s)}});
            if (!body) continue;
            const json answer = json::parse(*body);
            for (auto& [run, entries] : answer.items())
                for (auto& e : entries) {
                    httplib::Params q;
                    http::parse_query(e.value("query", ""), q);
                    c.rec.record(plugin, tag, "GET", "plugin/" + plugin + "/" + blob_route, Params(q.begin(), q.end()));
                }
        }
    }
}

void crawl_text(Crawl& c) {
    const json tags = c.rec.record_json("text", "GET", "plugin/text/tags");
    for (const auto& [tag, runs] : runs_by_tag(tags))
        for (const auto& run : runs) c.rec.record("text", tag, "GET", "plugin/text/text", {{"run", run}, {"tag", tag}});
}

void crawl_pr_curves(Crawl& c) {
    const json tags = c.rec.record_json("pr_curves", "GET", "plugin/pr_curves/tags");
    for (const auto& [tag, runs] : runs_by_tag(tags)) {
        Params ask{{"tag", tag}};
        for (const auto& r : runs) ask.emplace_back("run", r);
        c.rec.record("pr_curves", tag, "GET", "plugin/pr_curves/pr_curves", ask, {{"tag", tag}});
    }
}

// The bodies the hparams dashboard posts (web/src/dashboards/hparams.ts), keys sorted, and its
// "Download data" links (the same request as a query parameter, as that page writes it).
void crawl_hparams(Crawl& c) {
    const auto exp = c.rec.record("hparams", "", "POST", "plugin/hparams/experiment", {}, {}, json{{"experimentName", ""}}.dump());
    const json groups = {{"experimentName", ""},
                         {"allowedStatuses", {"STATUS_UNKNOWN", "STATUS_SUCCESS", "STATUS_FAILURE", "STATUS_RUNNING"}},
                         {"colParams", json::array()},
                         {"startIndex", 0},
                         {"sliceSize", 100000}};
    c.rec.record("hparams", "", "POST", "plugin/hparams/session_groups", {}, {}, groups.dump());
    if (!exp) return;
    const json e = json::parse(*exp, nullptr, false);
    std::string visible = "[";
    for (const char* list : {"hparamInfos", "metricInfos"})
        if (e.contains(list))
            for (std::size_t i = 0; i < e[list].size(); ++i) visible += visible.size() > 1 ? ",true" : "true";
    visible += "]";
    const std::string request = R"({"experimentName":"","allowedStatuses":["STATUS_UNKNOWN","STATUS_SUCCESS",)"
                                R"("STATUS_FAILURE","STATUS_RUNNING"],"colParams":[],"startIndex":0,"sliceSize":100000})";
    for (const char* format : {"csv", "json", "latex"})
        c.rec.record("hparams", "", "GET", "plugin/hparams/download_data",
                     {{"request", request}, {"format", format}, {"columnsVisibility", visible}});
}

void crawl_graphs(Crawl& c) {
    const json info = c.rec.record_json("graphs", "GET", "plugin/graphs/info");
    if (!info.is_object()) return;
    for (auto& [run, r] : info.items()) {
        if (r.value("run_graph", false))
            c.rec.record("graphs", run, "GET", "plugin/graphs/graph", {{"run", run}, {"conceptual", "false"}});
        if (!r.contains("tags")) continue;
        for (auto& [tag, t] : r["tags"].items()) {
            if (t.value("op_graph", false))
                c.rec.record("graphs", run, "GET", "plugin/graphs/graph", {{"run", run}, {"tag", tag}, {"conceptual", "false"}});
            if (t.value("conceptual_graph", false))
                c.rec.record("graphs", run, "GET", "plugin/graphs/graph", {{"run", run}, {"tag", tag}, {"conceptual", "true"}});
        }
    }
}

// Answers that list runs from files beside the event files (not from the store): narrowed to
// the selection here.
json selected(const Crawl& c, json list, const char* run_field) {
    json out = json::array();
    if (!list.is_array()) return out;
    for (auto& e : list)
        if (c.runs.count(run_field ? e.value(run_field, "") : e.get<std::string>())) out.push_back(e);
    return out;
}

void crawl_projector(Crawl& c) {
    const json runs = selected(c, c.rec.record_json("projector", "GET", "plugin/projector/runs"), nullptr);
    c.rec.put("projector", "plugin/projector/runs", runs);
    for (const auto& run : runs) {
        const std::string r = run.get<std::string>();
        const json info = c.rec.record_json("projector", "GET", "plugin/projector/info", {{"run", r}});
        if (!info.contains("embeddings")) continue;
        for (const auto& e : info["embeddings"]) {
            const Params p{{"run", r}, {"name", e.value("tensorName", "")}};
            c.rec.record("projector", r, "GET", "plugin/projector/tensor", p);
            if (e.contains("metadataPath")) c.rec.record("projector", r, "GET", "plugin/projector/metadata", p);
            if (e.contains("sprite")) c.rec.record("projector", r, "GET", "plugin/projector/sprite_image", p);
            if (e.contains("bookmarksPath")) c.rec.record("projector", r, "GET", "plugin/projector/bookmarks", p);
        }
    }
}

void crawl_mesh(Crawl& c) {
    static const char* const kNames[] = {"UNDEFINED", "VERTEX", "FACE", "COLOR"};
    const json tags = c.rec.record_json("mesh", "GET", "plugin/mesh/tags");
    if (!tags.is_object()) return;
    for (auto& [run, names] : tags.items())
        for (auto& [name, info] : names.items())
            for (long long s = 0; s < std::max(1LL, info.value("samples", 1LL)); ++s) {
                const Params p{{"run", run}, {"tag", name}, {"sample", std::to_string(s)}};
                auto body = c.rec.record("mesh", name, "GET", "plugin/mesh/meshes", p);
                if (!body) continue;
                for (const auto& e : json::parse(*body)) {
                    const int t = e.value("content_type", 0);
                    if (t < 1 || t > 3) continue;
                    c.rec.record("mesh", name, "GET", "plugin/mesh/data",
                                 with(p, {{"content_type", kNames[t]}, {"step", std::to_string(e.value("step", 0LL))}}));
                }
            }
}

// Every trace --runs keeps: as in the dashboard, also those of directories that hold only
// traces (PyTorch's tensorboard_trace_handler output), which are no run of /data/runs.
void crawl_profile(Crawl& c) {
    json files = json::array();
    const std::regex runs_re(c.opt.runs_regex, std::regex::ECMAScript);
    for (const auto& f : c.rec.record_json("profile", "GET", "tblog/profile/runs"))
        if (c.opt.runs_regex.empty() || std::regex_search(f.value("run", ""), runs_re)) files.push_back(f);
    c.rec.put("profile", "tblog/profile/runs", files);
    for (const auto& f : files) {
        Params p{{"run", f.value("run", "")}, {"session", f.value("session", "")}, {"host", f.value("host", "")}};
        if (!f.value("format", "").empty()) p.emplace_back("format", f.value("format", ""));  // as the page asks
        // the columns the dashboard reads, and the JSON (what the page falls back to, and
        // what Perfetto opens)
        c.rec.record("profile", f.value("run", ""), "GET", "tblog/profile/trace_columns", p);
        c.rec.record("profile", f.value("run", ""), "GET", "tblog/profile/trace", p);
    }
}

// /data/plugins_listing without the dashboards left out by --include.
void crawl_core(Crawl& c) {
    json listing = c.rec.record_json("core", "GET", "plugins_listing");
    if (listing.is_object() && !c.opt.include.empty())
        for (auto it = listing.begin(); it != listing.end();)
            it = c.opt.include.count(it.key()) ? std::next(it) : listing.erase(it);
    c.rec.put("core", "plugins_listing", listing);
    c.rec.record_json("core", "GET", "runs");
    c.rec.record_json("core", "GET", "environment");
}

// Keeps only the selected runs and tags in the store. Tags starting with '_' (hparams, run
// metadata) are format-level and always kept.
std::set<std::string> narrow_store(Store& store, const ExportOptions& o) {
    const std::regex runs_re(o.runs_regex.empty() ? "" : o.runs_regex, std::regex::ECMAScript);
    const std::regex tags_re(o.tags_regex.empty() ? "" : o.tags_regex, std::regex::ECMAScript);
    std::set<std::string> kept;
    for (const auto& run : store.runs()) {
        if (!o.runs_regex.empty() && !std::regex_search(run->name(), runs_re)) {
            store.remove(run->name());
            continue;
        }
        kept.insert(run->name());
        if (o.tags_regex.empty()) continue;
        std::unique_lock lk(run->mutex);
        for (auto it = run->series.begin(); it != run->series.end();)
            it = it->first.rfind('_', 0) == 0 || std::regex_search(it->first, tags_re) ? std::next(it) : run->series.erase(it);
    }
    return kept;
}

std::string creation_time(const ExportOptions& o) {
    if (!o.created.empty()) return o.created;
    std::time_t t = std::time(nullptr);
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch && *epoch) t = std::strtoll(epoch, nullptr, 10);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// JSON inside <script>: "</" only occurs in strings, where "<\/" means the same.
std::string script_safe(std::string s) {
    for (std::size_t i = 0; (i = s.find("</", i)) != std::string::npos; i += 3) s.replace(i, 2, "<\\/");
    return s;
}

std::string manifest_script(const ExportOptions& o, const Recorder& rec, bool single) {
    json files = json::object();
    for (const auto& [name, f] : rec.files()) files[name] = f.ext;
    const json m = {{"name", o.name},
                    {"description", o.description},
                    {"created", creation_time(o)},
                    {"version", kVersion},
                    {"single_file", single},
                    {"files", files}};
    return "<script id=\"tblog-export\" type=\"application/json\">" +
           script_safe(m.dump(-1, ' ', false, json::error_handler_t::replace)) + "</script>\n";
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
        switch (ch) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            default: out += ch;
        }
    }
    return out;
}

const WebAsset* asset(std::string_view path) {
    for (std::size_t i = 0; i < kWebAssetCount; ++i)
        if (path == kWebAssets[i].path) return &kWebAssets[i];
    return nullptr;
}

std::string asset_text(const char* path) {
    const WebAsset* a = asset(path);
    if (!a) throw std::runtime_error(std::string("this tblog-view was built without the web UI's ") + path);
    return std::string(reinterpret_cast<const char*>(a->data), a->size);
}

// index.html with the manifest (and the export's name as the title).
std::string with_manifest(std::string html, const std::string& manifest, const std::string& title) {
    const auto head = html.find("</head>");
    if (head == std::string::npos) throw std::runtime_error("the web UI's index.html has no </head>");
    html.insert(head, manifest);
    if (!title.empty())
        if (auto t = html.find("<title>"), e = html.find("</title>"); t != std::string::npos && e != std::string::npos)
            html.replace(t + 7, e - t - 7, html_escape(title));
    return html;
}

std::string base64(std::string_view in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
    }
    if (i + 1 == in.size()) {
        const unsigned v = (unsigned char)in[i] << 16;
        out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
        out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
    }
    return out;
}

std::string mb(std::uint64_t bytes) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f MB", bytes / 1e6);
    return b;
}

// Over the budget: the largest kinds and tags, and how to leave them out.
std::string over_budget(const ExportOptions& o, std::uint64_t total, const Recorder& rec) {
    std::map<std::string, std::uint64_t> kinds, labels;
    for (const auto& [_, f] : rec.files()) {
        const std::uint64_t n = (f.bytes.size() + 2) / 3 * 4;
        kinds[f.kind] += n;
        if (!f.label.empty()) labels[f.kind + " \"" + f.label + "\""] += n;
    }
    auto largest = [](const std::map<std::string, std::uint64_t>& m, std::size_t k) {
        std::vector<std::pair<std::uint64_t, std::string>> v;
        for (const auto& [name, n] : m) v.emplace_back(n, name);
        std::sort(v.rbegin(), v.rend());
        std::string out;
        for (std::size_t i = 0; i < std::min(k, v.size()); ++i) out += "\n  " + v[i].second + ": " + mb(v[i].first);
        return out;
    };
    return "tblog-view export: " + o.single_file.string() + " would be " + mb(total) + ", over the single-file budget of " +
           mb(static_cast<std::uint64_t>(o.max_size_mb * 1e6)) + " (--max_size_mb).\nLargest kinds:" + largest(kinds, 6) +
           "\nLargest tags/runs:" + largest(labels, 8) +
           "\nLeave some out with --include (kinds), --tags or --runs (regular expressions), lower --max_points, "
           "or export a folder with --out instead.";
}

void write_single_file(const ExportOptions& o, const Recorder& rec, ExportSummary& sum) {
    std::string html = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n<title>" +
                       html_escape(o.name.empty() ? "tblog-view export" : o.name) + "</title>\n<link rel=\"icon\" href=\"data:,\" />\n<style>" +
                       asset_text("single/app.css") + "</style>\n" + manifest_script(o, rec, true) +
                       "</head>\n<body>\n<div id=\"app\"></div>\n";
    std::uint64_t total = html.size();
    for (const auto& [name, f] : rec.files()) total += (f.bytes.size() + 2) / 3 * 4 + 64;
    const std::string js = script_safe(asset_text("single/app.js"));
    total += js.size();
    if (total > o.max_size_mb * 1e6) throw std::runtime_error(over_budget(o, total, rec));
    html.reserve(total + 64);
    for (const auto& [name, f] : rec.files())
        html += "<script type=\"text/plain\" id=\"tblog-f-" + name + "\">" + base64(f.bytes) + "</script>\n";
    html += "<script type=\"module\">" + js + "</script>\n</body>\n</html>\n";
    write_one(o.single_file.string(), html, file_mime("index.html"));
    sum.bytes = html.size();
}

void write_folder(const ExportOptions& o, const Recorder& rec, ExportSummary& sum) {
    std::vector<SiteFile> files;
    for (std::size_t i = 0; i < kWebAssetCount; ++i) {
        const std::string path = kWebAssets[i].path;
        if (path == "index.html" || path.rfind("single/", 0) == 0) continue;
        files.push_back({path, std::string_view(reinterpret_cast<const char*>(kWebAssets[i].data), kWebAssets[i].size)});
    }
    const std::string index = with_manifest(asset_text("index.html"), manifest_script(o, rec, false), o.name);
    files.push_back({"index.html", index});
    for (const auto& [name, f] : rec.files()) files.push_back({"data/" + name + "." + f.ext, f.bytes});
    for (const auto& f : files) sum.bytes += f.bytes.size();
    write_site(o.out.string(), files);
}

double to_number(const std::string& flag, const std::string& v) {
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end) throw bad("--" + flag + " takes a number, not '" + v + "'");
    return d;
}

}  // namespace

ExportOptions parse_export_options(int argc, const char* const* argv) {
    ExportOptions o;
    std::vector<const char*> rest{"tblog-view"};
    for (int i = 0; i < argc; ++i) {
        std::string arg = argv[i], flag = arg, value;
        bool has_value = false;
        if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            flag = arg.substr(0, eq);
            value = arg.substr(eq + 1);
            has_value = true;
        }
        auto take = [&]() -> std::string {
            if (has_value) return value;
            if (i + 1 >= argc) throw bad(flag + " needs a value");
            return argv[++i];
        };
        if (flag == "--out") o.out = take();
        else if (flag == "--single-file" || flag == "--single_file") o.single_file = take();
        else if (flag == "--name") o.name = take();
        else if (flag == "--description") o.description = take();
        else if (flag == "--runs") o.runs_regex = take();
        else if (flag == "--tags") o.tags_regex = take();
        else if (flag == "--max_points") {
            const double n = to_number("max_points", take());
            if (n < 16 || n > 1e6) throw bad("--max_points must be between 16 and 1000000");
            o.max_points = static_cast<std::size_t>(n);
        } else if (flag == "--max_size_mb") {
            o.max_size_mb = to_number("max_size_mb", take());
            if (o.max_size_mb <= 0) throw bad("--max_size_mb must be positive");
        } else if (flag == "--include") {
            std::string list = take(), kind;
            for (std::size_t p = 0; p <= list.size(); ++p) {
                if (p < list.size() && list[p] != ',') { kind += list[p]; continue; }
                if (kind.empty()) continue;
                bool known = false;
                for (const char* const* k = kKinds; *k; ++k) known = known || kind == *k;
                if (!known) {
                    std::string all;
                    for (const char* const* k = kKinds; *k; ++k) all += std::string(all.empty() ? "" : ",") + *k;
                    throw bad("unknown kind '" + kind + "' in --include (kinds: " + all + ")");
                }
                o.include.insert(kind);
                kind.clear();
            }
        } else if (flag == "--open") o.open = !has_value || (value != "false" && value != "0");
        else if (flag == "--created") o.created = take();
        else rest.push_back(argv[i]);
    }
    o.viewer = parse_options(static_cast<int>(rest.size()), rest.data());
    if (o.viewer.help) return o;
    if (o.out.empty() == o.single_file.empty()) throw bad("give one of --out DIR or --single-file FILE.html");
    if (o.open && (o.out.empty() || is_remote_path(o.out.string())))
        throw bad("--open serves a folder export on this machine (--out DIR)");
    if (o.viewer.logdirs.empty()) throw bad("--logdir is required");
    for (const auto* re : {&o.runs_regex, &o.tags_regex}) try {
            std::regex test(*re, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            throw bad("bad regular expression '" + *re + "': " + e.what());
        }
    return o;
}

std::string export_usage() {
    return "usage: tblog-view export --logdir DIR (--out DIR | --single-file FILE.html) [options]\n"
           "  Writes a static snapshot of every dashboard, readable without tblog-view.\n"
           "  --out and --single-file also take s3://bucket/prefix/ (objects with content types for a\n"
           "  bucket website; keys and endpoint from AWS_* and S3_ENDPOINT, as for --logdir s3://)\n"
           "  --name TEXT, --description TEXT  shown at the top of the page\n"
           "  --runs REGEX, --tags REGEX       only runs / tags matching (searched, ECMAScript)\n"
           "  --max_points N                   columns of the drawn scalar series (default 1000;\n"
           "                                   full-resolution CSV/JSON downloads are always included)\n"
           "  --include KINDS                  comma-separated, default all: scalars,custom_scalars,histograms,\n"
           "                                   distributions,images,audio,text,pr_curves,hparams,graphs,\n"
           "                                   projector,mesh,profile\n"
           "  --single-file FILE.html          one self-contained HTML file (opens from file://)\n"
           "  --max_size_mb N                  the single file's budget (default 50)\n"
           "  --open [--port P]                serve the folder on 127.0.0.1 afterwards, for a check\n"
           "  --max_memory SIZE, --cache_dir DIR  as for tblog-view: the logdir's data beyond SIZE\n"
           "                                   (default: half the RAM) waits in a cache file while exporting\n"
           "  --samples_per_plugin, --logdir_spec: as for tblog-view\n"
           "  Output is deterministic apart from the creation time (SOURCE_DATE_EPOCH fixes it).\n";
}

ExportSummary run_export(const ExportOptions& o) {
    Options viewer = o.viewer;
    // The export loads the whole logdir into a store as tblog-view does, so it takes the same
    // --max_memory (and --cache_dir): a logdir larger than RAM spills as it loads, and the
    // answers recorded are the same bytes (the routes read spilled data back). The answer
    // cache is not used here (each answer is asked once), but its share is set aside like
    // tblog-view's so a budget means the same in both; the timelines charge what they keep.
    const MemoryShares shares = memory_shares(viewer.max_memory);
    Store store(viewer.max_memory, viewer.cache_dir, shares.timelines);
    if (viewer.max_memory) store.budget().reserve(static_cast<std::int64_t>(shares.answers));
    Loader loader(viewer, store);
    loader.pass();
    const std::set<std::string> runs = narrow_store(store, o);

    http::Router router;
    router.add_filter(refuse_path_escapes);
    ServerContext ctx{viewer, store, loader};
    register_all_routes(router, ctx);

    Recorder rec(router);
    Crawl c{rec, o, runs};
    crawl_core(c);
    if (c.wants("scalars") || c.wants("custom_scalars")) crawl_scalars(c);
    if (c.wants("custom_scalars")) c.rec.record_json("custom_scalars", "GET", "plugin/custom_scalars/layout");
    if (c.wants("histograms") || c.wants("distributions")) crawl_histograms(c);
    if (c.wants("images")) crawl_media(c, "images", "individualImage");
    if (c.wants("audio")) crawl_media(c, "audio", "individualAudio");
    if (c.wants("text")) crawl_text(c);
    if (c.wants("pr_curves")) crawl_pr_curves(c);
    if (c.wants("hparams")) crawl_hparams(c);
    if (c.wants("graphs")) crawl_graphs(c);
    if (c.wants("projector")) crawl_projector(c);
    if (c.wants("mesh")) crawl_mesh(c);
    if (c.wants("profile")) crawl_profile(c);

    ExportSummary sum;
    sum.files = rec.files().size();
    sum.spilled_bytes = store.budget().spilled_bytes();
    for (const auto& [_, f] : rec.files()) sum.by_kind[f.kind] += f.bytes.size();
    if (!o.single_file.empty())
        write_single_file(o, rec, sum);
    else
        write_folder(o, rec, sum);
    return sum;
}

void serve_folder(const std::filesystem::path& dir, int port, void (*on_ready)(const std::string& url)) {
    http::Router router;
    const std::filesystem::path root = std::filesystem::absolute(dir);
    router.Get(R"(/(.*))", [root](const httplib::Request& req, httplib::Response& res) {
        std::string path = req.matches[1];
        if (path.empty()) path = "index.html";
        if (is_path_escape(path)) return send_error(res, 400, "refused: path leaves the export");
        std::ifstream f(root / path, std::ios::binary);
        if (!f) return send_error(res, 404, "Not found: /" + path);
        std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        send_body(res, std::move(bytes), file_mime(path));
    });
    http::ServerConfig cfg;
    cfg.host = "127.0.0.1";
    cfg.port = port;
    http::Server server(cfg, router);
    const int bound = server.bind();
    on_ready("http://127.0.0.1:" + std::to_string(bound) + "/");
    server.run();
}

}  // namespace tblog::view::exporting
