// Histograms and distributions: /data/plugin/{histograms,distributions}/{tags,...}.
//
// A histogram point is a [k, 3] tensor of (left, right, count) rows. The distributions
// dashboard shows the same data compressed to nine percentiles (basis points of the normal
// distribution's -inf, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, +inf sigma), interpolated linearly
// inside buckets exactly as TensorBoard's compressor does.
#include <algorithm>

#include "number_format.hpp"
#include "plugin_index.hpp"
#include "routes.hpp"
#include "tensor_util.hpp"

namespace tblog::view {

namespace {

constexpr const char* kPlugin = "histograms";
constexpr std::size_t kDistributionSamples = 501;  // TensorBoard's distributions downsample_to
constexpr int kBasisPoints[] = {0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000};

struct Bucket {
    double left, right, count;
};

bool buckets_of(const std::string& tensor_bytes, std::vector<Bucket>& out) {
    Tensor t;
    std::vector<double> v;
    if (!parse_tensor(tensor_bytes, t) || !t.to_doubles(v)) return false;
    if (t.shape.size() != 2 || t.shape[1] != 3) return t.num_elements() == 0;
    out.clear();
    for (std::size_t i = 0; i + 2 < v.size(); i += 3) out.push_back({v[i], v[i + 1], v[i + 2]});
    return true;
}

double lerp(double x, double x0, double x1, double y0, double y1) { return y0 + (x - x0) * (y1 - y0) / (x1 - x0); }

// TensorBoard's compressor.compress_histogram: (basis point, value) pairs.
std::vector<std::pair<int, double>> compress(const std::vector<Bucket>& buckets) {
    std::vector<std::pair<int, double>> out;
    constexpr std::size_t nbps = std::size(kBasisPoints);
    if (buckets.empty()) {
        for (int bp : kBasisPoints) out.emplace_back(bp, 0.0);
        return out;
    }
    const double minmin = buckets.front().left, maxmax = buckets.back().right;
    double total = 0;
    for (const auto& b : buckets) total += b.count;
    if (total == 0) total = 1.0;
    std::vector<double> weights(buckets.size());
    double acc = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) weights[i] = acc += buckets[i].count * kBasisPoints[nbps - 1] / total;
    std::size_t bp = 0;
    while (bp < nbps) {
        // searchsorted(weights, bp, side="right"): first weight > bp
        std::size_t i = static_cast<std::size_t>(
            std::upper_bound(weights.begin(), weights.end(), static_cast<double>(kBasisPoints[bp])) - weights.begin());
        bool placed = false;
        for (; i < weights.size(); ++i) {
            const double cumsum = weights[i], prev = i > 0 ? weights[i - 1] : 0.0;
            if (cumsum == prev) continue;
            const double lhs = (i == 0 || prev == 0) ? minmin : std::max(buckets[i - 1].right, minmin);
            const double rhs = std::min(buckets[i].right, maxmax);
            out.emplace_back(kBasisPoints[bp], lerp(kBasisPoints[bp], prev, cumsum, lhs, rhs));
            ++bp;
            placed = true;
            break;
        }
        if (!placed) break;
    }
    for (; bp < nbps; ++bp) out.emplace_back(kBasisPoints[bp], maxmax);
    return out;
}

// [[wall_time, step, body], ...] over the chosen items; body(buckets, out) appends the JSON.
template <class Body>
std::string series_json(const Reservoir<TensorBytes>& r, std::size_t limit, Body&& body) {
    const auto& items = r.items();
    std::string out = "[";
    std::vector<Bucket> buckets;
    bool first = true;
    for (std::size_t i : downsample_indices(items.size(), limit)) {
        if (!buckets_of(*items[i].value.bytes(), buckets)) continue;
        if (!first) out += ',';
        first = false;
        out += '[';
        append_json_number(out, items[i].wall_time);
        out += ',';
        append_int(out, items[i].step);
        out += ',';
        body(buckets, out);
        out += ']';
    }
    return out + "]";
}

// [[wall_time, step, [[left, right, count], ...]], ...]: every sampled point.
std::string histograms_json(const Series& s) {
    return series_json(s.tensors, s.tensors.items().size(), [](const std::vector<Bucket>& b, std::string& out) {
        out += '[';
        for (std::size_t i = 0; i < b.size(); ++i) {
            if (i) out += ',';
            out += '[';
            append_json_number(out, b[i].left);
            out += ',';
            append_json_number(out, b[i].right);
            out += ',';
            append_json_number(out, b[i].count);
            out += ']';
        }
        out += ']';
    });
}

// [[wall_time, step, [[basis_point, value], ...]], ...]: kDistributionSamples points.
std::string distributions_json(const Series& s) {
    return series_json(s.tensors, kDistributionSamples, [](const std::vector<Bucket>& b, std::string& out) {
        out += '[';
        bool first = true;
        for (const auto& [bp, v] : compress(b)) {
            if (!first) out += ',';
            first = false;
            out += '[';
            append_int(out, bp);
            out += ',';
            append_json_number(out, v);
            out += ']';
        }
        out += ']';
    });
}

}  // namespace

void register_histogram_routes(Router& srv, ServerContext& ctx) {
    auto tags = [&ctx](const httplib::Request&, httplib::Response& res) {
        send_json(res, tags_index(ctx.store, kPlugin, DataClass::tensor));
    };
    srv.Get("/data/plugin/histograms/tags", tags);
    srv.Get("/data/plugin/distributions/tags", tags);

    srv.Get("/data/plugin/histograms/histograms", [&ctx](const httplib::Request& req, httplib::Response& res) {
        with_series(ctx, req, res, kPlugin, DataClass::tensor,
                    [&](const Run&, const Series& s) { send_body(res, histograms_json(s), "application/json"); });
    });
    srv.Get("/data/plugin/distributions/distributions", [&ctx](const httplib::Request& req, httplib::Response& res) {
        with_series(ctx, req, res, kPlugin, DataClass::tensor,
                    [&](const Run&, const Series& s) { send_body(res, distributions_json(s), "application/json"); });
    });

    // tblog's batched forms: POST tag=&runs=a&runs=b -> {run: <the single-run answer>}.
    srv.Post("/data/plugin/histograms/histograms_multirun", [&ctx](const httplib::Request& req, httplib::Response& res) {
        serve_multirun(ctx, req, res, kPlugin, DataClass::tensor,
                       [](const Run&, const Series& s, std::size_t) { return histograms_json(s); });
    });
    srv.Post("/data/plugin/distributions/distributions_multirun",
             [&ctx](const httplib::Request& req, httplib::Response& res) {
                 serve_multirun(ctx, req, res, kPlugin, DataClass::tensor,
                                [](const Run&, const Series& s, std::size_t) { return distributions_json(s); });
             });
}

const PluginUnit& histograms_plugin() {
    static const PluginUnit unit{
        "histograms",
        {{"histograms", DataClass::tensor}},
        {{"distributions", "distributions", "tf-distribution-dashboard", nullptr, false, {"histograms"}},
         {"histograms", "histograms", "tf-histogram-dashboard", nullptr, false, {"histograms"}}},
        register_histogram_routes};
    return unit;
}

}  // namespace tblog::view
