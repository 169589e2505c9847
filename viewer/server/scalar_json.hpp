// Scalar points as TensorBoard's JSON has them: [wall_time, step, value] triples, written
// straight into a string (a series may hold millions of points); and as its CSV export.
#pragma once

#include <string>

#include "number_format.hpp"
#include "scalar_columns.hpp"

namespace tblog::view {

inline void append_point_json(std::string& out, const ScalarPoint& p) {
    out += '[';
    append_json_number(out, p.wall_time);
    out += ',';
    append_int(out, p.step);
    out += ',';
    append_json_number(out, p.value);
    out += ']';
}

// [[wall_time, step, value], ...] for every point.
inline void append_points_json(std::string& out, const ScalarColumns& c) {
    out.reserve(out.size() + c.size() * 40 + 2);
    out += '[';
    bool first = true;
    c.for_each(0, c.size(), [&](const ScalarPoint& p) {
        if (!first) out += ',';
        first = false;
        append_point_json(out, p);
    });
    out += ']';
}

inline std::string points_json(const ScalarColumns& c) {
    std::string out;
    append_points_json(out, c);
    return out;
}

inline // Python's csv module: "Wall time,Step,Value" then one row per point, CRLF line ends.
std::string points_csv(const ScalarColumns& c) {
    std::string out = "Wall time,Step,Value\r\n";
    out.reserve(c.size() * 40 + out.size());
    c.for_each(0, c.size(), [&](const ScalarPoint& p) {
        append_repr(out, p.wall_time, "nan", "inf");
        out += ',';
        append_int(out, p.step);
        out += ',';
        append_repr(out, p.value, "nan", "inf");
        out += "\r\n";
    });
    return out;
}

}  // namespace tblog::view
