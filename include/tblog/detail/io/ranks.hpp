// Many processes (ranks of one distributed job) logging one run. Which ranks write, where,
// and the tag that keeps their event file names apart even when hosts share a name and pids
// repeat (containers).
#pragma once

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

namespace tblog {

enum class RankPolicy {
    rank0,     // only rank 0 writes; the other ranks' writers accept everything and do nothing
    per_rank,  // rank k writes the sub-run <log_dir>/rank<k>
};

}  // namespace tblog

namespace tblog::detail {

struct RankLayout {
    bool writes = true;
    std::string log_dir_suffix;  // "/rank3" under per_rank
    std::string file_tag;        // ".rank3" in event file names when a world size is known
};

inline std::optional<int> env_int(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    char* end = nullptr;
    const long x = std::strtol(v, &end, 10);
    if (*end != '\0' || x < 0 || x > 1 << 24)
        throw std::invalid_argument(std::string("tblog: environment variable ") + name + "='" + v +
                                    "' is not a non-negative integer");
    return static_cast<int>(x);
}

inline RankLayout resolve_ranks(std::optional<int> rank, std::optional<int> world_size, RankPolicy policy,
                                bool from_env) {
    if (from_env) {
        if (!rank) rank = env_int("RANK");
        if (!rank) rank = env_int("LOCAL_RANK");
        if (!world_size) world_size = env_int("WORLD_SIZE");
    }
    RankLayout l;
    if (!rank && !world_size) return l;
    const int r = rank.value_or(0), n = world_size.value_or(1);
    if (n < 1) throw std::invalid_argument("tblog: world_size must be >= 1");
    if (r < 0 || r >= n)
        throw std::invalid_argument("tblog: rank " + std::to_string(r) + " is outside world_size " + std::to_string(n));
    l.file_tag = ".rank" + std::to_string(r);
    if (n == 1) return l;
    if (policy == RankPolicy::rank0)
        l.writes = r == 0;
    else
        l.log_dir_suffix = "/rank" + std::to_string(r);
    return l;
}

}  // namespace tblog::detail
