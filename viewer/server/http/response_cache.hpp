// Answers kept as sent, for routes whose answer is a function of a version of the data.
//
// 200 clients polling a chart answer the same (run, tag) question many times between two
// appends by the writer; re-encoding thousands of points as JSON and gzipping them each time
// was most of the server's CPU per request. A route wrapped with cached() names, before its
// handler runs, the version of what it is about to read (e.g. every series' identity, epoch and
// size); a request with the same method, path, parameters, body and gzip acceptance whose
// version still matches is answered with the stored status, header fields and body (already
// gzipped when the client takes gzip: serialize_response sends it as is). Taking the version
// before the handler reads means a stored answer is never older than its version (the data only
// moves on, so a version never comes back with other contents).
//
// When the writer's append changes a series, the next requests for it all miss at once: the
// first produces the answer and the others wait for it (rather than encode the same answer side
// by side on every worker).
//
// Not kept: anything but a 200 with an in-memory body, requests with a Range header (answered
// by the handler as before), and answers larger than an eighth of the cache (handed to the
// requests waiting for them all the same). Entries go least recently used first beyond the byte
// budget.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace tblog::view::http {

class ResponseCache {
public:
    struct Entry {
        std::string version;
        int status = 200;
        httplib::Headers headers;
        std::string body;
        std::size_t bytes() const;
    };

    explicit ResponseCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}

    // The entry for `key` if it was stored under `version`; if another request is producing
    // it, waits for that one. Null: the caller produces the answer, and if `produce` is set it
    // must then call finish() (other requests for it wait until it does).
    std::shared_ptr<const Entry> find(const std::string& key, const std::string& version, bool& produce);
    // Stores `entry` (null: the answer is not to be kept) and hands it to the requests waiting.
    void finish(const std::string& key, const std::string& version, std::shared_ptr<const Entry> entry);
    // The stored entry for `key` under `version`, if any, as used; neither waits nor claims.
    std::shared_ptr<const Entry> peek(const std::string& key, const std::string& version);
    // Stores `entry` under its version.
    void put(const std::string& key, std::shared_ptr<const Entry> entry);

    std::size_t bytes() const;
    std::size_t hits() const;  // answers found stored or waited for

private:
    struct Flight {  // an answer being produced
        bool done = false;
        std::shared_ptr<const Entry> result;
        std::condition_variable cv;
    };
    using Lru = std::list<std::pair<std::string, std::shared_ptr<const Entry>>>;
    void put_locked(const std::string& key, std::shared_ptr<const Entry> entry);
    std::shared_ptr<const Entry> used_locked(const std::string& key, const std::string& version);

    mutable std::mutex mu_;
    std::unordered_map<std::string, std::shared_ptr<Flight>> flights_;  // by key + '\0' + version
    Lru lru_;  // most recently used first
    std::unordered_map<std::string, Lru::iterator> index_;
    std::size_t bytes_ = 0, max_bytes_, hits_ = 0;
};

// The version of the data a request would read; nullopt: do not cache this one (e.g. it names
// a run that does not exist).
using Version = std::function<std::optional<std::string>(const httplib::Request&)>;
using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

// `handler`, answering from `cache` when `version(req)` matches a stored answer.
Handler cached(std::shared_ptr<ResponseCache> cache, Version version, Handler handler);

}  // namespace tblog::view::http
