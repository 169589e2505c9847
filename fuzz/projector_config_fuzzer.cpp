// What the projector parses from a run directory (viewer/server/plugins/projector/projector_config.cpp): the
// projector_config.pbtxt text and the TSV tensors it names. The first input byte picks which.
#include "plugins/projector/projector_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] & 1) {
        tblog::view::Matrix m;
        if (tblog::view::parse_tsv(text, m) && m.values.size() != m.rows * m.cols) __builtin_trap();
    } else {
        tensorboard::projector::ProjectorConfig config;
        tblog::view::parse_projector_config(text, config);
    }
    return 0;
}
