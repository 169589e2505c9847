// Time series: /data/plugin/timeseries/{tags,timeSeries,imageData}, the routes of TensorBoard's
// default "Time Series" dashboard (tensorboard/plugins/metrics/metrics_plugin.py), over the
// scalars, histograms and images series the other plugins serve.
//
//   tags: {scalars|histograms: {runTagInfo: {run: [tag...]}, tagDescriptions: {tag: html}},
//          images: {tagDescriptions, tagRunSampledInfo: {tag: {run: {maxSamplesPerStep}}}}}
//   timeSeries (POST form or GET, requests=[{plugin, tag, run?, sample?}, ...]): one answer per
//     request, {plugin, tag[, run][, sample], runToSeries: {run: [...]}} or {..., error}
//   imageData?imageId=: the image bytes; an imageId is opaque (hex of run, tag, step, index).
#include <algorithm>
#include <map>
#include <set>

#include "http/response.hpp"
#include "media_types.hpp"
#include "plugin_index.hpp"
#include "routes.hpp"
#include "tensor_util.hpp"

namespace tblog::view {

namespace {

struct Kind {
    const char* plugin;
    DataClass cls;
};
constexpr Kind kScalars{"scalars", DataClass::scalar};
constexpr Kind kHistograms{"histograms", DataClass::tensor};
constexpr Kind kImages{"images", DataClass::blob_sequence};

// _get_tag_to_description: one description as HTML, several combined under run headers.
json tag_descriptions(const Store& store, const Kind& k) {
    std::map<std::string, std::set<std::string>> tag_to_descs;
    std::map<std::string, std::set<std::string>> desc_to_runs;
    for_each_series(store, k.plugin, k.cls, [&](const Run& run, const std::string& tag, const Series& s) {
        if (s.meta.description.empty()) return;
        tag_to_descs[tag].insert(s.meta.description);
        desc_to_runs[s.meta.description].insert(run.name());
    });
    json out = json::object();
    for (const auto& [tag, descs] : tag_to_descs) {
        std::string md;
        if (descs.size() == 1) {
            md = *descs.begin();
        } else {
            md = "# Multiple descriptions\n";
            bool first = true;
            for (const auto& d : descs) {
                const auto& runs = desc_to_runs[d];
                std::string header = "## For " + std::string(runs.size() > 1 ? "runs" : "run") + ": ";
                bool f = true;
                for (const auto& r : runs) header += (f ? "" : ", ") + r, f = false;
                md += (first ? "" : "\n") + header + "\n" + d;
                first = false;
            }
        }
        out[tag] = markdown_to_safe_html(md);
    }
    return out;
}

json run_tag_info(const Store& store, const Kind& k) {
    json out = json::object();
    for_each_series(store, k.plugin, k.cls, [&](const Run& run, const std::string& tag, const Series&) {
        out[run.name()].push_back(tag);  // runs' series maps iterate in tag order
    });
    return out;
}

std::string hex(std::string_view s) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) out += digits[c >> 4], out += digits[c & 15];
    return out;
}

