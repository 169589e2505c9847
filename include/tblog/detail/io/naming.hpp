// Names PyTorch gives to logdirs and event files, and the clocks behind them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

#include "tblog/detail/io/wall_clock.hpp"

#if defined(_WIN32)
#include <process.h>
#include <winsock2.h>
#else
#include <unistd.h>
#endif

namespace tblog::detail {

// Seconds since the epoch with sub-microsecond resolution, like Python's time.time()
// (see wall_clock.hpp: a calibrated TSC, re-anchored to the system clock every millisecond).
inline double now_seconds() { return wall_clock::now(); }

inline std::string hostname() {
    char buf[256] = {0};
    if (gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
    return buf;
}

inline long process_id() {
#if defined(_WIN32)
    return static_cast<long>(_getpid());
#else
    return static_cast<long>(getpid());
#endif
}

// One counter per process, shared by every writer, like TensorBoard's EventFileWriter:
// two files created in the same second by the same process still get different names.
inline std::uint64_t next_file_counter() {
    static std::atomic<std::uint64_t> counter{0};
    return counter.fetch_add(1);
}

// events.out.tfevents.<10-digit secs>.<host>.<pid>.<counter><suffix>
inline std::string event_file_name(double wall_time, const std::string& suffix) {
    char secs[32];
    std::snprintf(secs, sizeof(secs), "%010lld", static_cast<long long>(wall_time));
    return "events.out.tfevents." + std::string(secs) + "." + hostname() + "." +
           std::to_string(process_id()) + "." + std::to_string(next_file_counter()) + suffix;
}

// `t` in local time, formatted with strftime's `format`.
inline std::string local_time_string(std::time_t t, const char* format) {
    std::tm tm{};
#if defined(_WIN32)
    localtime_s(&tm, &t);
#else
    localtime_r(&t, &tm);
#endif
    char buf[64];
    std::strftime(buf, sizeof(buf), format, &tm);
    return buf;
}

// PyTorch's default log_dir: runs/<%b%d_%H-%M-%S>_<hostname><comment>, local time.
inline std::string default_log_dir(const std::string& comment) {
    return "runs/" + local_time_string(std::time(nullptr), "%b%d_%H-%M-%S") + "_" + hostname() + comment;
}

}  // namespace tblog::detail
