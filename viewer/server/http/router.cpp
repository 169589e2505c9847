#include "http/router.hpp"

#include <algorithm>
#include <cctype>

namespace tblog::view::http {

namespace {

bool is_literal(const std::string& pattern) {
    return std::all_of(pattern.begin(), pattern.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '/' || c == '_' || c == '-';
    });
}

void answer(httplib::Response& res, int status, const std::string& text) {
    res.status = status;
    res.set_content(text + "\n", "text/plain; charset=utf-8");
}

}  // namespace

Router& Router::add(const std::string& method, const std::string& pattern, Handler handler) {
    if (is_literal(pattern))
        exact_[method + " " + pattern] = std::move(handler);
    else
        regex_.push_back({method, std::regex(pattern), std::move(handler)});
    return *this;
}

void Router::handle(httplib::Request& req, httplib::Response& res) const {
    try {
        for (const auto& f : filters_)
            if (f(req, res)) return;
        const std::string method = req.method == "HEAD" ? "GET" : req.method;
        if (auto it = exact_.find(method + " " + req.path); it != exact_.end()) {
            res.status = 200;
            it->second(req, res);
            return;
        }
        for (const auto& r : regex_) {
            if (r.method != method || !std::regex_match(req.path, req.matches, r.pattern)) continue;
            res.status = 200;
            r.handler(req, res);
            return;
        }
        // Another method's route for this path: 405 names the ones allowed.
        std::string allow;
        for (const char* m : {"GET", "POST", "PUT", "DELETE"}) {
            bool ok = exact_.count(std::string(m) + " " + req.path) > 0;
            std::smatch unused;
            for (const auto& r : regex_) ok = ok || (r.method == m && std::regex_match(req.path, unused, r.pattern));
            if (ok) allow += (allow.empty() ? "" : ", ") + std::string(m) + (std::string(m) == "GET" ? ", HEAD" : "");
        }
        if (!allow.empty()) {
            answer(res, 405, "Method " + req.method + " not allowed for " + req.path);
            res.set_header("Allow", allow);
            return;
        }
        answer(res, 404, "Not found: " + req.path);
    } catch (const std::exception& e) {
        // A handler that throws answers 500 with the reason; the server keeps running.
        res = httplib::Response();
        answer(res, 500, std::string("internal error: ") + e.what());
    } catch (...) {
        res = httplib::Response();
        answer(res, 500, "internal error: unknown exception");
    }
}

}  // namespace tblog::view::http
