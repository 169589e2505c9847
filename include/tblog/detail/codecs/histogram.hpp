// Histogram bucketing with the semantics of numpy.histogram, as PyTorch's make_histogram
// uses it: bin i holds edges[i] <= x < edges[i+1], the last bin also holds x == edges.back(),
// values outside [edges.front(), edges.back()] are not counted.
//
// Sums follow numpy's float64 add.reduce exactly (pairwise summation inside blocks of 8192,
// the blocks added in order), so `sum` is bit-identical to PyTorch's; `sum_squares` (a BLAS
// dot in PyTorch) uses the same scheme.
//
// PyTorch's default bins ("tensorflow") are TensorFlow's exponential ladder. Counting into
// them takes one pass with no sort and no log(): TfLadder::bin finds the bucket from the
// float's exponent and top mantissa bits (a table lookup) plus one comparison.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

namespace tblog::detail::histo {

// What a HistogramProto holds.
struct Histogram {
    double min = 0, max = 0, num = 0, sum = 0, sum_squares = 0;
    std::vector<double> bucket_limit;  // right edge of each bucket
    std::vector<double> bucket;        // count of each bucket
};

struct Stats {
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
    double sum = 0, sum_squares = 0;
    bool nan = false;
};

inline std::uint64_t bits_of(double x) {
    std::uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    return b;
}
inline double double_of(std::uint64_t b) {
    double x;
    std::memcpy(&x, &b, sizeof x);
    return x;
}

// TensorFlow's default bucket edges as PyTorch builds them: v = 1e-12, times 1.1 while
// v < 1e20 (in double, rounding after each step), mirrored, 0 in the middle.
//
// Finding x's bucket: the top 16 bits of the double (sign, exponent, 4 mantissa bits) name
// a "slot", a range of doubles spanning a ratio of at most 17/16 < 1.1, so at most one edge
// lies inside it. A 64K-entry table gives the bucket of the slot's lowest value; one
// comparison with the next edge finishes. No branch, no log(), no search.
class TfLadder {
public:
    static const TfLadder& get() {
        static const TfLadder ladder;
        return ladder;
    }

    // All 2N+1 edges, ascending.
    const std::vector<double>& edges() const { return edges_; }
    std::size_t bins() const { return edges_.size() - 1; }

    // Position of x among the edges, for counting: 0 below the first edge, 1 + i for bin i,
    // bins() + 1 or bins() + 2 above the last edge (and for +inf).
    std::size_t slot(double x) const {
        const std::size_t t = table_[bits_of(x) >> kShift];
        return t + (x >= next_[t]);
    }

    // slot() for a float32 value, all in float: the top 16 bits of the float (sign, exponent,
    // 7 mantissa bits: a ratio of at most 129/128 < 1.1) index table_f_, and next_f_ holds
    // each edge rounded up to a float, so x >= next_f_[t] exactly when double(x) >= next_[t].
    std::size_t slot(float x) const {
        std::uint32_t b;
        std::memcpy(&b, &x, sizeof b);
        const FloatSlot& e = table_f_[b >> 16];
        return e.slot + (x >= e.next);
    }

    // Adds the slot of every value of a[0..n) to counts (slots() entries), for finite values.
    // Four interleaved sub-histograms so that runs of one bucket (most data sits in a few)
    // do not serialize on one counter's store-to-load latency; no branch per element.
    template <class T>
    void count(const T* a, std::size_t n, std::uint32_t* counts) const {
        const std::size_t m = slots();
        std::vector<std::uint32_t> sub(3 * m, 0);
        std::uint32_t* c1 = sub.data();
        std::uint32_t* c2 = c1 + m;
        std::uint32_t* c3 = c2 + m;
        std::size_t i = 0;
        for (; i + 4 <= n; i += 4) {
            const std::size_t s0 = slot_of(a[i]), s1 = slot_of(a[i + 1]);
            const std::size_t s2 = slot_of(a[i + 2]), s3 = slot_of(a[i + 3]);
            ++counts[s0], ++c1[s1], ++c2[s2], ++c3[s3];
        }
        for (; i < n; ++i) ++counts[slot_of(a[i])];
        for (std::size_t k = 0; k < m; ++k) counts[k] += c1[k] + c2[k] + c3[k];
    }

    // Number of distinct slot() results: 0, 1 + each bin, two above.
    std::size_t slots() const { return bins() + 3; }

    // Index of x's bin among the 2N bins, or bins() when x lies outside (np.histogram's rule:
    // [e_i, e_{i+1}), the last bin closed).
    std::size_t bin(double x) const {
        const std::size_t s = slot(x);
        return s >= 1 && s <= bins() ? s - 1 : bins();
    }

private:
    static constexpr int kShift = 48;

