// Names from file systems and other writers (run directories, tags, profile sessions) that are
// not valid UTF-8 cannot go into JSON as they are. The viewer shows them with each undecodable
// byte written as \xHH (Python's "backslashreplace"), e.g. run "exp\xff": readable, distinct
// for distinct byte strings in practice, and sent back by the UI as an ordinary string. The
// run keeps its real directory for file access (Run::dir()), so only the name is changed.
#pragma once

#include <string>
#include <string_view>

namespace tblog::view {

// Length of the valid UTF-8 sequence starting at s[i] (1..4), or 0 if it is not one
// (overlong forms, surrogates and code points above U+10FFFF are invalid, as in RFC 3629).
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const unsigned char c = b(0);
    if (c < 0x80) return 1;
    std::size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    if (b(1) < lo || b(1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (b(k) < 0x80 || b(k) > 0xBF) return 0;
    return n;
}

inline bool is_valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        const std::size_t n = utf8_sequence_length(s, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

// `s` with every byte that is not part of a valid UTF-8 sequence written as "\xHH".
inline std::string escape_invalid_utf8(std::string_view s) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(s.size() + 8);
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8_sequence_length(s, i);
        if (n > 0) {
            out.append(s.data() + i, n);
            i += n;
            continue;
        }
        const auto c = static_cast<unsigned char>(s[i++]);
        out += "\\x";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

// The name to show for `s`: itself when valid UTF-8.
inline std::string display_name(std::string_view s) {
    return is_valid_utf8(s) ? std::string(s) : escape_invalid_utf8(s);
}

}  // namespace tblog::view
