// Scalars: TensorBoard's /data/plugin/scalars/{tags,scalars,scalars_multirun} (every point,
// never sampled; format=csv for export) and tblog's /data/tblog/scalars, a series reduced to
// N step buckets that keeps each bucket's first, min, max and last points so no spike hides.
#include <algorithm>
#include <cmath>

#include "number_format.hpp"
#include "scalar_json.hpp"
#include "plugin_index.hpp"
#include "routes.hpp"

namespace tblog::view {

namespace {

constexpr const char* kPlugin = "scalars";

// Indices of the points to keep when [begin, end) is cut into `buckets` equal step ranges:
// per bucket the first, the last, the smallest and the largest value (and the first NaN and
// infinities, which are spikes too), in step order.
std::vector<std::size_t> bucket_extremes(const ScalarColumns& c, std::size_t begin, std::size_t end,
                                         std::size_t buckets) {
    std::vector<std::size_t> keep;
    if (begin >= end) return keep;
    constexpr std::size_t none = ~std::size_t{0};
    const double lo = static_cast<double>(c.step(begin));
    const double span = static_cast<double>(c.step(end - 1)) - lo + 1;
    struct Bucket {
        std::size_t id = none, first = none, last = none, mn = none, mx = none, nan = none, pinf = none, ninf = none;
        float vmin = 0, vmax = 0;
    } b;
    auto flush = [&] {
        if (b.id == none) return;
        std::size_t picks[] = {b.first, b.mn, b.mx, b.nan, b.pinf, b.ninf, b.last};
        std::sort(std::begin(picks), std::end(picks));
        for (std::size_t p : picks)
            if (p != none && (keep.empty() || keep.back() != p)) keep.push_back(p);
    };
    std::size_t i = begin;
    c.for_each(begin, end, [&](const ScalarPoint& p) {
        const auto id = static_cast<std::size_t>((static_cast<double>(p.step) - lo) / span * static_cast<double>(buckets));
        if (id != b.id) {
            flush();
            b = Bucket{};
            b.id = id;
            b.first = i;
        }
        b.last = i;
        const float v = p.value;
        if (std::isnan(v)) {
            if (b.nan == none) b.nan = i;
        } else if (std::isinf(v)) {
            if (v > 0 && b.pinf == none) b.pinf = i;
            if (v < 0 && b.ninf == none) b.ninf = i;
        } else {
            if (b.mn == none || v < b.vmin) b.mn = i, b.vmin = v;
            if (b.mx == none || v > b.vmax) b.mx = i, b.vmax = v;
        }
        ++i;
    });
    flush();
    return keep;
}

}  // namespace

void register_scalar_routes(Router& srv, ServerContext& ctx) {
    srv.Get("/data/plugin/scalars/tags", [&ctx](const httplib::Request&, httplib::Response& res) {
        send_json(res, tags_index(ctx.store, kPlugin, DataClass::scalar));
    });

    srv.Get("/data/plugin/scalars/scalars", [&ctx](const httplib::Request& req, httplib::Response& res) {
        with_series(ctx, req, res, kPlugin, DataClass::scalar, [&](const Run&, const Series& s) {
            if (param_or(req, "format", "json") == "csv")
                send_body(res, points_csv(s.scalars), "text/csv; charset=utf-8");
            else
                send_body(res, points_json(s.scalars), "application/json");
        });
    });

    // POST tag=...&runs=a&runs=b (form): {run: [[wall_time, step, value], ...]} for the runs
    // that have the tag.
    srv.Post("/data/plugin/scalars/scalars_multirun", [&ctx](const httplib::Request& req, httplib::Response& res) {
        auto tag = require_param(req, res, "tag");
        if (!tag) return;
        std::string out = "{";
        bool first = true;
        for (std::size_t i = 0, n = req.get_param_value_count("runs"); i < n; ++i) {
            auto run = ctx.store.find(req.get_param_value("runs", i));
            if (!run) continue;
            std::shared_lock lk(run->mutex);
            const Series* s = run->find(*tag);
            if (!s || !series_of(*s, kPlugin, DataClass::scalar)) continue;
            if (!first) out += ',';
            first = false;
            out += json(run->name()).dump() + ":" + points_json(s->scalars);
        }
        out += "}";
        send_body(res, std::move(out), "application/json");
    });

    // ?run=&tag=&buckets=N[&start_step=&end_step=]
    // {"run", "tag", "total", "start_step", "end_step", "points": [[wall_time, step, value], ...]}
    srv.Get("/data/tblog/scalars", [&ctx](const httplib::Request& req, httplib::Response& res) {
        const auto buckets = int_param(req, res, "buckets", 1000);
        if (!buckets) return;
        if (*buckets < 1 || *buckets > 1000000) return send_error(res, 400, "buckets must be in 1..1000000");
        const auto start = int_param(req, res, "start_step", INT64_MIN);
        if (!start) return;
        const auto stop = int_param(req, res, "end_step", INT64_MAX);
        if (!stop) return;
        with_series(ctx, req, res, kPlugin, DataClass::scalar, [&](const Run& run, const Series& s) {
            const ScalarColumns& c = s.scalars;
            const std::size_t begin = c.lower_bound(*start);
            const std::size_t end = *stop == INT64_MAX ? c.size() : c.lower_bound(*stop + 1);
            std::string out = "{\"run\":" + json(run.name()).dump() + ",\"tag\":" + json(req.get_param_value("tag")).dump() +
                              ",\"total\":" + std::to_string(end > begin ? end - begin : 0) +
                              ",\"buckets\":" + std::to_string(*buckets) + ",\"points\":[";
            bool first = true;
            auto emit = [&](std::size_t i) {
                if (!first) out += ',';
                first = false;
                append_point_json(out, c.point(i));
            };
            if (end > begin && end - begin <= static_cast<std::size_t>(*buckets) * 4) {
                for (std::size_t i = begin; i < end; ++i) emit(i);  // already small: everything
            } else {
                for (std::size_t i : bucket_extremes(c, begin, end, static_cast<std::size_t>(*buckets))) emit(i);
            }
            out += "]}";
            send_body(res, std::move(out), "application/json");
        });
    });
}

}  // namespace tblog::view
