// The Profile dashboard's trace reader (viewer/server/plugins/profile/trace_columns.cpp): a
// hand-written JSON scanner over trace files from the logdir — tblog's, PyTorch's Kineto
// traces, anyone's. Whatever the bytes, it must either throw (the route answers 500) or give
// a well-formed answer: the magic, then a header length that fits in the answer.
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>

#include "plugins/profile/trace_columns.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string out;
    try {
        out = tblog::view::trace_columns(text);
    } catch (const std::exception&) {
        return 0;  // not a trace: the route says so
    }
    if (out.size() < 16 || out.compare(0, 8, "TBTRACE1") != 0) __builtin_trap();
    std::uint32_t header = 0;
    std::memcpy(&header, out.data() + 8, 4);
    if (16 + static_cast<std::size_t>(header) > out.size()) __builtin_trap();
    return 0;
}
