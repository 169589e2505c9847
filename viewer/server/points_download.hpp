// Every point of a scalar series for download (CSV or JSON): the answer of TensorBoard's
// scalars route and of custom scalars' download_data, which delegates to it.
#pragma once

#include <cstddef>
#include <string>

#include "http_util.hpp"

namespace tblog::view {

// Series longer than this are streamed, kPiecePoints points a piece (points_download.cpp).
constexpr std::size_t kStreamedPoints = std::size_t{1} << 14, kPiecePoints = std::size_t{1} << 13;

// Answers with every point of `s` (series `tag` of `run`, whose shared lock the caller holds)
// as CSV or as [[wall_time, step, value], ...].
void send_points(const ServerContext& ctx, const Run& run, const std::string& tag, const Series& s, bool csv,
                 httplib::Response& res);

}  // namespace tblog::view
