// The one shape of a bad-argument error, for the builders in summary/ and the codecs below
// them: std::invalid_argument naming the tag and the problem, with the tag made printable
// (the message itself must be valid UTF-8). summary/common.hpp re-exports both functions.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "tblog/detail/text/utf8.hpp"

namespace tblog::detail {

// `s` printable in an error message: bytes that are not valid UTF-8 and control characters
// as \xNN, so that the message itself is valid UTF-8.
inline std::string printable(std::string_view s) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = utf8::sequence_length(s, i);
        if (n == 0 || c < 0x20 || c == 0x7F) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
        } else {
            out.append(s.data() + i, n);
            i += n;
        }
    }
    return out;
}

// Throws the error every builder gives for bad input: it names the tag and the problem.
[[noreturn]] inline void invalid(std::string_view tag, std::string_view problem) {
    throw std::invalid_argument("tblog: tag '" + printable(tag) + "': " + std::string(problem));
}

}  // namespace tblog::detail
