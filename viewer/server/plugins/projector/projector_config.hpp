// Parsing what the projector reads: projector_config.pbtxt (protobuf text format) and the
// TSV tensor files it names. Pure functions on text, no file access (the fuzz target
// fuzz/projector_config_fuzzer.cpp calls them directly).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_projector.pb.h"

namespace tblog::view {

struct Matrix {
    std::vector<float> values;
    std::size_t rows = 0, cols = 0;
};

// The text of a projector_config.pbtxt; false if it is not a ProjectorConfig.
bool parse_projector_config(std::string_view text, tensorboard::projector::ProjectorConfig& out);

// TSV rows of numbers; false if the text is not such a table.
bool parse_tsv(const std::string& text, Matrix& m);

}  // namespace tblog::view
