// What the profiler asks the system: a cheap monotonic clock, the calling thread's id and
// name, and the process's CPU time and resident memory from /proc (Linux; elsewhere the
// sampler reports nothing).
#pragma once

#include "tblog/detail/io/naming.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>

#if defined(__linux__)
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace tblog::detail::trace {

// Steady-clock nanoseconds (vDSO clock_gettime on Linux: ~20 ns, no system call).
inline std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// The kernel's thread id (what top, perf and /proc/<pid>/task show); the process id for
// the main thread.
inline long current_tid() {
#if defined(__linux__)
    return static_cast<long>(::syscall(SYS_gettid));
#else
    return 0;
#endif
}

inline long current_pid() {
#if defined(__linux__)
    return static_cast<long>(::getpid());
#else
    return 0;
#endif
}

// The calling thread's OS name (pthread_setname_np / prctl), "" if unknown.
inline std::string current_thread_os_name() {
#if defined(__linux__)
    char buf[64] = {0};
    if (pthread_getname_np(pthread_self(), buf, sizeof buf) == 0) return buf;
#endif
    return {};
}

// The process's short name (/proc/self/comm), for the trace's process track.
inline std::string process_name() {
    std::string out;
#if defined(__linux__)
    if (FILE* f = std::fopen("/proc/self/comm", "r")) {
        char buf[64] = {0};
        if (std::fgets(buf, sizeof buf, f)) out = buf;
        std::fclose(f);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
#endif
    return out.empty() ? "process" : out;
}

// One reading of the process: CPU time used so far (user + system) and resident memory.
struct ProcSample {
    std::int64_t t_ns = 0;       // now_ns() when read
    double cpu_seconds = 0.0;    // utime + stime
    std::uint64_t rss_bytes = 0; // resident set size
};

// Parses the text of /proc/self/stat: utime and stime are fields 14 and 15, counted after
// the command name, which is in parentheses and may itself contain spaces and ')'.
inline std::optional<double> parse_stat_cpu_seconds(const std::string& stat, long ticks_per_second) {
    const auto close = stat.rfind(')');
    if (close == std::string::npos || ticks_per_second <= 0) return std::nullopt;
    // After ") ": field 3 (state) ... field 14 (utime) is the 12th, field 15 the 13th.
    unsigned long long utime = 0, stime = 0;
    const char* p = stat.c_str() + close + 1;
    int field = 2;
    while (*p && field < 15) {
        while (*p == ' ') ++p;
        ++field;
        if (field == 14) utime = std::strtoull(p, nullptr, 10);
        if (field == 15) stime = std::strtoull(p, nullptr, 10);
        while (*p && *p != ' ') ++p;
    }
    if (field < 15) return std::nullopt;
    return static_cast<double>(utime + stime) / static_cast<double>(ticks_per_second);
}

// Parses /proc/self/statm: "size resident shared ..." in pages.
inline std::optional<std::uint64_t> parse_statm_rss_bytes(const std::string& statm, long page_size) {
    unsigned long long size = 0, resident = 0;
    if (page_size <= 0 || std::sscanf(statm.c_str(), "%llu %llu", &size, &resident) != 2)
        return std::nullopt;
    return static_cast<std::uint64_t>(resident) * static_cast<std::uint64_t>(page_size);
}

inline std::string read_small_file(const char* path) {
    std::string out;
    if (FILE* f = std::fopen(path, "r")) {
        char buf[1024];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
        std::fclose(f);
    }
    return out;
}

inline std::optional<ProcSample> read_proc_sample() {
#if defined(__linux__)
    ProcSample s;
    s.t_ns = now_ns();
    auto cpu = parse_stat_cpu_seconds(read_small_file("/proc/self/stat"), ::sysconf(_SC_CLK_TCK));
    auto rss = parse_statm_rss_bytes(read_small_file("/proc/self/statm"), ::sysconf(_SC_PAGESIZE));
    if (!cpu || !rss) return std::nullopt;
    s.cpu_seconds = *cpu;
    s.rss_bytes = *rss;
    return s;
#else
    return std::nullopt;
#endif
}

// CPU utilisation between two samples, in percent of one core (like top: 200 = two cores busy).
inline double cpu_percent(const ProcSample& a, const ProcSample& b) {
    const double wall = static_cast<double>(b.t_ns - a.t_ns) * 1e-9;
    return wall > 0 ? 100.0 * (b.cpu_seconds - a.cpu_seconds) / wall : 0.0;
}

// Local time as YYYY_MM_DD_HH_MM_SS, the run-directory name TensorBoard's profile plugin
// lists (the same stamp TensorFlow's profiler uses).
inline std::string profile_run_stamp(std::time_t t) {
    return local_time_string(t, "%Y_%m_%d_%H_%M_%S");
}

}  // namespace tblog::detail::trace