std::optional<std::string> unhex(std::string_view s) {
    if (s.size() % 2) return std::nullopt;
    auto val = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    std::string out;
    for (std::size_t i = 0; i < s.size(); i += 2) {
        const int hi = val(s[i]), lo = val(s[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

// imageId: hex("run\0tag\0step\0index"): URL-safe as the front end sends it unencoded.
std::string image_id(const std::string& run, const std::string& tag, std::int64_t step, std::size_t index) {
    std::string key = run;
    key += '\0';
    key += tag;
    key += '\0';
    key += std::to_string(step) + '\0' + std::to_string(index);
    return hex(key);
}

json scalar_series(const Series& s) {
    json out = json::array();
    s.scalars.for_each(0, s.scalars.size(), [&](const ScalarPoint& p) {
        out.push_back({{"wallTime", jnum(p.wall_time)}, {"step", p.step}, {"value", jnum(p.value)}});
    });
    return out;
}

json histogram_series(const Series& s) {
    json out = json::array();
    for (const auto& it : s.tensors.items()) {
        Tensor t;
        std::vector<double> v;
        json bins = json::array();
        if (parse_tensor(*it.value.bytes(), t) && t.to_doubles(v) && t.shape.size() == 2 && t.shape[1] == 3)
            for (std::size_t i = 0; i + 2 < v.size(); i += 3)
                bins.push_back({{"min", jnum(v[i])}, {"max", jnum(v[i + 1])}, {"count", jnum(v[i + 2])}});
        out.push_back({{"wallTime", jnum(it.wall_time)}, {"step", it.step}, {"bins", std::move(bins)}});
    }
    return out;
}

// _get_time_series for one request.
json time_series(const Store& store, const json& request) {
    json out = json::object();
    const json tag = request.value("tag", json()), run = request.value("run", json()), sample = request.value("sample", json());
    const std::string plugin = request.value("plugin", json()).is_string() ? request["plugin"].get<std::string>() : "";
    out["plugin"] = request.value("plugin", json());
    out["tag"] = tag;
    if (run.is_string()) out["run"] = run;
    if (sample.is_number_integer()) out["sample"] = sample;
    if (!tag.is_string()) return out["error"] = "Missing tag", out;
    if (plugin != kScalars.plugin && plugin != kHistograms.plugin && plugin != kImages.plugin)
        return out["error"] = "Invalid plugin", out;
    if (plugin != kScalars.plugin && !run.is_string()) return out["error"] = "Missing run", out;
    if (plugin == kImages.plugin && !sample.is_number_integer()) return out["error"] = "Missing sample", out;
    const Kind& k = plugin == kScalars.plugin ? kScalars : plugin == kHistograms.plugin ? kHistograms : kImages;
    const std::string tag_name = tag.get<std::string>();
    json series = json::object();
    for (const auto& r : store.runs()) {
        if (run.is_string() && !run.get<std::string>().empty() && r->name() != run.get<std::string>()) continue;
        std::shared_lock lk(r->mutex);
        const Series* s = r->find(tag_name);
        if (!s || !series_of(*s, k.plugin, k.cls)) continue;
        if (&k == &kScalars) {
            series[r->name()] = scalar_series(*s);
        } else if (&k == &kHistograms) {
            series[r->name()] = histogram_series(*s);
        } else {
            const long long want = sample.get<long long>();
            if (want < 0) continue;
            const std::size_t index = static_cast<std::size_t>(want) + 2;  // after width, height
            json steps = json::array();
            for (const auto& it : s->blobs.items())
                if (it.value.size() > index)
                    steps.push_back({{"step", it.step}, {"wallTime", jnum(it.wall_time)},
                                     {"imageId", image_id(r->name(), tag_name, it.step, index)}});
            if (!steps.empty()) series[r->name()] = std::move(steps);
        }
    }
    out["runToSeries"] = std::move(series);
    return out;
}

}  // namespace

void register_timeseries_routes(Router& srv, ServerContext& ctx) {
    srv.Get("/data/plugin/timeseries/tags", [&ctx](const httplib::Request&, httplib::Response& res) {
        json images_sampled = json::object();
        for_each_series(ctx.store, kImages.plugin, kImages.cls, [&](const Run& run, const std::string& tag, const Series& s) {
            std::size_t n = 0;
            for (const auto& it : s.blobs.items()) n = std::max(n, it.value.size());
            images_sampled[tag][run.name()] = {{"maxSamplesPerStep", n >= 2 ? n - 2 : 0}};
        });
        send_json(res, {{"scalars", {{"runTagInfo", run_tag_info(ctx.store, kScalars)},
                                     {"tagDescriptions", tag_descriptions(ctx.store, kScalars)}}},
                        {"histograms", {{"runTagInfo", run_tag_info(ctx.store, kHistograms)},
                                        {"tagDescriptions", tag_descriptions(ctx.store, kHistograms)}}},
                        {"images", {{"tagDescriptions", tag_descriptions(ctx.store, kImages)},
                                    {"tagRunSampledInfo", images_sampled}}}});
    });

    auto series_route = [&ctx](const httplib::Request& req, httplib::Response& res) {
        const std::string text = param_or(req, "requests", "");
        if (text.empty()) return send_error(res, 400, "Missing 'requests' field");
        json requests;
        try {
            requests = json::parse(text);
        } catch (const std::exception&) {
            return send_error(res, 400, "Unable to parse 'requests' as JSON");
        }
        if (!requests.is_array()) return send_error(res, 400, "'requests' is not a list");
        json out = json::array();
        for (const auto& r : requests) out.push_back(time_series(ctx.store, r.is_object() ? r : json::object()));
        send_json(res, out);
    };
    srv.Post("/data/plugin/timeseries/timeSeries", series_route);
    srv.Get("/data/plugin/timeseries/timeSeries", series_route);

    srv.Get("/data/plugin/timeseries/imageData", [&ctx](const httplib::Request& req, httplib::Response& res) {
        auto id = require_param(req, res, "imageId");
        if (!id) return;
        const auto key = unhex(*id);
        std::vector<std::string> parts;
        if (key) {
            std::size_t start = 0;
            for (std::size_t z; (z = key->find('\0', start)) != std::string::npos; start = z + 1)
                parts.push_back(key->substr(start, z - start));
            parts.push_back(key->substr(start));
        }
        if (parts.size() != 4 || is_path_escape(parts[0])) return send_error(res, 400, "Bad imageId");
        auto run = ctx.store.find(parts[0]);
        if (!run) return send_error(res, 404, "Unknown run: \"" + parts[0] + "\"");
        std::int64_t step;
        std::size_t index;
        try {
            step = std::stoll(parts[2]);
            index = static_cast<std::size_t>(std::stoull(parts[3]));
        } catch (const std::exception&) {
            return send_error(res, 400, "Bad imageId");
        }
        std::shared_lock lk(run->mutex);
        const Series* s = run->find(parts[1]);
        if (!s || !series_of(*s, kImages.plugin, kImages.cls)) return send_error(res, 404, "No such image");
        for (const auto& it : s->blobs.items())
            if (it.step == step && index < it.value.size()) {
                auto bytes = it.value[index].bytes();  // held by the answer until it is sent
                const char* mime = image_mime(*bytes);
                return http::stream_shared(res, std::move(bytes), mime);
            }
        send_error(res, 404, "No such image (it may have been sampled out)");
    });
}

// Owns no data of its own (it serves the other plugins' series); always listed as active,
// as TensorBoard's.
const PluginUnit& timeseries_plugin() {
    static const PluginUnit unit{
        "timeseries",
        {},
        {{"timeseries", "Time Series", nullptr, nullptr, false, {}, [](const ServerContext&) { return true; }}},
        register_timeseries_routes};
    return unit;
}

}  // namespace tblog::view
