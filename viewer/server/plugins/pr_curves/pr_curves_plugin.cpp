// PR curves: /data/plugin/pr_curves/{tags,pr_curves}. A point is a float tensor [6, n]: rows
// TP, FP, TN, FN, precision, recall per threshold (n evenly spaced in [0, 1]). As in TensorBoard, thresholds
// at the end where TP + FP = 0 (precision undefined) are trimmed.
#include "plugin_index.hpp"
#include "plugin_pr_curve.pb.h"
#include "routes.hpp"
#include "tensor_util.hpp"

namespace tblog::view {

namespace {

constexpr const char* kPlugin = "pr_curves";

json pr_entry(double wall_time, std::int64_t step, const std::vector<double>& v, std::size_t cols,
              std::size_t num_thresholds) {
    auto row = [&](int r, std::size_t i) { return v[static_cast<std::size_t>(r) * cols + i]; };
    std::size_t end = cols;
    while (end > 1 && static_cast<long long>(row(0, end - 1)) + static_cast<long long>(row(1, end - 1)) == 0) --end;
    json e = {{"wall_time", jnum(wall_time)}, {"step", step}};
    const char* int_rows[] = {"true_positives", "false_positives", "true_negatives", "false_negatives"};
    for (int r = 0; r < 4; ++r) {
        json a = json::array();
        for (std::size_t i = 0; i < end; ++i) a.push_back(static_cast<long long>(row(r, i)));
        e[int_rows[r]] = std::move(a);
    }
    json precision = json::array(), recall = json::array(), thresholds = json::array();
    for (std::size_t i = 0; i < end; ++i) {
        precision.push_back(jnum(row(4, i)));
        recall.push_back(jnum(row(5, i)));
        // numpy.linspace(0, 1, n): i * (1 / (n - 1)), the last exactly 1.
        if (i < num_thresholds)
            thresholds.push_back(i + 1 == num_thresholds ? (num_thresholds > 1 ? 1.0 : 0.0)
                                                         : static_cast<double>(i) * (1.0 / static_cast<double>(num_thresholds - 1)));
    }
    e["precision"] = std::move(precision);
    e["recall"] = std::move(recall);
    e["thresholds"] = std::move(thresholds);
    return e;
}

}  // namespace

void register_pr_curve_routes(Router& srv, ServerContext& ctx) {
    srv.Get("/data/plugin/pr_curves/tags", [&ctx](const httplib::Request&, httplib::Response& res) {
        send_json(res, tags_index(ctx.store, kPlugin, DataClass::tensor));
    });

    // ?run=a[&run=b...]&tag=t -> {run: [entry per step]}
    srv.Get("/data/plugin/pr_curves/pr_curves", [&ctx](const httplib::Request& req, httplib::Response& res) {
        const auto tag = require_param(req, res, "tag");
        if (!tag || !require_param(req, res, "run")) return;
        json out = json::object();
        for (std::size_t k = 0, n = req.get_param_value_count("run"); k < n; ++k) {
            const std::string name = req.get_param_value("run", k);
            auto run = ctx.store.find(name);
            if (!run) return send_error(res, 404, "Unknown run: \"" + name + "\"");
            std::shared_lock lk(run->mutex);
            const Series* s = run->find(*tag);
            if (!s || !series_of(*s, kPlugin, DataClass::tensor))
                return send_error(res, 404, "No PR curve data for run \"" + name + "\", tag \"" + *tag + "\"");
            tensorboard::PrCurvePluginData md;
            md.ParseFromString(s->meta.plugin_content);
            json entries = json::array();
            Tensor t;
            std::vector<double> v;
            for (const auto& it : s->tensors.items()) {
                if (!parse_tensor(*it.value.bytes(), t) || !t.to_doubles(v) || t.shape.size() != 2 || t.shape[0] != 6) continue;
                const auto cols = static_cast<std::size_t>(t.shape[1]);
                const std::size_t thresholds = md.num_thresholds() ? md.num_thresholds() : cols;
                entries.push_back(pr_entry(it.wall_time, it.step, v, cols, thresholds));
            }
            out[name] = std::move(entries);
        }
        send_json(res, out);
    });
}

const PluginUnit& pr_curves_plugin() {
    static const PluginUnit unit{"pr_curves",
                                 {{"pr_curves", DataClass::tensor}},
                                 {{"pr_curves", "PR Curves", "tf-pr-curve-dashboard", nullptr, false, {"pr_curves"}}},
                                 register_pr_curve_routes};
    return unit;
}

}  // namespace tblog::view
