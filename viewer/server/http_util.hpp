// Small helpers shared by the route handlers: JSON as TensorBoard writes it, errors, query
// parameters, and the checks that keep request parameters from naming files.
#pragma once

#include <httplib.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/response_cache.hpp"
#include "loader.hpp"
#include "options.hpp"
#include "store.hpp"

namespace tblog::view {

using json = nlohmann::json;

// What every handler may use.
struct ServerContext {
    const Options& options;
    Store& store;
    Loader& loader;
    // Answers kept as sent (http/response_cache.hpp), shared by the routes wrapped in
    // http::cached(); the Viewer sizes it from --max_memory.
    std::shared_ptr<http::ResponseCache> answers = std::make_shared<http::ResponseCache>();
};

// A number as TensorBoard's JSON has it: non-finite values become the strings "NaN",
// "Infinity" and "-Infinity" (JSON has no literal for them).
inline json jnum(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    return d;
}

void send_json(httplib::Response& res, const json& body);
// A 200 answer with `body` moved in (large bodies are not copied).
void send_body(httplib::Response& res, std::string&& body, const char* content_type);
void send_error(httplib::Response& res, int status, const std::string& message);

// The value of query (or form) parameter `name`; sends 400 and returns nullopt if missing.
std::optional<std::string> require_param(const httplib::Request& req, httplib::Response& res, const char* name);
std::string param_or(const httplib::Request& req, const char* name, std::string fallback);
// An integer parameter; sends 400 and returns nullopt if present but not an integer.
std::optional<long long> int_param(const httplib::Request& req, httplib::Response& res, const char* name,
                                   long long fallback);

// The run named by ?run=...; sends 400 (missing) / 404 (unknown) and returns null otherwise.
std::shared_ptr<Run> require_run(const ServerContext& ctx, const httplib::Request& req, httplib::Response& res);

// True if `value` could step outside a directory when used as a path: absolute, a ".."
// component ('/' or '\\' separated), a leading backslash or a NUL. Names of runs, sessions,
// hosts and files must not.
bool is_path_escape(std::string_view value);

// Rejects (400) a request whose run/tag/name/... parameters try to escape a directory.
// Installed as the server's pre-routing handler.
bool refuse_path_escapes(const httplib::Request& req, httplib::Response& res);

// Percent-encoding for building query strings (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view s);

}  // namespace tblog::view
