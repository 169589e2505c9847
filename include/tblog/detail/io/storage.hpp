// Where a writer's bytes go: a Sink per event file (local file or an object store's segment
// objects) and, for whole files (embedding files, profiler traces), a Storage.
//
// The core knows only local files. Object stores (s3://) are optional parts with their own
// dependencies: their header registers a StorageFactory for its URL scheme here, so
// SummaryWriter("s3://...") works once <tblog/s3.hpp> is included and tblog::s3 linked.
#pragma once

#include <cctype>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

namespace tblog {

// Settings of the S3 storage (tblog::s3). Empty fields are taken from the environment as the
// AWS tools and TensorBoard read it: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_REGION / AWS_DEFAULT_REGION, S3_ENDPOINT / AWS_ENDPOINT_URL.
struct S3Options {
    std::string endpoint;           // e.g. http://127.0.0.1:7480; empty: https://s3.<region>.amazonaws.com
    std::string region;             // default us-east-1
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;
    bool verify_tls = true;         // certificate and host checks for https
    std::optional<bool> path_style; // default: path-style for custom endpoints, virtual-host for AWS
    std::size_t segment_bytes = 8u << 20;      // a segment object is cut at this size at the latest
    std::size_t spool_memory_bytes = 64u << 20; // not-yet-stored bytes kept in memory; more go to disk
    std::string spool_dir;          // where the disk spool lives; empty: $TMPDIR or /tmp
    double connect_timeout_secs = 3;
    double request_timeout_secs = 15;  // a request that takes longer counts as a transient failure
    double flush_timeout_secs = 10;    // flush() retries this long, then leaves the rest spooled
    double close_timeout_secs = 30;    // close() retries this long, then reports what stays spooled
};

}  // namespace tblog

namespace tblog::detail {

// One event file being written. The writer thread appends finished records to buffer() and
// calls write_out() now and then; on failure the bytes must stay pending for a retry.
class Sink {
public:
    virtual ~Sink() = default;
    virtual std::error_code open(const std::string& path) = 0;
    // Hands the buffered bytes on (to the OS, or as one segment object).
    virtual std::error_code write_out() = 0;
    // The same, at an explicit flush(): a remote store may wait a bounded time for a retry.
    virtual std::error_code flush() { return write_out(); }
    // Stores everything and releases the file.
    virtual std::error_code close() = 0;
    // True while some accepted bytes are not yet stored.
    virtual bool has_pending() const { return !pending_.empty(); }
    // write_out() is called once this many bytes are buffered.
    virtual std::size_t write_chunk() const { return 1u << 20; }
    // The message of a std::system_error for `ec`, returned by write_out() or close().
    virtual std::string describe(std::error_code ec) const {
        return "tblog: cannot write '" + path_ + "': " + ec.message();
    }

    const std::string& path() const { return path_; }
    std::string& buffer() { return pending_; }
    std::size_t buffered() const { return pending_.size(); }

protected:
    std::string path_;
    std::string pending_;
};

// One storage scheme (s3://...): event-file sinks and whole files.
class Storage {
public:
    virtual ~Storage() = default;
    virtual std::unique_ptr<Sink> make_sink() = 0;
    // Stores `content` at `path` (a URL of this scheme), replacing what was there.
    virtual void put_file(const std::string& path, const std::string& content) = 0;
    // The content at `path`, or nullopt if there is none.
    virtual std::optional<std::string> get_file(const std::string& path) = 0;
};

using StorageFactory = std::shared_ptr<Storage> (*)(const S3Options&);

struct StorageRegistry {
    std::mutex mu;
    std::map<std::string, StorageFactory> schemes;  // "s3" -> factory
};

inline StorageRegistry& storage_registry() {
    static StorageRegistry r;
    return r;
}

inline bool register_storage(const std::string& scheme, StorageFactory f) {
    auto& r = storage_registry();
    std::lock_guard<std::mutex> lk(r.mu);
    r.schemes[scheme] = f;
    return true;
}

// "s3" for "s3://bucket/x", empty for a local path.
inline std::string url_scheme(const std::string& path) {
    const auto p = path.find("://");
    if (p == std::string::npos || p == 0) return {};
    for (std::size_t i = 0; i < p; ++i)
        if (!std::isalnum(static_cast<unsigned char>(path[i]))) return {};
    return path.substr(0, p);
}

// The Storage for a URL logdir, nullptr for a local path. Throws std::invalid_argument for a
// scheme no linked component provides.
inline std::shared_ptr<Storage> storage_for(const std::string& path, const S3Options& opt) {
    const auto scheme = url_scheme(path);
    if (scheme.empty()) return nullptr;
    auto& r = storage_registry();
    StorageFactory f = nullptr;
    {
        std::lock_guard<std::mutex> lk(r.mu);
        auto it = r.schemes.find(scheme);
        if (it != r.schemes.end()) f = it->second;
    }
    if (!f)
        throw std::invalid_argument("tblog: log_dir '" + path + "': no storage for '" + scheme +
                                    "://' is linked (for s3:// include <tblog/s3.hpp> and link tblog::s3)");
    return f(opt);
}

}  // namespace tblog::detail