    template <class T>
    std::size_t slot_of(T x) const {
        if constexpr (std::is_same_v<T, float>) return slot(x);
        else return slot(static_cast<double>(x));
    }

    TfLadder() {
        std::vector<double> ladder;
        for (double v = 1e-12; v < 1e20; v *= 1.1) ladder.push_back(v);
        for (std::size_t i = ladder.size(); i-- > 0;) edges_.push_back(-ladder[i]);
        edges_.push_back(0.0);
        edges_.insert(edges_.end(), ladder.begin(), ladder.end());
        // next_: the edges, the last one moved up by one ulp so that x == last edge counts
        // in the last bin, then +inf and NaN sentinels (nothing compares >= NaN).
        next_ = edges_;
        next_.back() = std::nextafter(next_.back(), std::numeric_limits<double>::infinity());
        next_.push_back(std::numeric_limits<double>::infinity());
        next_.push_back(std::numeric_limits<double>::quiet_NaN());
        // table_[k] = number of next_ values <= the lowest double of slot k
        table_.resize(std::size_t{1} << (64 - kShift));
        const std::size_t half = table_.size() / 2;
        auto count_le = [&](double lo) {
            return static_cast<std::uint16_t>(
                std::upper_bound(next_.begin(), next_.end() - 1, lo) - next_.begin());
        };
        for (std::size_t k = 0; k < half; ++k) {
            // positive slot: its lowest value is its first bit pattern
            table_[k] = count_le(double_of(std::uint64_t{k} << kShift));
            // negative slot: its lowest value is its last bit pattern (largest magnitude)
            const std::uint64_t last = ((std::uint64_t{k + half} + 1) << kShift) - 1;
            table_[k + half] = count_le(double_of(last));
        }
        // The float table, built the same way on 32-bit patterns; each entry also holds its
        // next edge (rounded up to a float) so that one load serves a value.
        std::vector<float> next_f;
        for (double e : next_) {
            float f = static_cast<float>(e);  // nearest; step up if it fell below
            if (static_cast<double>(f) < e) f = std::nextafter(f, std::numeric_limits<float>::infinity());
            next_f.push_back(f);
        }
        table_f_.resize(std::size_t{1} << 16);
        for (std::uint32_t k = 0; k < (1u << 15); ++k) {
            float lo, hi;
            const std::uint32_t lo_bits = k << 16, hi_bits = ((k + (1u << 15) + 1) << 16) - 1;
            std::memcpy(&lo, &lo_bits, 4);
            std::memcpy(&hi, &hi_bits, 4);
            const std::uint32_t tp = count_le(static_cast<double>(lo)), tn = count_le(static_cast<double>(hi));
            table_f_[k] = {next_f[tp], tp};
            table_f_[k + (1u << 15)] = {next_f[tn], tn};
        }
    }

