// tblog::Json: a small JSON value for the few places PyTorch writes json.dumps() of a
// Python dict (add_mesh's config_dict). dump() gives json.dumps(value, sort_keys=True)
// byte for byte: ", " and ": " separators, keys sorted, ASCII only (\uXXXX escapes),
// floats as Python's repr, NaN/Infinity as Python writes them.
//
//   tblog::Json cfg = tblog::Json::object({
//       {"camera", tblog::Json::object({{"cls", "PerspectiveCamera"}, {"fov", 75}})},
//       {"lights", tblog::Json::array({tblog::Json::object({{"cls", "AmbientLight"}})})},
//   });
//   tblog::Json::raw(R"({"camera": {"fov": 75}})")  // JSON text written as given
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "tblog/detail/text/py_format.hpp"

namespace tblog {

class Json {
public:
    using Array = std::vector<Json>;
    using Object = std::vector<std::pair<std::string, Json>>;

    Json() : v_(nullptr) {}
    Json(std::nullptr_t) : v_(nullptr) {}                                  // NOLINT
    Json(bool b) : v_(b) {}                                                // NOLINT
    Json(int i) : v_(static_cast<std::int64_t>(i)) {}                      // NOLINT
    Json(long i) : v_(static_cast<std::int64_t>(i)) {}                     // NOLINT
    Json(long long i) : v_(static_cast<std::int64_t>(i)) {}                // NOLINT
    Json(unsigned i) : v_(static_cast<std::int64_t>(i)) {}                 // NOLINT
    Json(unsigned long i) : v_(checked(i)) {}                              // NOLINT
    Json(unsigned long long i) : v_(checked(i)) {}                         // NOLINT
    Json(double d) : v_(d) {}                                              // NOLINT
    Json(const char* s) : v_(std::string(s)) {}                            // NOLINT
    Json(std::string s) : v_(std::move(s)) {}                              // NOLINT

    static Json array(std::initializer_list<Json> items = {}) {
        Json j;
        j.v_ = Array(items);
        return j;
    }
    static Json array(Array items) {
        Json j;
        j.v_ = std::move(items);
        return j;
    }
    static Json object(std::initializer_list<std::pair<const std::string, Json>> members = {}) {
        Json j;
        j.v_ = Object(members.begin(), members.end());
        return j;
    }
    // JSON text that dump() returns unchanged (the caller vouches for it).
    static Json raw(std::string text) {
        Json j;
        j.v_ = Raw{std::move(text)};
        return j;
    }

    // json.dumps(value, sort_keys=True). Throws std::invalid_argument for duplicate keys
    // and strings that are not UTF-8.
    std::string dump() const {
        std::string out;
        dump_to(out);
        return out;
    }

private:
    struct Raw {
        std::string text;
    };

    static std::int64_t checked(unsigned long long i) {
        if (i > static_cast<unsigned long long>(INT64_MAX))
            throw std::invalid_argument("tblog: JSON integer " + std::to_string(i) + " is too large");
        return static_cast<std::int64_t>(i);
    }

    void dump_to(std::string& out) const {
        if (std::holds_alternative<std::nullptr_t>(v_)) {
            out += "null";
        } else if (auto* b = std::get_if<bool>(&v_)) {
            out += *b ? "true" : "false";
        } else if (auto* i = std::get_if<std::int64_t>(&v_)) {
            out += std::to_string(*i);
        } else if (auto* d = std::get_if<double>(&v_)) {
            out += float_text(*d);
        } else if (auto* s = std::get_if<std::string>(&v_)) {
            quote(out, *s);
        } else if (auto* a = std::get_if<Array>(&v_)) {
            out += '[';
            for (std::size_t k = 0; k < a->size(); ++k) {
                if (k) out += ", ";
                (*a)[k].dump_to(out);
            }
            out += ']';
        } else if (auto* o = std::get_if<Object>(&v_)) {
            std::vector<const std::pair<std::string, Json>*> sorted;
            for (const auto& m : *o) sorted.push_back(&m);
            std::sort(sorted.begin(), sorted.end(), [](auto* x, auto* y) { return x->first < y->first; });
            out += '{';
            for (std::size_t k = 0; k < sorted.size(); ++k) {
                if (k && sorted[k]->first == sorted[k - 1]->first)
                    throw std::invalid_argument("tblog: JSON object has the key '" + sorted[k]->first + "' twice");
                if (k) out += ", ";
                quote(out, sorted[k]->first);
                out += ": ";
                sorted[k]->second.dump_to(out);
            }
            out += '}';
        } else {
            out += std::get<Raw>(v_).text;
        }
    }

    static std::string float_text(double d) {
        if (d != d) return "NaN";
        if (d == 1.0 / 0.0) return "Infinity";
        if (d == -1.0 / 0.0) return "-Infinity";
        return detail::py_float_repr(d);
    }

    // Python's json string encoding with ensure_ascii=True.
    static void quote(std::string& out, const std::string& s) {
        out += '"';
        for (std::size_t i = 0; i < s.size();) {
            const auto c = static_cast<unsigned char>(s[i]);
            std::uint32_t cp;
            std::size_t len;
            if (c < 0x80) cp = c, len = 1;
            else if ((c >> 5) == 0x6) cp = c & 0x1F, len = 2;
            else if ((c >> 4) == 0xE) cp = c & 0x0F, len = 3;
            else if ((c >> 3) == 0x1E) cp = c & 0x07, len = 4;
            else throw std::invalid_argument("tblog: JSON string is not valid UTF-8");
            if (i + len > s.size()) throw std::invalid_argument("tblog: JSON string is not valid UTF-8");
            for (std::size_t k = 1; k < len; ++k) {
                const auto cc = static_cast<unsigned char>(s[i + k]);
                if ((cc >> 6) != 0x2) throw std::invalid_argument("tblog: JSON string is not valid UTF-8");
                cp = (cp << 6) | (cc & 0x3F);
            }
            i += len;
            switch (cp) {
                case '"': out += "\\\""; continue;
                case '\\': out += "\\\\"; continue;
                case '\n': out += "\\n"; continue;
                case '\r': out += "\\r"; continue;
                case '\t': out += "\\t"; continue;
                case '\b': out += "\\b"; continue;
                case '\f': out += "\\f"; continue;
                default: break;
            }
            if (cp >= 0x20 && cp < 0x7F) {
                out += static_cast<char>(cp);
            } else if (cp < 0x10000) {
                hex4(out, cp);
            } else {  // UTF-16 surrogate pair
                cp -= 0x10000;
                hex4(out, 0xD800 | (cp >> 10));
                hex4(out, 0xDC00 | (cp & 0x3FF));
            }
        }
        out += '"';
    }

    static void hex4(std::string& out, std::uint32_t u) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(u));
        out += buf;
    }

    std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, Array, Object, Raw> v_;
};

}  // namespace tblog
