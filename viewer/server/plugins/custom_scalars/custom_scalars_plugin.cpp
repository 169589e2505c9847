// Custom scalars: /data/plugin/custom_scalars/layout merges the Layout protos that runs store
// under the tag "custom_scalars__config__" (runs in name order; categories with the same
// title merge their charts, skipping duplicates), and /data/plugin/custom_scalars/scalars
// answers the scalars of every tag of a run matching a regular expression.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <regex>

#include "scalar_json.hpp"
#include "plugin_custom_scalar.pb.h"
#include "plugin_index.hpp"
#include "points_download.hpp"
#include "routes.hpp"
#include "tensor_util.hpp"

namespace tblog::view {

namespace {

constexpr const char* kConfigTag = "custom_scalars__config__";

bool layout_of(const Series& s, tensorboard::Layout& out) {
    const auto& items = s.tensors.items();
    Tensor t;
    if (items.empty() || !parse_tensor(*items.back().value.bytes(), t) || !t.is_string() || t.proto.string_val_size() < 1)
        return false;
    return out.ParseFromString(t.proto.string_val(0));
}

void merge(tensorboard::Layout& into, const tensorboard::Layout& add) {
    using google::protobuf::util::MessageDifferencer;
    for (const auto& cat : add.category()) {
        tensorboard::Category* same = nullptr;
        for (auto& c : *into.mutable_category())
            if (c.title() == cat.title()) same = &c;
        if (!same) {
            *into.add_category() = cat;
            continue;
        }
        const int existing = same->chart_size();
        for (const auto& chart : cat.chart()) {
            bool dup = false;
            for (int i = 0; i < existing && !dup; ++i) dup = MessageDifferencer::Equals(same->chart(i), chart);
            if (!dup) *same->add_chart() = chart;
        }
    }
}

}  // namespace

void register_custom_scalar_routes(Router& srv, ServerContext& ctx) {
    srv.Get("/data/plugin/custom_scalars/layout", [&ctx](const httplib::Request&, httplib::Response& res) {
        tensorboard::Layout merged;
        bool any = false;
        for_each_series(ctx.store, "custom_scalars", DataClass::tensor,
                        [&](const Run&, const std::string& tag, const Series& s) {
                            tensorboard::Layout l;
                            if (tag != kConfigTag || !layout_of(s, l)) return;
                            if (any) merge(merged, l);
                            else merged = l;
                            any = true;
                        });
        if (!any) return send_json(res, json::object());
        google::protobuf::util::JsonPrintOptions opt;
        opt.always_print_primitive_fields = true;
        std::string out;
        (void)google::protobuf::util::MessageToJsonString(merged, &out, opt);
        send_body(res, std::move(out), "application/json");
    });

    // ?run=&tag=<regex>: {"regex_valid": bool, "tag_to_events": {tag: [[wall_time, step, value]]}}
    // ?run=&tag=&format=csv|json: one scalar series for download, as TensorBoard's
    // custom_scalars download_data delegates to the scalars plugin's scalars_impl.
    srv.Get("/data/plugin/custom_scalars/download_data", [&ctx](const httplib::Request& req, httplib::Response& res) {
        with_series(ctx, req, res, "scalars", DataClass::scalar, [&](const Run& run, const Series& s) {
            send_points(ctx, run, req.get_param_value("tag"), s, param_or(req, "format", "json") == "csv", res);
        });
    });

    srv.Get("/data/plugin/custom_scalars/scalars", [&ctx](const httplib::Request& req, httplib::Response& res) {
        auto run = require_run(ctx, req, res);
        if (!run) return;
        auto pattern = require_param(req, res, "tag");
        if (!pattern) return;
        std::regex re;
        try {
            re = std::regex(*pattern);
        } catch (const std::regex_error&) {
            return send_json(res, {{"regex_valid", false}, {"tag_to_events", json::object()}});
        }
        std::string out = "{\"regex_valid\":true,\"tag_to_events\":{";
        bool first_tag = true;
        std::shared_lock lk(run->mutex);
        for (const auto& [tag, s] : run->series) {
            if (!series_of(s, "scalars", DataClass::scalar) ||
                !std::regex_search(tag, re, std::regex_constants::match_continuous))
                continue;
            if (!first_tag) out += ',';
            first_tag = false;
            out += json(tag).dump() + ":";
            append_points_json(out, s.scalars);
        }
        out += "}}";
        send_body(res, std::move(out), "application/json");
    });
}

const PluginUnit& custom_scalars_plugin() {
    static const PluginUnit unit{
        "custom_scalars",
        {{"custom_scalars", DataClass::tensor}},
        {{"custom_scalars", "Custom Scalars", "tf-custom-scalar-dashboard", nullptr, false, {"custom_scalars"}}},
        register_custom_scalar_routes};
    return unit;
}

}  // namespace tblog::view
