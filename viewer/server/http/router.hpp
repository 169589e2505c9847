// The route table: handlers keyed by method and path pattern, with cpp-httplib's signatures
// (srv.Get(pattern, [](const httplib::Request&, httplib::Response&) {...})) so that route
// files are independent of the server that carries the bytes (http/server.hpp).
//
// A pattern is matched against the whole decoded path. One made only of path characters
// (letters, digits, '/', '_', '-') is looked up exactly; any other is a std::regex whose
// groups land in Request::matches. Exact routes win, then regex routes in registration order.
// HEAD is answered by the GET route (the server drops the body).
#pragma once

#include <httplib.h>

#include <functional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

namespace tblog::view::http {

class Router {
public:
    using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
    // Runs before routing; returns true if it answered the request itself.
    using Filter = std::function<bool(const httplib::Request&, httplib::Response&)>;

    Router& Get(const std::string& pattern, Handler handler) { return add("GET", pattern, std::move(handler)); }
    Router& Post(const std::string& pattern, Handler handler) { return add("POST", pattern, std::move(handler)); }
    Router& Put(const std::string& pattern, Handler handler) { return add("PUT", pattern, std::move(handler)); }
    Router& Delete(const std::string& pattern, Handler handler) { return add("DELETE", pattern, std::move(handler)); }

    // Filters run in the order added.
    void add_filter(Filter f) { filters_.push_back(std::move(f)); }

    // Answers `req` into `res`: a filter, the matching handler, 404/405, or 500 with the
    // reason if the handler throws. Thread-safe once registration is over.
    void handle(httplib::Request& req, httplib::Response& res) const;

private:
    struct RegexRoute {
        std::string method;
        std::regex pattern;
        Handler handler;
    };
    Router& add(const std::string& method, const std::string& pattern, Handler handler);

    std::unordered_map<std::string, Handler> exact_;  // "GET /data/runs"
    std::vector<RegexRoute> regex_;
    std::vector<Filter> filters_;
};

}  // namespace tblog::view::http
