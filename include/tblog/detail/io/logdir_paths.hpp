// The one containment rule for every path the writer derives from its arguments inside a
// base directory: add_scalars sub-runs (<main_tag>_<key>), the default log_dir
// (runs/<stamp>_<host><comment>), event file names (<name><filename_suffix>), hparams run
// names, embedding folders (<step>/<tag>) and profiler trace files (<hostname>.trace.json.gz).
// A path passes when it is relative, '/'-separated, and none of its parts is empty, "." or
// ".." — so it cannot leave its base, whatever the file system — and it holds no NUL,
// no backslash (a separator on Windows) and only valid UTF-8 (TensorBoard shows run names
// as JSON strings).
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tblog/detail/text/utf8.hpp"

namespace tblog::detail {

// What is wrong with `p` as a path inside a base directory; "" if nothing.
inline std::string path_problem(std::string_view p) {
    if (p.empty()) return "is empty";
    if (p.front() == '/') return "is absolute: it must stay inside its directory";
    if (p.find('\0') != std::string_view::npos) return "contains a NUL byte";
    if (p.find('\\') != std::string_view::npos) return "contains a backslash";
    if (!utf8::is_valid(p)) return "is not valid UTF-8";
    std::size_t start = 0;
    while (start <= p.size()) {
        const std::size_t end = std::min(p.find('/', start), p.size());
        const std::string_view part = p.substr(start, end - start);
        if (part == "..") return "has a '..' part: it must stay inside its directory";
        if (part.empty() || part == ".") return "has an empty or '.' part";
        start = end + 1;
    }
    return {};
}

inline bool is_contained_relative_path(std::string_view p) { return path_problem(p).empty(); }

// Throws std::invalid_argument("tblog: <what>: path '<p>' <problem>") unless `p` passes.
inline void check_contained_path(const std::string& what, std::string_view p) {
    const auto problem = path_problem(p);
    if (!problem.empty())
        throw std::invalid_argument("tblog: " + what + ": the path it makes " + problem);
}

}  // namespace tblog::detail
