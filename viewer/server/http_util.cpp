#include "http_util.hpp"

#include <cctype>
#include <cstdlib>

namespace tblog::view {

void send_json(httplib::Response& res, const json& body) {
    res.status = 200;
    // Strings from data (descriptions, text, hparams values...) that are not UTF-8 get U+FFFD
    // for their bad bytes rather than failing the answer (names are escaped at load:
    // detail/text/utf8.hpp's backslash_escape).
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void send_body(httplib::Response& res, std::string&& body, const char* content_type) {
    res.status = 200;
    res.body = std::move(body);
    res.set_header("Content-Type", content_type);
}

void send_error(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    res.set_content(message + "\n", "text/plain; charset=utf-8");
}

std::optional<std::string> require_param(const httplib::Request& req, httplib::Response& res, const char* name) {
    if (!req.has_param(name)) {
        send_error(res, 400, std::string("query parameter \"") + name + "\" is required");
        return std::nullopt;
    }
    return req.get_param_value(name);
}

std::string param_or(const httplib::Request& req, const char* name, std::string fallback) {
    return req.has_param(name) ? req.get_param_value(name) : std::move(fallback);
}

std::optional<long long> int_param(const httplib::Request& req, httplib::Response& res, const char* name,
                                   long long fallback) {
    if (!req.has_param(name)) return fallback;
    const std::string v = req.get_param_value(name);
    char* end = nullptr;
    const long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end) {
        send_error(res, 400, std::string("query parameter \"") + name + "\" must be an integer");
        return std::nullopt;
    }
    return n;
}

std::shared_ptr<Run> require_run(const ServerContext& ctx, const httplib::Request& req, httplib::Response& res) {
    auto name = require_param(req, res, "run");
    if (!name) return nullptr;
    auto run = ctx.store.find(*name);
    if (!run) send_error(res, 404, "Unknown run: \"" + *name + "\"");
    return run;
}

namespace {

// A ".." component, with '/' or '\\' as separators.
bool has_dotdot_component(std::string_view v) {
    std::size_t start = 0;
    for (;;) {
        const std::size_t slash = v.find_first_of("/\\", start);
        const std::size_t end = slash == std::string_view::npos ? v.size() : slash;
        if (v.substr(start, end - start) == "..") return true;
        if (slash == std::string_view::npos) return false;
        start = slash + 1;
    }
}

}  // namespace

bool is_path_escape(std::string_view v) {
    if (v.empty()) return false;
    // A backslash alone is allowed: names that are not UTF-8 are shown with \xHH escapes.
    return v.front() == '/' || v.front() == '\\' || v.find('\0') != std::string_view::npos || has_dotdot_component(v);
}

bool refuse_path_escapes(const httplib::Request& req, httplib::Response& res) {
    // Tags are labels, not paths (they may start with '/' or hold a backslash): only ".."
    // components and NUL are refused there.
    for (const char* name : {"run", "runs", "name", "session", "host", "tag", "path"}) {
        const bool is_tag = std::string_view(name) == "tag";
        // one pass over the values (get_param_value(name, i) walks them again for each i)
        const auto [first, last] = req.params.equal_range(name);
        for (auto it = first; it != last; ++it) {
            const std::string& v = it->second;
            const bool bad = is_tag ? v.find('\0') != std::string::npos || has_dotdot_component(v) : is_path_escape(v);
            if (bad) {
                send_error(res, 400, std::string("refused: parameter \"") + name + "\" must not leave its directory");
                return true;
            }
        }
    }
    return false;
}

std::string url_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size() * 3);
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

}  // namespace tblog::view
