// The wall clock behind every event's wall_time: seconds since the epoch with sub-microsecond
// resolution, like Python's time.time(), at the cost of one `rdtsc` instead of a vDSO
// clock_gettime (which is most of an add_scalar's cost: ~25-30 ns under kvm-clock).
//
// How: each thread keeps an anchor (a TSC reading and the system clock's time at that
// reading) and extrapolates from it with the TSC's period. The anchor is refreshed from the
// system clock at least every millisecond of TSC time, so a step or slew of the system
// clock (NTP) shows within 1 ms, and the extrapolation error stays far below a microsecond
// (the period is calibrated against the system clock over the whole process lifetime: after
// 20 ms it is good to ~1e-4, i.e. 0.1 us per 1 ms anchor; it only improves later).
// Until calibrated (the first 20 ms), and where the TSC is not invariant (no constant rate
// across P-states and sleep, CPUID 0x80000007 EDX bit 8) or the CPU is not x86-64, every
// call reads the system clock, as before.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <x86intrin.h>
#define TBLOG_HAVE_TSC 1
#else
#define TBLOG_HAVE_TSC 0
#endif

namespace tblog::detail::wall_clock {

// The system clock itself (what every fallback reads).
inline double system_seconds() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

#if TBLOG_HAVE_TSC

inline bool tsc_is_invariant() {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u) return false;
    __get_cpuid(0x80000007u, &a, &b, &c, &d);
    return (d & (1u << 8)) != 0;
}

// A TSC reading paired with the system clock, read between two TSC readings close enough
// together (a preempted read is retried) that the pair is good to well under a microsecond.
struct Pair {
    std::uint64_t tsc;
    double wall;
};
inline Pair read_pair() {
    Pair best{0, 0};
    std::uint64_t best_gap = ~std::uint64_t{0};
    for (int i = 0; i < 4; ++i) {
        const std::uint64_t t0 = __rdtsc();
        const double w = system_seconds();
        const std::uint64_t t1 = __rdtsc();
        if (t1 - t0 < best_gap) best_gap = t1 - t0, best = {t0 + (t1 - t0) / 2, w};
        if (best_gap < 20'000) break;  // < ~10 us: not preempted
    }
    return best;
}

// Process-wide calibration: the first pair ever read, and the period derived from it.
class Calibration {
public:
    static Calibration& get() {
        static Calibration c;
        return c;
    }
    // Seconds per TSC tick measured from the first pair to `now`, or 0 while the interval is
    // too short (or the system clock went backwards past the first pair: start over).
    double period(const Pair& now) {
        std::lock_guard<std::mutex> lk(mu_);
        if (!invariant_) return 0;
        const double dw = now.wall - base_.wall;
        if (now.tsc <= base_.tsc || dw < 0 || (period_ > 0 && dw / double(now.tsc - base_.tsc) > 2 * period_)) {
            base_ = now, period_ = 0;  // system clock stepped: recalibrate
            return 0;
        }
        if (dw >= 0.02) period_ = dw / double(now.tsc - base_.tsc);
        return period_;
    }

private:
    Calibration() : invariant_(tsc_is_invariant()), base_(read_pair()) {}
    std::mutex mu_;
    bool invariant_;
    Pair base_;
    double period_ = 0;
};

struct Anchor {
    std::uint64_t tsc = 0;
    std::uint64_t valid_ticks = 0;  // 0: not usable, read the system clock
    double wall = 0;
    double period = 0;
};

inline Anchor& anchor() {
    thread_local Anchor a;
    return a;
}

inline double reanchor(Anchor& a) {
    const Pair p = read_pair();
    a.period = Calibration::get().period(p);
    a.tsc = p.tsc;
    a.wall = p.wall;
    a.valid_ticks = a.period > 0 ? static_cast<std::uint64_t>(1e-3 / a.period) : 0;  // 1 ms
    return p.wall;
}

inline double now() {
    Anchor& a = anchor();
    const std::uint64_t d = __rdtsc() - a.tsc;  // wraps to huge if the TSC went back: reanchor
    if (d < a.valid_ticks) return a.wall + static_cast<double>(d) * a.period;
    return reanchor(a);
}

#else

inline double now() { return system_seconds(); }

#endif

}  // namespace tblog::detail::wall_clock
