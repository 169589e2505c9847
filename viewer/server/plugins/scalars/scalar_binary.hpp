// The binary form of /data/tblog/scalars_multirun (format=binary; viewer/README.md describes it
// for clients): at 1,000 runs a card's answer is ~64,000 points, and as JSON numbers (~2.4 MB)
// their text was most of the page's parsing, garbage and the server's encoding time. Here the
// numbers are columns of little-endian floats the page views in place (Float64Array /
// Float32Array, no copy, no parsing), and only the few fields per run beside them stay JSON:
//
//   bytes 0-3   "TBSC"
//   bytes 4-7   uint32 format version (1)
//   bytes 8-11  uint32 H: byte length of the JSON header that follows
//   12..12+H    UTF-8 JSON array, one object per run answered, in request order: the JSON
//               answer's fields without "points" plus "n", its number of points
//               ({"run","tag","total","buckets","cursor","from","n"}); padded with spaces so
//               that the columns start at a multiple of 8
//   then, N = the sum of every run's n, points in step order, run after run:
//               float64 wall_time[N], float64 step[N], float32 value[N]
//
// float32 is what the Store keeps of a value (ScalarPoint::value), float64 what JSON's reader
// makes of a wall time or a step (an int64 step rounds as a decimal one would), so the decoded
// numbers equal those of the JSON answer, NaN and infinities included.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <string>
#include <vector>

#include "scalar_columns.hpp"

namespace tblog::view {

inline constexpr const char* kScalarBinaryType = "application/octet-stream";

namespace scalar_binary_detail {

template <class T>
void put_le(char* at, T v) {
    static_assert(sizeof(T) == 4 || sizeof(T) == 8);
    using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
    U u;
    std::memcpy(&u, &v, sizeof u);
    for (std::size_t i = 0; i < sizeof u; ++i) at[i] = static_cast<char>((u >> (8 * i)) & 0xff);
}

}  // namespace scalar_binary_detail

// `heads`: each run's JSON object (with "n"), in order; `points`: every run's points, run after
// run, as the heads' n say.
inline std::string encode_scalar_batch(const std::vector<std::string>& heads, const std::vector<ScalarPoint>& points) {
    using scalar_binary_detail::put_le;
    std::string header = "[";
    for (std::size_t i = 0; i < heads.size(); ++i) {
        if (i) header += ',';
        header += heads[i];
    }
    header += ']';
    while ((12 + header.size()) % 8) header += ' ';
    const std::size_t n = points.size(), columns = 12 + header.size();
    std::string out(columns + n * 20, '\0');
    std::memcpy(out.data(), "TBSC", 4);
    put_le(out.data() + 4, std::uint32_t{1});
    put_le(out.data() + 8, static_cast<std::uint32_t>(header.size()));
    std::memcpy(out.data() + 12, header.data(), header.size());
    char* wall = out.data() + columns;
    char* step = wall + 8 * n;
    char* value = step + 8 * n;
    for (std::size_t i = 0; i < n; ++i) {
        put_le(wall + 8 * i, points[i].wall_time);
        put_le(step + 8 * i, static_cast<double>(points[i].step));
        put_le(value + 4 * i, points[i].value);
    }
    return out;
}

}  // namespace tblog::view
