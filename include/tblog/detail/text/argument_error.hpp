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
inline std::string printable(std::string_view s) { return utf8::backslash_escape(s, /*controls=*/true); }

// Throws the error every builder gives for bad input: it names the tag and the problem.
[[noreturn]] inline void invalid(std::string_view tag, std::string_view problem) {
    throw std::invalid_argument("tblog: tag '" + printable(tag) + "': " + std::string(problem));
}

}  // namespace tblog::detail
