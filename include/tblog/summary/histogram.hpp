// Histograms: what PyTorch's summary.histogram() / histogram_raw() write.
//   Value{tag, histo: HistogramProto{min, max, num, sum, sum_squares, bucket_limit, bucket}},
//   no metadata.
// Bucketing is np.histogram's (see detail/codecs/histogram.hpp); the buckets are then trimmed to the
// data's support keeping one empty bucket in front, as PyTorch's make_histogram does.
//
// Values must be finite: TensorBoard cannot show NaN/Inf and numpy's automatic bins reject
// them, so every bins choice rejects them here.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "tblog/detail/codecs/histogram.hpp"
#include "tblog/summary/common.hpp"
#include "tblog/tensor.hpp"

namespace tblog {

// The `bins` argument of add_histogram, as numpy.histogram takes it:
//   "tensorflow" (PyTorch's default: TensorFlow's exponential ladder),
//   a numpy estimator name: "auto", "fd", "doane", "scott", "rice", "sturges", "sqrt",
//   an integer count of equal-width bins between min and max, or explicit ascending edges.
class Bins {
public:
    enum class Kind { tensorflow, estimator, count, edges };

    Bins(const char* name) : Bins(std::string(name)) {}  // NOLINT: implicit, like Python
    Bins(std::string name) : kind_(Kind::estimator), name_(std::move(name)) {  // NOLINT
        if (name_ == "tensorflow") {
            kind_ = Kind::tensorflow;
            return;
        }
        for (const char* known : {"auto", "fd", "doane", "scott", "rice", "sturges", "sqrt"})
            if (name_ == known) return;
        throw std::invalid_argument("tblog: unknown bins '" + name_ +
                                    "' (tensorflow, auto, fd, doane, scott, rice, sturges, sqrt)");
    }
    Bins(int count) : kind_(Kind::count), count_(count) {  // NOLINT
        if (count < 1) throw std::invalid_argument("tblog: bins must be positive, when an integer");
    }
    Bins(std::vector<double> edges) : kind_(Kind::edges), edges_(std::move(edges)) {  // NOLINT
        if (edges_.size() < 2) throw std::invalid_argument("tblog: bins needs at least two edges");
        for (std::size_t i = 1; i < edges_.size(); ++i)
            if (!(edges_[i - 1] <= edges_[i]))
                throw std::invalid_argument("tblog: bins must increase monotonically");
    }

