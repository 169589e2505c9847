// Scalars: TensorBoard's /data/plugin/scalars/{tags,scalars,scalars_multirun} (every point,
// never sampled; format=csv for export) and tblog's /data/tblog/scalars (+ _multirun, many
// runs in one request, as JSON or binary columns), a series reduced to N step buckets that
// keeps each bucket's first, min, max and last points so no spike hides, with a cursor for
// fetching only new points; and /data/tblog/scalar_tags, a compact run/tag index.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <shared_mutex>
#include <stdexcept>

#include "http/response.hpp"
#include "http/response_cache.hpp"
#include "number_format.hpp"
#include "plugins/scalars/scalar_binary.hpp"
#include "points_download.hpp"
#include "scalar_json.hpp"
#include "plugin_index.hpp"
#include "routes.hpp"

namespace tblog::view {

namespace {

constexpr const char* kPlugin = "scalars";

// Indices of the points to keep when [begin, end) is cut into `buckets` equal step ranges:
// per bucket the first, the last, the smallest and the largest value (and the first NaN and
// infinities, which are spikes too), in step order. A spilled block whose steps all fall in
// one bucket is taken from its summary (what a scan of its points would find: the same
// first-of-equal extremes), so a chart of a spilled series reads back only the blocks that
// straddle a bucket edge, and answers exactly as with every point in RAM.
std::vector<std::size_t> bucket_extremes(const ScalarColumns& c, std::size_t begin, std::size_t end,
                                         std::size_t buckets) {
    std::vector<std::size_t> keep;
    if (begin >= end) return keep;
    constexpr std::size_t none = ~std::size_t{0};
    const double lo = static_cast<double>(c.step(begin));
    const double span = static_cast<double>(c.step(end - 1)) - lo + 1;
    // Monotonic in the step, so a block's first and last step bound its points' buckets.
    auto bucket_of = [&](std::int64_t step) {
        return static_cast<std::size_t>((static_cast<double>(step) - lo) / span * static_cast<double>(buckets));
    };
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
    auto enter = [&](std::size_t id, std::size_t i) {
        if (id == b.id) return;
        flush();
        b = Bucket{};
        b.id = id;
        b.first = i;
    };
    auto take_min = [&](std::size_t i, float v) {
        if (b.mn == none || v < b.vmin) b.mn = i, b.vmin = v;
    };
    auto take_max = [&](std::size_t i, float v) {
        if (b.mx == none || v > b.vmax) b.mx = i, b.vmax = v;
    };
    auto take_first = [](std::size_t& slot, std::size_t i) {
        if (slot == none) slot = i;
    };
    c.scan(
        begin, end, [&](const BlockSummary& s) { return bucket_of(s.first_step) == bucket_of(s.last_step); },
        [&](std::size_t i, const BlockSummary& s) {
            enter(bucket_of(s.first_step), i);
            b.last = i + s.count - 1;
            if (s.nan != BlockSummary::kNone) take_first(b.nan, i + s.nan);
            if (s.pinf != BlockSummary::kNone) take_first(b.pinf, i + s.pinf);
            if (s.ninf != BlockSummary::kNone) take_first(b.ninf, i + s.ninf);
            if (s.mn != BlockSummary::kNone) take_min(i + s.mn, s.vmin);
            if (s.mx != BlockSummary::kNone) take_max(i + s.mx, s.vmax);
        },
        [&](std::size_t i, const ScalarPoint& p) {
            enter(bucket_of(p.step), i);
            b.last = i;
            const float v = p.value;
            if (std::isnan(v)) {
                take_first(b.nan, i);
            } else if (std::isinf(v)) {
                take_first(v > 0 ? b.pinf : b.ninf, i);
            } else {
                take_min(i, v);
                take_max(i, v);
            }
        });
    flush();
    return keep;
}

struct DownsampleQuery {
    std::size_t buckets;
    long long start, stop;
};

// buckets=N (1..1000000, default 1000), start_step=, end_step= (inclusive); or 400 answered.
std::optional<DownsampleQuery> downsample_query(const httplib::Request& req, httplib::Response& res) {
    const auto buckets = int_param(req, res, "buckets", 1000);
    if (!buckets) return std::nullopt;
    if (*buckets < 1 || *buckets > 1000000) {
        send_error(res, 400, "buckets must be in 1..1000000");
        return std::nullopt;
    }
    const auto start = int_param(req, res, "start_step", INT64_MIN);
    if (!start) return std::nullopt;
    const auto stop = int_param(req, res, "end_step", INT64_MAX);
    if (!stop) return std::nullopt;
    return DownsampleQuery{static_cast<std::size_t>(*buckets), *start, *stop};
}

// A series' cursor "<epoch>:<size>": what a client has once it holds this answer.
std::string cursor_of(const ScalarColumns& c) { return std::to_string(c.epoch()) + ":" + std::to_string(c.size()); }

// The index from which a client holding `since` needs points: its size when the epoch is
// still the series' (nothing it holds was dropped), else 0 (it must start over).
std::size_t resume_index(const ScalarColumns& c, const std::string& since) {
    const auto colon = since.find(':');
    if (colon == std::string::npos) return 0;
    char* end = nullptr;
    const unsigned long long epoch = std::strtoull(since.c_str(), &end, 10);
    if (end != since.c_str() + colon || epoch != c.epoch()) return 0;
    const unsigned long long n = std::strtoull(since.c_str() + colon + 1, &end, 10);
    if (*end || n > c.size()) return 0;
    return static_cast<std::size_t>(n);
}

// What the /data/tblog/scalars answer for one series holds. With a valid `since`, the points
// after it ("from" > 0: append them to what you have, reduced on their own); otherwise
// everything in [start_step, end_step] reduced to `buckets` step buckets ("from": 0).
struct Downsampled {
    std::size_t begin, end;  // the points considered
    std::size_t total;       // points in the window
    std::size_t from;
};

Downsampled plan(const ScalarColumns& c, const DownsampleQuery& q, const std::string& since) {
    std::size_t begin = c.lower_bound(q.start);
    const std::size_t end = q.stop == INT64_MAX ? c.size() : c.lower_bound(q.stop + 1);
    const std::size_t from = resume_index(c, since);
    const std::size_t total = end > begin ? end - begin : 0;
    return {std::max(begin, from), end, total, from};
}

// Calls emit(point) for every point of the answer, in step order.
template <class Emit>
void emit_points(const ScalarColumns& c, const Downsampled& d, const DownsampleQuery& q, Emit&& emit) {
    if (d.end <= d.begin) return;
    if (d.end - d.begin <= q.buckets * 4)
        c.for_each(d.begin, d.end, emit);  // already small: everything
    else
        for (std::size_t i : bucket_extremes(c, d.begin, d.end, q.buckets)) emit(c.point(i));
}

// The answer's fields before its points, an object left open: {"run", "tag", "total",
// "buckets", "cursor", "from".
std::string answer_head(const Run& run, const std::string& tag, const ScalarColumns& c, const Downsampled& d,
                        const DownsampleQuery& q) {
    return "{\"run\":" + json(run.name()).dump() + ",\"tag\":" + json(tag).dump() + ",\"total\":" +
           std::to_string(d.total) + ",\"buckets\":" + std::to_string(q.buckets) + ",\"cursor\":\"" + cursor_of(c) +
           "\",\"from\":" + std::to_string(d.from);
}

// The /data/tblog/scalars answer: the head, then "points": [[wall_time, step, value], ...].
std::string downsampled_json(const Run& run, const std::string& tag, const ScalarColumns& c, const DownsampleQuery& q,
                             const std::string& since) {
    const Downsampled d = plan(c, q, since);
    std::string out = answer_head(run, tag, c, d, q) + ",\"points\":[";
    bool first = true;
    emit_points(c, d, q, [&](const ScalarPoint& p) {
        if (!first) out += ',';
        first = false;
        append_point_json(out, p);
    });
    out += "]}";
    return out;
}

// format=json (default) or binary (scalar_binary.hpp); or 400 answered.
std::optional<bool> binary_format(const httplib::Request& req, httplib::Response& res) {
    const std::string f = param_or(req, "format", "json");
    if (f == "json") return false;
    if (f == "binary") return true;
    send_error(res, 400, "format must be json or binary");
    return std::nullopt;
}

// {"runs": [name, ...], "tags": {tag: [index into runs, ...]}}: which runs have which scalar
// tags, what the Scalars dashboard needs of TensorBoard's {run: {tag: {displayName,
// description}}} (746 KB and 20,000 rendered descriptions at 1,000 runs x 20 tags; 58 KB here).
std::string run_tag_index(const Store& store) {
    std::vector<std::string> runs;
    std::map<std::string, std::string> tags;  // tag -> its run indices, comma-separated
    for_each_series(store, kPlugin, DataClass::scalar, [&](const Run& run, const std::string& tag, const Series&) {
        if (runs.empty() || runs.back() != run.name()) runs.push_back(run.name());
        std::string& list = tags[tag];
        if (!list.empty()) list += ',';
        append_int(list, static_cast<std::int64_t>(runs.size() - 1));
    });
    std::string out = "{\"runs\":[";
    for (std::size_t i = 0; i < runs.size(); ++i) {
        if (i) out += ',';
        out += json(runs[i]).dump();
    }
    out += "],\"tags\":{";
    bool first = true;
    for (const auto& [tag, list] : tags) {
        if (!first) out += ',';
        first = false;
        out += json(tag).dump();
        out += ":[";
        out += list;
        out += ']';
    }
    out += "}}";
    return out;
}

// What an answer about series `tag` of run `name` depends on (http/response_cache.hpp): which
// run it is, the series' epoch and its number of points (within an epoch points are only
// appended); "-" where the run or the series is missing. False if the run is missing.
bool append_version(std::string& v, const Store& store, const std::string& name, const std::string& tag) {
    auto run = store.find(name);
    if (!run) {
        v += "-;";
        return false;
    }
    std::shared_lock lk(run->mutex);
    v += std::to_string(run->uid());
    const Series* s = run->find(tag);
    if (s && series_of(*s, kPlugin, DataClass::scalar)) {
        v += ':';
        v += std::to_string(s->scalars.epoch());
        v += ':';
        v += std::to_string(s->scalars.size());
    } else {
        v += ":-";
    }
    v += ';';
    return true;
}

}  // namespace

void register_scalar_routes(Router& srv, ServerContext& ctx) {
    // Answers of these routes are kept until their series change (ServerContext::answers).
    const auto cache = ctx.answers;
    // ?run=&tag=
    const http::Version one_series = [&ctx](const httplib::Request& req) -> std::optional<std::string> {
        std::string v;
        if (!append_version(v, ctx.store, req.get_param_value("run"), req.get_param_value("tag"))) return std::nullopt;
        return v;
    };
    // tag=&runs=a&runs=b...
    const http::Version many_runs = [&ctx](const httplib::Request& req) -> std::optional<std::string> {
        std::string v;
        const std::string tag = req.get_param_value("tag");
        for (const std::string& run : param_values(req, "runs")) append_version(v, ctx.store, run, tag);
        return v;
    };

    srv.Get("/data/plugin/scalars/tags", [&ctx](const httplib::Request&, httplib::Response& res) {
        send_json(res, tags_index(ctx.store, kPlugin, DataClass::scalar));
    });

    srv.Get("/data/plugin/scalars/scalars", http::cached(cache, one_series,
            [&ctx](const httplib::Request& req, httplib::Response& res) {
        with_series(ctx, req, res, kPlugin, DataClass::scalar, [&](const Run& run, const Series& s) {
            send_points(ctx, run, req.get_param_value("tag"), s, param_or(req, "format", "json") == "csv", res);
        });
    }));

    // POST tag=...&runs=a&runs=b (form): {run: [[wall_time, step, value], ...]} for the runs
    // that have the tag.
    srv.Post("/data/plugin/scalars/scalars_multirun", http::cached(cache, many_runs,
            [&ctx](const httplib::Request& req, httplib::Response& res) {
        serve_multirun(ctx, req, res, kPlugin, DataClass::scalar,
                       [](const Run&, const Series& s, std::size_t) { return points_json(s.scalars); });
    }));

    // ?run=&tag=&buckets=N[&start_step=&end_step=][&since=CURSOR]
    // {"run", "tag", "total", "buckets", "cursor", "from", "points": [[wall_time, step, value], ...]}
    srv.Get("/data/tblog/scalars", http::cached(cache, one_series,
            [&ctx](const httplib::Request& req, httplib::Response& res) {
        const auto q = downsample_query(req, res);
        if (!q) return;
        with_series(ctx, req, res, kPlugin, DataClass::scalar, [&](const Run& run, const Series& s) {
            send_body(res, downsampled_json(run, req.get_param_value("tag"), s.scalars, *q, param_or(req, "since", "")),
                      "application/json");
        });
    }));

    // The batched form: POST tag=&runs=a&runs=b[&since=CURSOR_a&since=CURSOR_b]&buckets=...
    // [&format=binary]: {run: <the /data/tblog/scalars answer>, ...}; since[i] (may be empty) goes
    // with runs[i]. format=binary: the same answers as columns of floats (scalar_binary.hpp).
    srv.Post("/data/tblog/scalars_multirun", http::cached(cache, many_runs,
            [&ctx](const httplib::Request& req, httplib::Response& res) {
        const auto q = downsample_query(req, res);
        if (!q) return;
        const auto binary = binary_format(req, res);
        if (!binary) return;
        const std::string tag = req.get_param_value("tag");
        const std::vector<std::string> cursors = param_values(req, "since");
        auto since = [&](std::size_t i) { return i < cursors.size() ? cursors[i] : std::string(); };
        if (!*binary) {
            serve_multirun(ctx, req, res, kPlugin, DataClass::scalar, [&](const Run& run, const Series& s, std::size_t i) {
                return downsampled_json(run, tag, s.scalars, *q, since(i));
            });
            return;
        }
        std::vector<std::string> heads;
        std::vector<ScalarPoint> points;
        const bool ok = for_each_requested_series(ctx, req, res, kPlugin, DataClass::scalar,
                                                  [&](const Run& run, const Series& s, std::size_t i) {
            const Downsampled d = plan(s.scalars, *q, since(i));
            const std::size_t before = points.size();
            emit_points(s.scalars, d, *q, [&](const ScalarPoint& p) { points.push_back(p); });
            heads.push_back(answer_head(run, tag, s.scalars, d, *q) + ",\"n\":" + std::to_string(points.size() - before) + "}");
        });
        if (ok) send_body(res, encode_scalar_batch(heads, points), kScalarBinaryType);
    }));

    // Which runs have which scalar tags, compactly (run_tag_index above), kept in the answer
    // cache per shape of the store (plugin_index.hpp; ~5 ms of CPU at 1,000 runs x 20 tags, on
    // the path to the first chart of every page opened).
    srv.Get("/data/tblog/scalar_tags", http::cached(cache, store_shape(ctx), [&ctx](const httplib::Request&, httplib::Response& res) {
        send_body(res, run_tag_index(ctx.store), "application/json");
    }));
}

const PluginUnit& scalars_plugin() {
    static const PluginUnit unit{"scalars",
                                 {{"scalars", DataClass::scalar}},
                                 {{"scalars", "scalars", "tf-scalar-dashboard", nullptr, false, {"scalars"}}},
                                 register_scalar_routes};
    return unit;
}

}  // namespace tblog::view
