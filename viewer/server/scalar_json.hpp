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

// The items of points [begin, end) of a [[wall_time, step, value], ...] array, each after a
// comma but the array's first (begin == 0): the array in pieces (a streamed answer).
inline void append_points_json_items(std::string& out, const ScalarColumns& c, std::size_t begin, std::size_t end) {
    bool first = begin == 0;
    c.for_each(begin, end, [&](const ScalarPoint& p) {
        if (!first) out += ',';
        first = false;
        append_point_json(out, p);
    });
}

// [[wall_time, step, value], ...] for every point.
inline void append_points_json(std::string& out, const ScalarColumns& c) {
    out.reserve(out.size() + c.size() * 40 + 2);
    out += '[';
    append_points_json_items(out, c, 0, c.size());
    out += ']';
}

inline std::string points_json(const ScalarColumns& c) {
    std::string out;
    append_points_json(out, c);
    return out;
}

// Python's csv module: "Wall time,Step,Value" then one row per point, CRLF line ends.
inline constexpr const char* kPointsCsvHeader = "Wall time,Step,Value\r\n";

// The CSV rows of points [begin, end).
inline void append_points_csv_rows(std::string& out, const ScalarColumns& c, std::size_t begin, std::size_t end) {
    c.for_each(begin, end, [&](const ScalarPoint& p) {
        append_repr(out, p.wall_time, "nan", "inf");
        out += ',';
        append_int(out, p.step);
        out += ',';
        append_repr(out, p.value, "nan", "inf");
        out += "\r\n";
    });
}

inline std::string points_csv(const ScalarColumns& c) {
    std::string out = kPointsCsvHeader;
    out.reserve(c.size() * 40 + out.size());
    append_points_csv_rows(out, c, 0, c.size());
    return out;
}

}  // namespace tblog::view
