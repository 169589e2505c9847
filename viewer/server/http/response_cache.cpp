#include "http/response_cache.hpp"

#include "http/response.hpp"

namespace tblog::view::http {

namespace {

void append_field(std::string& key, const std::string& s) {
    key += std::to_string(s.size());
    key += ':';
    key += s;
}

// Everything of the request an answer may depend on: method (HEAD shares GET's answer; the
// server drops the body), path, every parameter in order, the body, and whether the client
// takes gzip (the stored body is what that client is sent).
std::string key_of(const httplib::Request& req) {
    std::string key;
    key.reserve(64 + req.path.size() + req.body.size());
    append_field(key, req.method == "HEAD" ? std::string("GET") : req.method);
    append_field(key, req.path);
    for (const auto& [k, v] : req.params) {
        append_field(key, k);
        append_field(key, v);
    }
    append_field(key, req.body);
    key += accepts_gzip(req) ? 'z' : '-';
    return key;
}

// What an entry holds in RAM: the answer, its version, and its key twice (the cache's index
// and its LRU list each have a copy).
std::uint64_t answer_bytes(const std::string& key, const std::string& version, const CachedAnswer& a) {
    std::uint64_t n = sizeof(CachedAnswer) + 2 * key.size() + version.size() + a.body.size();
    for (const auto& [k, v] : a.headers) n += k.size() + v.size() + 64;
    return n;
}

}  // namespace

ResponseCache::ResponseCache(std::uint64_t budget) : VersionedCache(budget, budget / 8, answer_bytes) {}

Handler cached(std::shared_ptr<ResponseCache> cache, Version version, Handler handler) {
    return [cache = std::move(cache), version = std::move(version), handler = std::move(handler)](
               const httplib::Request& req, httplib::Response& res) {
        std::optional<std::string> v;
        if (req.get_header_value("Range").empty()) v = version(req);
        if (!v) return handler(req, res);
        bool ran = false;  // this request's handler produced the answer: res holds it already
        const auto answer = cache->get(key_of(req), *v, [&]() -> std::shared_ptr<const CachedAnswer> {
            ran = true;
            handler(req, res);
            if (res.status != 200 || res.content_provider_) return nullptr;  // not one to share
            compress_body(req, res);
            return std::make_shared<const CachedAnswer>(CachedAnswer{res.status, res.headers, res.body});
        });
        if (ran) return;
        res.status = answer->status;
        res.headers = answer->headers;
        res.body = answer->body;
    };
}

}  // namespace tblog::view::http
