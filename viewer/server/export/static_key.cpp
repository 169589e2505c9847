#include "export/static_key.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "http_util.hpp"

namespace tblog::view::exporting {

std::string static_key(std::string_view method, std::string_view route, Params params, std::string_view json_body) {
    std::stable_sort(params.begin(), params.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string key(method);
    key += ' ';
    key += route;
    for (std::size_t i = 0; i < params.size(); ++i) {
        key += i == 0 ? '?' : '&';
        key += url_encode(params[i].first);
        key += '=';
        key += url_encode(params[i].second);
    }
    if (!json_body.empty()) {
        key += '\n';
        key += json_body;
    }
    return key;
}

std::string static_name(std::string_view key) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : key) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return hex;
}

}  // namespace tblog::view::exporting
