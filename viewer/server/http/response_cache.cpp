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

}  // namespace

std::size_t ResponseCache::Entry::bytes() const {
    std::size_t n = sizeof(Entry) + version.size() + body.size();
    for (const auto& [k, v] : headers) n += k.size() + v.size() + 64;
    return n;
}

std::shared_ptr<const ResponseCache::Entry> ResponseCache::find(const std::string& key, const std::string& version,
                                                               bool& produce) {
    produce = false;
    std::unique_lock lk(mu_);
    if (auto e = used_locked(key, version)) {
        ++hits_;
        return e;
    }
    const std::string fk = key + '\0' + version;
    if (auto f = flights_.find(fk); f != flights_.end()) {
        const std::shared_ptr<Flight> flight = f->second;
        flight->cv.wait(lk, [&] { return flight->done; });
        if (flight->result) {
            ++hits_;
            return flight->result;
        }
        return nullptr;  // that answer is not one to keep (an error): produce our own
    }
    flights_.emplace(fk, std::make_shared<Flight>());
    produce = true;
    return nullptr;
}

void ResponseCache::finish(const std::string& key, const std::string& version, std::shared_ptr<const Entry> entry) {
    std::lock_guard lk(mu_);
    if (entry) put_locked(key, entry);
    const auto f = flights_.find(key + '\0' + version);
    if (f == flights_.end()) return;
    f->second->done = true;
    f->second->result = std::move(entry);
    f->second->cv.notify_all();
    flights_.erase(f);
}

std::shared_ptr<const ResponseCache::Entry> ResponseCache::peek(const std::string& key, const std::string& version) {
    std::lock_guard lk(mu_);
    return used_locked(key, version);
}

std::shared_ptr<const ResponseCache::Entry> ResponseCache::used_locked(const std::string& key,
                                                                      const std::string& version) {
    const auto it = index_.find(key);
    if (it == index_.end() || it->second->second->version != version) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);  // most recently used first
    return it->second->second;
}

void ResponseCache::put(const std::string& key, std::shared_ptr<const Entry> entry) {
    std::lock_guard lk(mu_);
    put_locked(key, std::move(entry));
}

void ResponseCache::put_locked(const std::string& key, std::shared_ptr<const Entry> entry) {
    const std::size_t size = entry->bytes() + key.size();
    if (size > max_bytes_ / 8) return;
    if (auto it = index_.find(key); it != index_.end()) {
        bytes_ -= it->second->second->bytes() + key.size();
        lru_.erase(it->second);
        index_.erase(it);
    }
    lru_.emplace_front(key, std::move(entry));
    index_.emplace(key, lru_.begin());
    bytes_ += size;
    while (bytes_ > max_bytes_ && !lru_.empty()) {
        auto& [k, e] = lru_.back();
        bytes_ -= e->bytes() + k.size();
        index_.erase(k);
        lru_.pop_back();
    }
}

std::size_t ResponseCache::bytes() const {
    std::lock_guard lk(mu_);
    return bytes_;
}
std::size_t ResponseCache::hits() const {
    std::lock_guard lk(mu_);
    return hits_;
}

Handler cached(std::shared_ptr<ResponseCache> cache, Version version, Handler handler) {
    return [cache = std::move(cache), version = std::move(version), handler = std::move(handler)](
               const httplib::Request& req, httplib::Response& res) {
        std::optional<std::string> v;
        if (req.get_header_value("Range").empty()) v = version(req);
        if (!v) return handler(req, res);
        const std::string key = key_of(req);
        bool produce = false;
        if (auto e = cache->find(key, *v, produce)) {
            res.status = e->status;
            res.headers = e->headers;
            res.body = e->body;
            return;
        }
        // Whatever happens below (the handler may throw), requests waiting for this answer go on.
        struct Finish {
            ResponseCache& cache;
            const std::string &key, &version;
            bool produce;
            std::shared_ptr<const ResponseCache::Entry> entry;
            ~Finish() {
                if (produce) cache.finish(key, version, std::move(entry));
            }
        } done{*cache, key, *v, produce, nullptr};
        handler(req, res);
        if (res.status != 200 || res.content_provider_) return;
        compress_body(req, res);
        auto e = std::make_shared<ResponseCache::Entry>();
        e->version = *v;
        e->status = res.status;
        e->headers = res.headers;
        e->body = res.body;
        done.entry = std::move(e);
    };
}

}  // namespace tblog::view::http
