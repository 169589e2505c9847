// Graphs: /data/plugin/graphs/{info,graph,run_metadata}.
//
// Graph data are blob series: the run graph (Event.graph_def, tag "__run_graph__", plugin
// "graphs"), per-step RunMetadata (Event.tagged_run_metadata, plugin
// "graph_tagged_run_metadata": profile only) and TF2 summaries (graph_run_metadata[_graph],
// graph_keras_model). `graph` answers a GraphDef as text format, optionally with attribute
// values larger than limit_attr_size replaced by their names under large_attrs_key, as
// TensorBoard's process_graph does. Op graphs of run metadata and Keras conceptual graphs are
// built by graph_convert.hpp.
#include <algorithm>

#include "graph.pb.h"
#include "plugins/graphs/graph_convert.hpp"
#include "plugin_index.hpp"
#include "routes.hpp"
#include "run_metadata.pb.h"
#include "text_format.hpp"

namespace tblog::view {

namespace {

namespace gp = google::protobuf;
constexpr std::string_view kRunGraphTag = "__run_graph__";

// The first blob of the latest point of run/tag among `plugins` (TensorBoard reads with
// downsample=1, which keeps the latest point), or null. Caller holds the run's lock; the
// bytes are a shared_ptr (held by the caller while it parses them), not a pointer into the
// series, because the payload may be spilled as soon as the lock is released.
std::shared_ptr<const std::string> latest_blob(const Run& run, std::string_view tag, std::initializer_list<std::string_view> plugins) {
    const Series* s = run.find(tag);
    if (!s || s->meta.data_class != DataClass::blob_sequence) return nullptr;
    if (std::find(plugins.begin(), plugins.end(), s->meta.plugin_name) == plugins.end()) return nullptr;
    const auto& items = s->blobs.items();
    if (items.empty() || items.back().value.empty()) return nullptr;
    return items.back().value.front().bytes();
}

// Removes attribute values whose encoded size exceeds `limit` from every node of a mirrored
// GraphDef, listing their keys in attr[large_attrs_key].list.s.
void limit_attr_sizes(gp::Message& graph, std::size_t limit, const std::string& large_attrs_key) {
    const gp::Reflection* gr = graph.GetReflection();
    const gp::FieldDescriptor* node_f = graph.GetDescriptor()->FindFieldByName("node");
    for (int i = 0, n = gr->FieldSize(graph, node_f); i < n; ++i) {
        gp::Message* node = gr->MutableRepeatedMessage(&graph, node_f, i);
        const gp::Reflection* nr = node->GetReflection();
        const gp::FieldDescriptor* attr_f = node->GetDescriptor()->FindFieldByName("attr");
        std::vector<std::string> removed;
        int kept = 0;
        for (int j = 0, m = nr->FieldSize(*node, attr_f); j < m; ++j) {
            const gp::Message& entry = nr->GetRepeatedMessage(*node, attr_f, j);
            const gp::Reflection* er = entry.GetReflection();
            const auto* key_f = entry.GetDescriptor()->FindFieldByName("key");
            const auto* value_f = entry.GetDescriptor()->FindFieldByName("value");
            if (er->GetMessage(entry, value_f).ByteSizeLong() > limit) {
                removed.push_back(er->GetString(entry, key_f));
            } else {
                if (kept != j) nr->SwapElements(node, attr_f, kept, j);
                ++kept;
            }
        }
        while (nr->FieldSize(*node, attr_f) > kept) nr->RemoveLast(node, attr_f);
        if (removed.empty()) continue;
        gp::Message* entry = nr->AddMessage(node, attr_f);
        const gp::Reflection* er = entry->GetReflection();
        er->SetString(entry, entry->GetDescriptor()->FindFieldByName("key"), large_attrs_key);
        gp::Message* value = er->MutableMessage(entry, entry->GetDescriptor()->FindFieldByName("value"));
        gp::Message* list = value->GetReflection()->MutableMessage(value, value->GetDescriptor()->FindFieldByName("list"));
        const auto* s_f = list->GetDescriptor()->FindFieldByName("s");
        for (const auto& k : removed) list->GetReflection()->AddString(list, s_f, k);
    }
}

}  // namespace

void register_graph_routes(Router& srv, ServerContext& ctx) {
    // {run: {"run", "run_graph", "tags": {tag: {"tag", "conceptual_graph", "op_graph", "profile"}}}}
    srv.Get("/data/plugin/graphs/info", [&ctx](const httplib::Request&, httplib::Response& res) {
        json out = json::object();
        for (const auto& run : ctx.store.runs()) {
            std::shared_lock lk(run->mutex);
            auto run_item = [&]() -> json& {
                json& r = out[run->name()];
                if (r.is_null()) r = {{"run", run->name()}, {"tags", json::object()}, {"run_graph", false}};
                return r;
            };
            auto tag_item = [&](const std::string& tag) -> json& {
                json& t = run_item()["tags"][tag];
                if (t.is_null()) t = {{"tag", tag}, {"conceptual_graph", false}, {"op_graph", false}, {"profile", false}};
                return t;
            };
            for (const auto& [tag, s] : run->series) {
                if (s.meta.data_class != DataClass::blob_sequence) continue;
                const std::string& p = s.meta.plugin_name;
                const bool v1 = s.meta.plugin_content == "1";
                if (p == "graph_run_metadata_graph" && v1) tag_item(tag)["op_graph"] = true;
                else if (p == "graph_run_metadata" && v1) tag_item(tag)["profile"] = true, tag_item(tag)["op_graph"] = true;
                else if (p == "graph_keras_model" && v1) tag_item(tag)["conceptual_graph"] = true;
                else if (p == "graphs" && tag == kRunGraphTag) run_item()["run_graph"] = true;
                else if (p == "graph_tagged_run_metadata") tag_item(tag)["profile"] = true;
            }
        }
        send_json(res, out);
    });

    // ?run=[&tag=][&conceptual=false][&limit_attr_size=N&large_attrs_key=K] -> pbtxt
    srv.Get("/data/plugin/graphs/graph", [&ctx](const httplib::Request& req, httplib::Response& res) {
        auto run = require_run(ctx, req, res);
        if (!run) return;
        const bool conceptual = param_or(req, "conceptual", "false") == "true";
        std::optional<long long> limit;
        if (req.has_param("limit_attr_size")) {
            limit = int_param(req, res, "limit_attr_size", 0);
            if (!limit) return;
            if (*limit <= 0) return send_error(res, 400, "limit_attr_size must be > 0");
            if (!req.has_param("large_attrs_key"))
                return send_error(res, 400, "large_attrs_key must be given with limit_attr_size");
        }
        std::unique_ptr<gp::Message> graph;
        try {
            std::shared_lock lk(run->mutex);
            const std::string tag = param_or(req, "tag", "");
            if (conceptual) {  // the Keras model config of tag (graph_keras_model)
                if (const auto b = latest_blob(*run, tag, {"graph_keras_model"})) graph = keras_model_to_graph_def(*b);
            } else if (!req.has_param("tag")) {
                if (const auto b = latest_blob(*run, kRunGraphTag, {"graphs"}))
                    graph = parse_mirrored(tensorboard::GraphDef::descriptor(), *b);
            } else if (const auto b = latest_blob(*run, tag, {"graph_run_metadata", "graph_run_metadata_graph"})) {
                graph = merge_run_metadata_graphs(*b);
            }
        } catch (const std::invalid_argument& e) {  // a Keras config that is not one
            return send_error(res, 400, e.what());
        } catch (const std::runtime_error& e) {  // function graphs of different versions
            return send_error(res, 500, e.what());
        } catch (const std::exception& e) {  // anything else a malformed config trips over
            return send_error(res, 400, std::string("bad graph data: ") + e.what());
        }
        if (!graph) return send_error(res, 404, "No graph in run \"" + run->name() + "\"");
        if (limit) limit_attr_sizes(*graph, static_cast<std::size_t>(*limit), req.get_param_value("large_attrs_key"));
        res.set_content(to_text(*graph), "text/x-protobuf");
    });

    // ?run=&tag= -> RunMetadata as pbtxt
    srv.Get("/data/plugin/graphs/run_metadata", [&ctx](const httplib::Request& req, httplib::Response& res) {
        auto run = require_run(ctx, req, res);
        if (!run) return;
        auto tag = require_param(req, res, "tag");
        if (!tag) return;
        std::optional<std::string> text;
        {
            std::shared_lock lk(run->mutex);
            if (const auto b = latest_blob(*run, *tag, {"graph_tagged_run_metadata", "graph_run_metadata"}))
                text = text_format_in_wire_order(tensorboard::RunMetadata::descriptor(), *b);
        }
        if (!text) return send_error(res, 404, "No run metadata for run \"" + run->name() + "\", tag \"" + *tag + "\"");
        res.set_content(*text, "text/x-protobuf");
    });
}

const PluginUnit& graphs_plugin() {
    static const PluginUnit unit{"graphs",
                                 {{"graph_run_metadata", DataClass::blob_sequence},
                                  {"graph_run_metadata_graph", DataClass::blob_sequence},
                                  {"graph_keras_model", DataClass::blob_sequence}},
                                 {{"graphs",
                                   "graphs",
                                   "tf-graph-dashboard",
                                   nullptr,
                                   true,
                                   {"graphs", "graph_run_metadata", "graph_run_metadata_graph", "graph_keras_model",
                                    "graph_tagged_run_metadata"}}},
                                 register_graph_routes};
    return unit;
}

}  // namespace tblog::view
