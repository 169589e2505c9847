#include "projector_config.hpp"

#include <google/protobuf/text_format.h>

#include <cstdlib>

namespace tblog::view {

bool parse_projector_config(std::string_view text, tensorboard::projector::ProjectorConfig& out) {
    return google::protobuf::TextFormat::ParseFromString(std::string(text), &out);
}

bool parse_tsv(const std::string& text, Matrix& m) {
    m = Matrix{};
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        const std::string line = text.substr(start, nl - start);
        start = nl + 1;
        if (line.empty()) continue;
        std::size_t cols = 0, p = 0;
        while (p <= line.size()) {
            std::size_t tab = line.find('\t', p);
            if (tab == std::string::npos) tab = line.size();
            const std::string field = line.substr(p, tab - p);
            char* end = nullptr;
            const double v = std::strtod(field.c_str(), &end);
            while (end && (*end == ' ' || *end == '\r')) ++end;
            if (field.empty() || field.find('\0') != std::string::npos || *end) return false;
            m.values.push_back(static_cast<float>(v));
            ++cols;
            p = tab + 1;
        }
        if (m.rows && cols != m.cols) return false;
        m.cols = cols;
        ++m.rows;
    }
    return true;
}

}  // namespace tblog::view
