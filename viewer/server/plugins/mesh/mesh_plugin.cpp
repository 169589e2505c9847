// Meshes: /data/plugin/mesh/{tags,meshes,data}. A mesh named N is stored as up to three
// tensor series (N_VERTEX, N_FACE, N_COLOR) whose MeshPluginData names N and the component.
// `data` answers one component's numbers as raw little-endian arrays: float32 vertices, int32
// face indices, uint8 colours.
#include <algorithm>
#include <cstring>
#include <type_traits>

#include "plugin_index.hpp"
#include "plugin_mesh.pb.h"
#include "routes.hpp"
#include "tensor_util.hpp"

namespace tblog::view {

namespace {

constexpr const char* kPlugin = "mesh";
using MeshData = tensorboard::mesh::MeshPluginData;

struct Component {
    MeshData meta;
    const Series* series;
};

// The components of mesh `name` in run `run` (caller holds the run's lock), ordered by
// content type (vertices, faces, colours).
std::vector<Component> components(const Run& run, const std::string& name) {
    std::vector<Component> out;
    for (const auto& [tag, s] : run.series) {
        if (!series_of(s, kPlugin, DataClass::tensor)) continue;
        MeshData md;
        if (md.ParseFromString(s.meta.plugin_content) && md.name() == name) out.push_back({md, &s});
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const Component& a, const Component& b) { return a.meta.content_type() < b.meta.content_type(); });
    return out;
}

template <class T>
void append_as(std::string& out, const std::vector<double>& v, std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n && i < v.size(); ++i) {
        // Integers wrap like numpy's astype (a direct double->uint8 cast of 300 is undefined).
        const T x = std::is_integral_v<T> ? static_cast<T>(static_cast<std::int64_t>(v[i])) : static_cast<T>(v[i]);
        out.append(reinterpret_cast<const char*>(&x), sizeof(T));
    }
}

}  // namespace

void register_mesh_routes(Router& srv, ServerContext& ctx) {
    // {run: {mesh name: {"samples": batch size}}}
    srv.Get("/data/plugin/mesh/tags", [&ctx](const httplib::Request&, httplib::Response& res) {
        json out = json::object();
        for_each_series(ctx.store, kPlugin, DataClass::tensor, [&](const Run& run, const std::string&, const Series& s) {
            MeshData md;
            if (!md.ParseFromString(s.meta.plugin_content)) return;
            out[run.name()][md.name()] = {{"samples", md.shape_size() ? md.shape(0) : 0}};
        });
        send_json(res, out);
    });

    // [{wall_time, step, content_type, components, config, data_shape}] by step.
    srv.Get("/data/plugin/mesh/meshes", [&ctx](const httplib::Request& req, httplib::Response& res) {
        auto run = require_run(ctx, req, res);
        if (!run) return;
        auto name = require_param(req, res, "tag");
        if (!name) return;
        std::shared_lock lk(run->mutex);
        const auto comps = components(*run, *name);
        if (comps.empty()) return send_error(res, 404, "No mesh \"" + *name + "\" in run \"" + run->name() + "\"");
        std::vector<std::pair<std::int64_t, json>> rows;
        for (const auto& c : comps)
            for (const auto& it : c.series->tensors.items())
                rows.emplace_back(it.step, json{{"wall_time", jnum(it.wall_time)},
                                                {"step", it.step},
                                                {"content_type", static_cast<int>(c.meta.content_type())},
                                                {"components", c.meta.components()},
                                                {"config", c.meta.json_config()},
                                                {"data_shape", std::vector<int>(c.meta.shape().begin(), c.meta.shape().end())}});
        std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        json out = json::array();
        for (auto& r : rows) out.push_back(std::move(r.second));
        send_json(res, out);
    });

    // ?run=&tag=&content_type=VERTEX|FACE|COLOR&sample=0&step=0 -> raw array bytes
    srv.Get("/data/plugin/mesh/data", [&ctx](const httplib::Request& req, httplib::Response& res) {
        auto run = require_run(ctx, req, res);
        if (!run) return;
        auto name = require_param(req, res, "tag");
        if (!name) return;
        MeshData::ContentType type;
        if (!MeshData::ContentType_Parse(param_or(req, "content_type", ""), &type) || type == MeshData::UNDEFINED)
            return send_error(res, 400, "Bad content_type");
        const auto sample = int_param(req, res, "sample", 0);
        if (!sample) return;
        const double step = std::atof(param_or(req, "step", "0").c_str());
        std::shared_lock lk(run->mutex);
        const auto comps = components(*run, *name);
        if (comps.empty()) return send_error(res, 404, "No mesh \"" + *name + "\" in run \"" + run->name() + "\"");
        std::string out;
        for (const auto& c : comps) {
            if (c.meta.content_type() != type) continue;
            for (const auto& it : c.series->tensors.items()) {
                if (static_cast<double>(it.step) != step) continue;
                Tensor t;
                std::vector<double> v;
                if (!parse_tensor(*it.value.bytes(), t) || !t.to_doubles(v) || t.shape.empty() || *sample < 0 ||
                    *sample >= t.shape[0])
                    continue;
                const std::size_t per_sample = t.num_elements() / static_cast<std::size_t>(t.shape[0]);
                const std::size_t from = static_cast<std::size_t>(*sample) * per_sample;
                if (type == MeshData::VERTEX) append_as<float>(out, v, from, per_sample);
                else if (type == MeshData::FACE) append_as<std::int32_t>(out, v, from, per_sample);
                else append_as<std::uint8_t>(out, v, from, per_sample);
            }
        }
        res.set_content(out, "application/octet-stream");
    });
}

const PluginUnit& mesh_plugin() {
    static const PluginUnit unit{"mesh",
                                 {{"mesh", DataClass::tensor}},
                                 {{"mesh", "mesh", "mesh-dashboard", nullptr, false, {"mesh"}}},
                                 register_mesh_routes};
    return unit;
}

}  // namespace tblog::view
