// How Python prints numbers, for the files and strings PyTorch builds with str()/repr():
// tensors.tsv rows (str(x.item())), json.dumps() floats, str(time.time()) run names and
// str(step).zfill(5) directory names. Pure functions.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>

namespace tblog::detail {

// Python's repr(float): the shortest digits that round-trip, written in fixed notation
// unless the decimal exponent is < -4 or >= 16 (then 'd.ddde+XX', at least two exponent
// digits); a fixed-notation integer gets ".0". repr(inf) is "inf", repr(nan) is "nan".
inline std::string py_float_repr(double v) {
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
    char buf[64];
    // Scientific shortest form gives the digits and the exponent without rounding choices.
    auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
    std::string sci(buf, res.ptr);
    std::string out;
    if (!sci.empty() && sci[0] == '-') {
        out = "-";
        sci.erase(0, 1);
    }
    const auto epos = sci.find('e');
    const int exp10 = std::atoi(sci.c_str() + epos + 1);
    std::string digits;
    for (std::size_t i = 0; i < epos; ++i)
        if (sci[i] != '.') digits += sci[i];
    const int decpt = exp10 + 1;  // value = 0.<digits> * 10^decpt
    if (decpt <= -4 || decpt > 16) {
        out += digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        char e[16];
        std::snprintf(e, sizeof(e), "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
        return out + e;
    }
    if (decpt <= 0) return out + "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
    const auto ndig = static_cast<int>(digits.size());
    if (decpt >= ndig) return out + digits + std::string(static_cast<std::size_t>(decpt - ndig), '0') + ".0";
    return out + digits.substr(0, static_cast<std::size_t>(decpt)) + "." +
           digits.substr(static_cast<std::size_t>(decpt));
}

// Python's str(n).zfill(width): zero-padded after the sign.
inline std::string py_zfill(std::int64_t n, std::size_t width) {
    std::string s = std::to_string(n);
    const bool neg = n < 0;
    const std::size_t len = s.size();
    if (len >= width) return s;
    s.insert(neg ? 1 : 0, width - len, '0');
    return s;
}

}  // namespace tblog::detail
