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
// The cache is a VersionedCache (versioned_cache.hpp): when the writer's append changes a
// series, the next requests for it all miss at once; the first produces the answer and the
// others wait for it (rather than encode the same answer side by side on every worker).
//
// Not kept: anything but a 200 with an in-memory body (the requests that waited for it run the
// handler themselves), requests with a Range header (answered by the handler as before), and
// answers larger than an eighth of the cache (handed to the requests waiting for them all the
// same). Entries go least recently used first beyond the byte budget.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "versioned_cache.hpp"

namespace tblog::view::http {

// An answer as the handler left it (body gzipped if the client takes gzip).
struct CachedAnswer {
    int status = 200;
    httplib::Headers headers;
    std::string body;
};

// Keyed by everything of the request the answer may depend on, versioned by what the route's
// Version function names.
class ResponseCache : public VersionedCache<std::string, std::string, CachedAnswer> {
public:
    using Entry = CachedAnswer;
    static constexpr std::uint64_t kDefaultBudget = std::uint64_t{32} << 20;
    explicit ResponseCache(std::uint64_t budget = kDefaultBudget);
};

// The version of the data a request would read; nullopt: do not cache this one (e.g. it names
// a run that does not exist).
using Version = std::function<std::optional<std::string>(const httplib::Request&)>;
using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

// `handler`, answering from `cache` when `version(req)` matches a stored answer.
Handler cached(std::shared_ptr<ResponseCache> cache, Version version, Handler handler);

}  // namespace tblog::view::http