    std::vector<double> edges_;
    std::vector<double> next_;
    std::vector<std::uint16_t> table_;
    struct FloatSlot {
        float next;
        std::uint32_t slot;
    };
    std::vector<FloatSlot> table_f_;
};

// Per-lane running min, max and "x - x" (0 for finite x, NaN for NaN and Inf): eight
// independent lanes, the same as numpy's eight pairwise accumulators, so that the loops
// below vectorize (one scalar min/max chain would serialize them).
struct Lanes {
    double mn[8], mx[8], bad[8];
    Lanes() {
        for (int j = 0; j < 8; ++j)
            mn[j] = std::numeric_limits<double>::infinity(), mx[j] = -mn[j], bad[j] = 0;
    }
    void see(int j, double x) {
        mn[j] = x < mn[j] ? x : mn[j];
        mx[j] = x > mx[j] ? x : mx[j];
        bad[j] += x - x;
    }
};

// scan()'s hook when only the statistics are wanted.
struct NoHook {
    void operator()(double) const {}
};

#if defined(__GNUC__) && !defined(__clang__) && (defined(__x86_64__) || defined(__i386__))
#define TBLOG_HISTO_AVX2 1
// pairwise()'s leaf (8 <= n <= 128) for float32 without a hook, with AVX2 (chosen at run
// time): the same eight lanes and the same additions in the same order (so the same bits),
// held in eight 4-double registers; the auto-vectorized generic leaf spills 40 doubles
// through SSE2's 16 registers. NaN/Inf need no lane of their own here: they turn a float
// sum into NaN/Inf, and float inputs cannot overflow a double sum, so scan() finds them
// from the sums (lanes.bad is set from them).
typedef double tblog_v4d __attribute__((vector_size(32)));
typedef float tblog_v4f __attribute__((vector_size(16)));
__attribute__((target("avx2"))) inline void pairwise_block_f32_avx2(const float* a, std::size_t n, Lanes& lanes,
                                                                    double& s, double& sq) {
    tblog_v4d mn0, mn1, mx0, mx1, r0, r1, q0, q1;
    std::memcpy(&mn0, lanes.mn, 32), std::memcpy(&mn1, lanes.mn + 4, 32);
    std::memcpy(&mx0, lanes.mx, 32), std::memcpy(&mx1, lanes.mx + 4, 32);
    tblog_v4f f0, f1;
    std::memcpy(&f0, a, 16), std::memcpy(&f1, a + 4, 16);
    r0 = __builtin_convertvector(f0, tblog_v4d), r1 = __builtin_convertvector(f1, tblog_v4d);
    mn0 = r0 < mn0 ? r0 : mn0, mn1 = r1 < mn1 ? r1 : mn1;
    mx0 = r0 > mx0 ? r0 : mx0, mx1 = r1 > mx1 ? r1 : mx1;
    q0 = r0 * r0, q1 = r1 * r1;
    std::size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
        std::memcpy(&f0, a + i, 16), std::memcpy(&f1, a + i + 4, 16);
        const tblog_v4d x0 = __builtin_convertvector(f0, tblog_v4d), x1 = __builtin_convertvector(f1, tblog_v4d);
        mn0 = x0 < mn0 ? x0 : mn0, mn1 = x1 < mn1 ? x1 : mn1;
        mx0 = x0 > mx0 ? x0 : mx0, mx1 = x1 > mx1 ? x1 : mx1;
        r0 += x0, r1 += x1;
        q0 += x0 * x0, q1 += x1 * x1;
    }
    s = ((r0[0] + r0[1]) + (r0[2] + r0[3])) + ((r1[0] + r1[1]) + (r1[2] + r1[3]));
    sq = ((q0[0] + q0[1]) + (q0[2] + q0[3])) + ((q1[0] + q1[1]) + (q1[2] + q1[3]));
    std::memcpy(lanes.mn, &mn0, 32), std::memcpy(lanes.mn + 4, &mn1, 32);
    std::memcpy(lanes.mx, &mx0, 32), std::memcpy(lanes.mx + 4, &mx1, 32);
    for (; i < n; ++i) {
        const double x = static_cast<double>(a[i]);
        lanes.mn[0] = x < lanes.mn[0] ? x : lanes.mn[0];
        lanes.mx[0] = x > lanes.mx[0] ? x : lanes.mx[0];
        s += x, sq += x * x;
    }
    lanes.bad[0] += s - s + (sq - sq);  // NaN iff a NaN or Inf was summed
}
inline bool cpu_has_avx2() {
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
}
#else
#define TBLOG_HISTO_AVX2 0
#endif

// numpy's pairwise summation of x and x*x over a[0..n), calling hook(x) for every element
// in order; returns the two sums through s and sq.
template <class T, class Hook>
void pairwise(const T* a, std::size_t n, Hook& hook, Lanes& lanes, double& s, double& sq) {
    if (n < 8) {
        s = 0.0, sq = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            const double x = static_cast<double>(a[i]);
            hook(x);
            lanes.see(0, x);
            s += x, sq += x * x;
        }
        return;
    }
#if TBLOG_HISTO_AVX2
    if constexpr (std::is_same_v<T, float> && std::is_same_v<std::decay_t<Hook>, NoHook>) {
        if (n <= 128 && cpu_has_avx2()) return pairwise_block_f32_avx2(a, n, lanes, s, sq);
    }
#endif
    if (n <= 128) {
        Lanes l = lanes;  // a local copy stays in registers whatever hook() writes
        double r[8], q[8];
        for (int j = 0; j < 8; ++j) {
            const double x = static_cast<double>(a[j]);
            hook(x);
            l.see(j, x);
            r[j] = x, q[j] = x * x;
        }
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (int j = 0; j < 8; ++j) {
                const double x = static_cast<double>(a[i + j]);
                hook(x);
                l.see(j, x);
                r[j] += x, q[j] += x * x;
            }
        s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        sq = ((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7]));
        for (; i < n; ++i) {
            const double x = static_cast<double>(a[i]);
            hook(x);
            l.see(0, x);
            s += x, sq += x * x;
        }
        lanes = l;
        return;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    double s1, q1, s2, q2;
    pairwise(a, n2, hook, lanes, s1, q1);
    pairwise(a + n2, n - n2, hook, lanes, s2, q2);
    s = s1 + s2, sq = q1 + q2;
}