    Kind kind() const { return kind_; }
    const std::string& name() const { return name_; }
    int count() const { return count_; }
    const std::vector<double>& edges() const { return edges_; }

private:
    Kind kind_;
    std::string name_;
    int count_ = 0;
    std::vector<double> edges_;
};

namespace summary {

namespace detail_histogram {

using tblog::detail::histo::Histogram;
using tblog::detail::histo::Stats;

template <class F>
void dispatch(const TensorView& v, F&& f) {
    switch (v.dtype()) {
        case DType::float32: f(v.data_as<float>()); break;
        case DType::float64: f(v.data_as<double>()); break;
        case DType::uint8: f(v.data_as<std::uint8_t>()); break;
        case DType::int32: f(v.data_as<std::int32_t>()); break;
        case DType::int64: f(v.data_as<std::int64_t>()); break;
    }
}

inline void check_finite(std::string_view tag, const Stats& st) {
    if (st.nan) invalid(tag, "add_histogram: values contain NaN");
    if (!std::isfinite(st.min) || !std::isfinite(st.max))
        invalid(tag, "add_histogram: values contain Inf");
}

// Width of one bin by numpy's estimator `name` (0 means "use one bin").
inline double estimator_width(const std::string& name, const std::vector<double>& x,
                              const Stats& st) {
    const double n = static_cast<double>(x.size());
    const double ptp = st.max - st.min;
    auto std_dev = [&] {
        const double mean = st.sum / n;
        double acc = 0;  // two-pass, as numpy's std
        for (double v : x) acc += (v - mean) * (v - mean);
        return std::sqrt(acc / n);
    };
    auto fd = [&] {
        return 2.0 * tblog::detail::histo::iqr(x) * std::pow(n, -1.0 / 3.0);
    };
    auto sturges = [&] { return ptp / (std::log2(n) + 1.0); };
    if (name == "sqrt") return ptp / std::sqrt(n);
    if (name == "sturges") return sturges();
    if (name == "rice") return ptp / (2.0 * std::pow(n, 1.0 / 3));
    if (name == "scott") return std::pow(24.0 * std::sqrt(M_PI) / n, 1.0 / 3.0) * std_dev();
    if (name == "fd") return fd();
    if (name == "doane") {
        if (x.size() <= 2) return 0.0;
        const double sg1 = std::sqrt(6.0 * (n - 2) / ((n + 1.0) * (n + 3)));
        const double sigma = std_dev();
        if (!(sigma > 0.0)) return 0.0;
        const double mean = st.sum / n;
        double g1 = 0;
        for (double v : x) g1 += std::pow((v - mean) / sigma, 3);
        g1 /= n;
        return ptp / (1.0 + std::log2(n) + std::log2(1.0 + std::fabs(g1) / sg1));
    }
    // "auto": the smaller of fd and sturges, sturges alone when fd gives 0
    const double f = fd();
    return f != 0.0 ? std::min(f, sturges()) : sturges();
}

// More bins than TensorBoard could ever draw means a degenerate estimate (e.g. fd with a
// zero-width core and far outliers); refuse instead of allocating gigabytes.
inline constexpr std::size_t kMaxBins = 10'000'000;

// np.histogram with bins = an estimator name or a count: equal-width edges from min to max.
inline std::vector<double> equal_width_edges(const Bins& bins, const std::vector<double>& x,
                                             const Stats& st) {
    double first = st.min, last = st.max;
    // Finite values whose range is not (e.g. -1e308 and 1e308): no equal-width edges exist
    // (numpy's would be inf/nan).
    if (!std::isfinite(last - first))
        throw std::invalid_argument("bins: the value range max - min overflows a double; give explicit edges");
    std::size_t n = static_cast<std::size_t>(bins.count());
    if (bins.kind() == Bins::Kind::estimator) {
        const double width = estimator_width(bins.name(), x, st);
        const double nb = width != 0.0 ? std::ceil((last - first) / width) : 1.0;
        if (!(nb <= static_cast<double>(kMaxBins)))  // also NaN; before converting to an integer
            throw std::invalid_argument("bins: the estimate gives too many bins");
        n = static_cast<std::size_t>(nb);
    }
    if (first == last) first -= 0.5, last += 0.5;  // numpy widens an empty range
    if (n > kMaxBins) throw std::invalid_argument("bins: " + std::to_string(n) + " bins is too many");
    return tblog::detail::histo::uniform_edges(first, last, n);
}

}  // namespace detail_histogram

// Buckets and statistics of `values` as PyTorch computes them (no encoding).
inline detail::histo::Histogram make_histogram(std::string_view tag, const TensorView& values,
                                               const Bins& bins = "tensorflow",
                                               std::optional<int> max_bins = std::nullopt) {
    namespace h = tblog::detail::histo;
    namespace d = detail_histogram;
    check_tag(tag);
    if (values.empty()) invalid(tag, "add_histogram: values are empty");
    if (max_bins && *max_bins < 1) invalid(tag, "add_histogram: max_bins must be >= 1");
    const std::size_t n = values.numel();
    h::Histogram out;
    std::vector<double> counts, limits;
    if (bins.kind() == Bins::Kind::tensorflow) {
        // The fast path: a vectorized pass for the statistics (also finds NaN/Inf), then a
        // branch-free counting pass (TfLadder::count), both streaming the input once.
        const auto& ladder = h::TfLadder::get();
        std::vector<std::uint32_t> c(ladder.slots(), 0);  // see TfLadder::slot
        h::Stats st;
        d::dispatch(values, [&](const auto* p) { st = h::scan(p, n, h::NoHook{}); });
        d::check_finite(tag, st);
        d::dispatch(values, [&](const auto* p) { ladder.count(p, n, c.data()); });
        counts.assign(c.begin() + 1, c.begin() + 1 + static_cast<long>(ladder.bins()));
        limits = ladder.edges();
        out.min = st.min, out.max = st.max, out.sum = st.sum, out.sum_squares = st.sum_squares;
    } else {
        std::vector<double> x(n);
        h::Stats st;
        d::dispatch(values, [&](const auto* p) {
            std::size_t i = 0;
            st = h::scan(p, n, [&](double v) { x[i++] = v; });
        });
        d::check_finite(tag, st);
        try {
            limits = bins.kind() == Bins::Kind::edges ? bins.edges() : d::equal_width_edges(bins, x, st);
        } catch (const std::invalid_argument& e) {
            invalid(tag, std::string("add_histogram: ") + e.what());
        }
        counts.assign(limits.size() - 1, 0.0);
        const bool uniform = bins.kind() != Bins::Kind::edges;
        const double scale = static_cast<double>(counts.size()) / (limits.back() - limits.front());
        for (double v : x) {
            if (v < limits.front() || v > limits.back()) continue;
            std::size_t i;
            if (uniform) {
                i = h::uniform_bin(v, limits, scale);
            } else {
                i = static_cast<std::size_t>(std::upper_bound(limits.begin(), limits.end(), v) - limits.begin()) - 1;
                if (i == counts.size()) --i;  // v == last edge: the last bin is closed
            }
            counts[i] += 1;
        }
        out.min = st.min, out.max = st.max, out.sum = st.sum, out.sum_squares = st.sum_squares;
    }
    out.num = static_cast<double>(n);
    if (!h::finish(std::move(counts), std::move(limits), max_bins.value_or(0), out))
        invalid(tag, "add_histogram: no value falls inside the bins");
    return out;
}

// Writes Summary.Value{tag, histo} into `w`.
inline void write_histogram_value(ProtoWriter& w, std::string_view tag, const detail::histo::Histogram& h) {
    Nested v(w, field::kSummaryValue);
    w.string(field::kValueTag, tag);
    Nested p(w, field::kValueHisto);
    w.float64_nonzero(1, h.min);
    w.float64_nonzero(2, h.max);
    w.float64_nonzero(3, h.num);
    w.float64_nonzero(4, h.sum);
    w.float64_nonzero(5, h.sum_squares);
    w.packed_fixed(6, h.bucket_limit.data(), h.bucket_limit.size());
    w.packed_fixed(7, h.bucket.data(), h.bucket.size());
}

// Serialized Summary for add_histogram.
inline std::string histogram(std::string_view tag, const TensorView& values,
                             const Bins& bins = "tensorflow", std::optional<int> max_bins = std::nullopt) {
    const auto h = make_histogram(tag, values, bins, max_bins);
    std::string out;
    ProtoWriter w(out);
    write_histogram_value(w, tag, h);
    return out;
}

// Serialized Summary for add_histogram_raw: the caller's numbers as they are.
inline std::string histogram_raw(std::string_view tag, double min, double max, double num, double sum,
                                 double sum_squares, const TensorView& bucket_limits,
                                 const TensorView& bucket_counts) {
    check_tag(tag);
    if (bucket_limits.numel() != bucket_counts.numel())
        invalid(tag, "add_histogram_raw: len(bucket_limits) != len(bucket_counts)");
    if (bucket_limits.empty()) invalid(tag, "add_histogram_raw: bucket_limits is empty");
    detail::histo::Histogram h;
    h.min = min, h.max = max, h.num = num, h.sum = sum, h.sum_squares = sum_squares;
    h.bucket_limit = bucket_limits.to_vector<double>();
    h.bucket = bucket_counts.to_vector<double>();
    std::string out;
    ProtoWriter w(out);
    write_histogram_value(w, tag, h);
    return out;
}

}  // namespace summary
}  // namespace tblog
