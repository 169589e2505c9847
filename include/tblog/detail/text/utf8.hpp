// UTF-8 validation, the one validator of library and viewer. Protobuf `string` fields must
// hold valid UTF-8: stock TensorBoard's Python loader cannot parse an Event whose tag is not,
// and JSON (the viewer's answers) cannot carry such bytes. Used by the library's argument
// checks and error messages, and by the viewer for names read from disk and markdown text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tblog::detail::utf8 {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if none starts there (bad lead
// byte, truncated, overlong, a UTF-16 surrogate or beyond U+10FFFF).
inline std::size_t sequence_length(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char c = b(0);
    if (c < 0x80) return 1;
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;       // overlong
        else if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;       // overlong
        else if (c == 0xF4) hi = 0x8F;  // > U+10FFFF
    } else {
        return 0;
    }
    if (s.size() - i < n) return 0;
    if (b(1) < lo || b(1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (b(k) < 0x80 || b(k) > 0xBF) return 0;
    return n;
}

// Byte offset of the first invalid sequence, or npos if `s` is valid UTF-8.
inline std::size_t first_invalid(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        const std::size_t n = sequence_length(s, i);
        if (n == 0) return i;
        i += n;
    }
    return std::string_view::npos;
}

inline bool is_valid(std::string_view s) { return first_invalid(s) == std::string_view::npos; }

// `s` with every byte that does not start a valid sequence written as \xHH (Python's
// "backslashreplace"); with `controls`, also C0 control characters and DEL. Valid text comes
// back unchanged. The viewer shows names from file systems and other writers this way (run
// "exp\xff": readable, distinct for distinct bytes in practice, sent back by the UI as an
// ordinary string); error messages print arguments with `controls`.
inline std::string backslash_escape(std::string_view s, bool controls = false) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = sequence_length(s, i);
        if (n == 0 || (controls && (c < 0x20 || c == 0x7F))) {
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

// `s` with every invalid sequence replaced by U+FFFD (what Python's decode(errors="replace")
// does, one replacement per bad byte).
inline std::string replace_invalid(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = sequence_length(s, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(s.data() + i, n);
            i += n;
        }
    }
    return out;
}

}  // namespace tblog::detail::utf8