// min, max, sum, sum of squares of a[0..n) as numpy computes them; hook(x) sees every value.
template <class T, class Hook>
Stats scan(const T* a, std::size_t n, Hook&& hook) {
    constexpr std::size_t kBlock = 8192;  // numpy's ufunc buffer size
    Stats st;
    Lanes lanes;
    for (std::size_t i = 0; i < n; i += kBlock) {
        double s, sq;
        pairwise(a + i, std::min(kBlock, n - i), hook, lanes, s, sq);
        st.sum += s, st.sum_squares += sq;
    }
    bool bad = false;
    for (int j = 0; j < 8; ++j) {
        st.min = std::min(st.min, lanes.mn[j]);
        st.max = std::max(st.max, lanes.mx[j]);
        bad |= lanes.bad[j] != lanes.bad[j];
    }
    if (bad)  // NaN or Inf somewhere: the rare error path finds out which
        for (std::size_t i = 0; i < n && !st.nan; ++i) st.nan = a[i] != a[i];
    return st;
}

// np.linspace(first, last, n + 1): first + i * step, the last edge exactly `last`.
inline std::vector<double> uniform_edges(double first, double last, std::size_t n) {
    std::vector<double> e(n + 1);
    const double step = (last - first) / static_cast<double>(n);
    for (std::size_t i = 0; i <= n; ++i) e[i] = static_cast<double>(i) * step + first;
    e[n] = last;
    return e;
}

// numpy's bin index for equal-width edges: a scaled guess, then corrected against the
// edges so the result agrees with the edges exactly. x must lie in [e.front(), e.back()].
inline std::size_t uniform_bin(double x, const std::vector<double>& e, double scale) {
    const std::size_t n = e.size() - 1;
    const double f = (x - e.front()) * scale;
    std::size_t i = f <= 0 ? 0 : std::min(static_cast<std::size_t>(f), n - 1);
    if (x < e[i] && i > 0) --i;
    else if (x >= e[i + 1] && i != n - 1) ++i;
    return i;
}

// numpy's percentile with linear interpolation (the default method), q in [0, 100].
// Reorders v (nth_element). Asking for the larger q first lets later calls reuse the
// partition: they search only the part left of it.
inline double percentile_inplace(std::vector<double>& v, double q, std::size_t& limit) {
    const double idx = q / 100.0 * static_cast<double>(v.size() - 1);
    const std::size_t lo = static_cast<std::size_t>(std::floor(idx));
    const auto end = v.begin() + static_cast<long>(std::min(limit, v.size()));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(lo), end);
    limit = lo;
    const double a = v[lo];
    const double b = lo + 1 < v.size() ? *std::min_element(v.begin() + static_cast<long>(lo) + 1, end) : a;
    const double t = idx - static_cast<double>(lo);
    // numpy's _lerp: a + (b - a) * t, computed from the nearer end for t >= 0.5
    const double d = b - a;
    return t >= 0.5 ? b - d * (1.0 - t) : a + d * t;
}

// Interquartile range as np.subtract(*np.percentile(x, [75, 25])).
inline double iqr(const std::vector<double>& x) {
    std::vector<double> v(x);
    std::size_t limit = v.size();
    const double p75 = percentile_inplace(v, 75, limit);
    const double p25 = percentile_inplace(v, 25, limit);
    return p75 - p25;
}

// PyTorch's make_histogram after np.histogram: optional max_bins subsampling, then trimming
// to the support keeping one empty bucket in front. Returns false if no value was counted.
inline bool finish(std::vector<double> counts, std::vector<double> limits, long max_bins,
                   Histogram& out) {
    const std::size_t nb = counts.size();
    if (max_bins > 0 && nb > static_cast<std::size_t>(max_bins)) {
        const std::size_t sub = nb / static_cast<std::size_t>(max_bins);
        const std::size_t rem = nb % sub;  // sic: PyTorch pads by the remainder modulo `sub`
        if (rem != 0) counts.resize(nb + (sub - rem), 0.0);
        std::vector<double> c(counts.size() / sub, 0.0);
        for (std::size_t i = 0; i < counts.size(); ++i) c[i / sub] += counts[i];
        std::vector<double> l;
        for (std::size_t i = 0; i + 1 < limits.size(); i += sub) l.push_back(limits[i]);
        l.push_back(limits.back());
        counts = std::move(c);
        limits = std::move(l);
    }
    std::size_t first = counts.size(), last = 0;
    for (std::size_t i = 0; i < counts.size(); ++i)
        if (counts[i] > 0) {
            if (first == counts.size()) first = i;
            last = i;
        }
    if (first == counts.size()) return false;
    const std::size_t end = last + 1;
    out.bucket.clear();
    if (first == 0) out.bucket.push_back(0.0);
    out.bucket.insert(out.bucket.end(), counts.begin() + static_cast<long>(first == 0 ? 0 : first - 1),
                      counts.begin() + static_cast<long>(end));
    out.bucket_limit.assign(limits.begin() + static_cast<long>(first), limits.begin() + static_cast<long>(end + 1));
    return true;
}

}  // namespace tblog::detail::histo
