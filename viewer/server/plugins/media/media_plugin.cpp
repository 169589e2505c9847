// Images and audio: /data/plugin/images/{tags,images,individualImage} and
// /data/plugin/audio/{tags,audio,individualAudio}.
//
// Both are blob sequences: an image point holds {width, height, image...}, an audio point
// {clip...}. The list routes answer one entry per point that has the requested sample, with
// an opaque `query` for fetching the bytes (run, tag, step and blob index: a point that the
// sampling has since evicted answers 404).
#include <algorithm>

#include "http/response.hpp"
#include "media_types.hpp"
#include "plugin_audio.pb.h"
#include "plugin_index.hpp"
#include "routes.hpp"

namespace tblog::view {

namespace {

std::size_t max_length(const Series& s) {
    std::size_t n = 0;
    for (const auto& it : s.blobs.items()) n = std::max(n, it.value.size());
    return n;
}

const char* audio_mime(const Series& s) {
    tensorboard::AudioPluginData d;
    if (d.ParseFromString(s.meta.plugin_content) && d.encoding() == tensorboard::AudioPluginData::WAV) return "audio/wav";
    return "application/octet-stream";
}

std::string blob_query(const Run& run, const std::string& tag, std::int64_t step, std::size_t index) {
    return "run=" + url_encode(run.name()) + "&tag=" + url_encode(tag) + "&step=" + std::to_string(step) +
           "&index=" + std::to_string(index);
}

// The list answer: points having blob `index`, as entries built by `entry`.
template <class Entry>
std::string list_json(const Run& run, const std::string& tag, const Series& s, std::size_t index, Entry&& entry) {
    json out = json::array();
    for (const auto& it : s.blobs.items()) {
        if (it.value.size() <= index) continue;
        json e = {{"wall_time", jnum(it.wall_time)}, {"step", it.step}, {"query", blob_query(run, tag, it.step, index)}};
        entry(s, e);
        out.push_back(std::move(e));
    }
    return out.dump();
}

// The list route for ?run=&tag=&sample=, or (multirun) its batched form for tag=&runs=...:
// points having blob `first_blob + sample`.
template <class Entry>
void serve_list(ServerContext& ctx, const httplib::Request& req, httplib::Response& res, const char* plugin,
                std::size_t first_blob, bool multirun, Entry&& entry) {
    const auto sample = int_param(req, res, "sample", 0);
    if (!sample) return;
    if (*sample < 0) return send_error(res, 400, "sample must be >= 0");
    const std::size_t index = first_blob + static_cast<std::size_t>(*sample);
    const std::string tag = req.get_param_value("tag");
    auto answer = [&](const Run& run, const Series& s, std::size_t = 0) { return list_json(run, tag, s, index, entry); };
    if (multirun) return serve_multirun(ctx, req, res, plugin, DataClass::blob_sequence, answer);
    with_series(ctx, req, res, plugin, DataClass::blob_sequence,
                [&](const Run& run, const Series& s) { send_body(res, answer(run, s), "application/json"); });
}

// The bytes route: blob `index` of the point at `step`.
void serve_blob(ServerContext& ctx, const httplib::Request& req, httplib::Response& res, const char* plugin,
                const std::function<const char*(const Series&, const std::string&)>& mime) {
    const auto step = int_param(req, res, "step", 0);
    if (!step) return;
    const auto index = int_param(req, res, "index", 0);
    if (!index) return;
    with_series(ctx, req, res, plugin, DataClass::blob_sequence, [&](const Run&, const Series& s) {
        const auto& items = s.blobs.items();
        auto it = std::lower_bound(items.begin(), items.end(), *step,
                                   [](const auto& item, std::int64_t st) { return item.step < st; });
        if (it == items.end() || it->step != *step || *index < 0 || static_cast<std::size_t>(*index) >= it->value.size())
            return send_error(res, 404, "No such blob (it may have been sampled out)");
        auto bytes = it->value[static_cast<std::size_t>(*index)].bytes();  // held by the answer until sent
        const char* type = mime(s, *bytes);
        http::stream_shared(res, std::move(bytes), type);
    });
}

}  // namespace

void register_media_routes(Router& srv, ServerContext& ctx) {
    srv.Get("/data/plugin/images/tags", [&ctx](const httplib::Request&, httplib::Response& res) {
        send_json(res, tags_index(ctx.store, "images", DataClass::blob_sequence, [](const Series& s, json& e) {
                      e["samples"] = max_length(s) >= 2 ? max_length(s) - 2 : 0;  // less width, height
                  }));
    });
    for (bool multi : {false, true}) {
        auto images = [&ctx, multi](const httplib::Request& req, httplib::Response& res) {
            serve_list(ctx, req, res, "images", 2, multi, [](const Series&, json&) {});
        };
        if (multi)
            srv.Post("/data/plugin/images/images_multirun", images);  // tblog: tag=&runs=...&sample=
        else
            srv.Get("/data/plugin/images/images", images);
    }
    srv.Get("/data/plugin/images/individualImage", [&ctx](const httplib::Request& req, httplib::Response& res) {
        serve_blob(ctx, req, res, "images", [](const Series&, const std::string& b) { return image_mime(b); });
    });

    srv.Get("/data/plugin/audio/tags", [&ctx](const httplib::Request&, httplib::Response& res) {
        send_json(res, tags_index(ctx.store, "audio", DataClass::blob_sequence,
                                  [](const Series& s, json& e) { e["samples"] = max_length(s); }));
    });
    for (bool multi : {false, true}) {
        auto audio = [&ctx, multi](const httplib::Request& req, httplib::Response& res) {
            serve_list(ctx, req, res, "audio", 0, multi, [](const Series& s, json& e) {
                e["label"] = "";  // labels ([k, 2] tensors) are not kept, as in TensorBoard's data server
                e["contentType"] = audio_mime(s);
            });
        };
        if (multi)
            srv.Post("/data/plugin/audio/audio_multirun", audio);  // tblog: tag=&runs=...&sample=
        else
            srv.Get("/data/plugin/audio/audio", audio);
    }
    srv.Get("/data/plugin/audio/individualAudio", [&ctx](const httplib::Request& req, httplib::Response& res) {
        serve_blob(ctx, req, res, "audio", [](const Series& s, const std::string&) { return audio_mime(s); });
    });
}

const PluginUnit& media_plugin() {
    static const PluginUnit unit{"media",
                                 {{"images", DataClass::blob_sequence}, {"audio", DataClass::blob_sequence}},
                                 {{"images", "images", "tf-image-dashboard", nullptr, false, {"images"}},
                                  {"audio", "audio", "tf-audio-dashboard", nullptr, false, {"audio"}}},
                                 register_media_routes};
    return unit;
}

}  // namespace tblog::view
