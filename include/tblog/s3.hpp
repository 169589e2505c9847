// tblog::s3 — logdirs in S3-compatible object storage (Amazon S3, Ceph RGW, MinIO).
//
//   #include <tblog/s3.hpp>          // link tblog::s3 (libcurl + libcrypto)
//   tblog::SummaryWriter w("s3://bucket/prefix/run");
//
// Including this header registers the "s3" storage with the core writer. Configuration as the
// AWS tools and TensorBoard read it (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_REGION / AWS_DEFAULT_REGION, S3_ENDPOINT / AWS_ENDPOINT_URL), or
// WriterOptions::s3. Layout of the objects: docs/format.md, "Logdirs in S3".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "tblog/detail/io/s3_client.hpp"
#include "tblog/detail/io/s3_sink.hpp"
#include "tblog/detail/io/storage.hpp"
#include "tblog/writer.hpp"

namespace tblog::s3 {

// Whole files (embedding files, profiler traces): one PUT each, on the calling thread, retried
// on transient failures for close_timeout_secs.
class S3Storage final : public detail::Storage {
public:
    explicit S3Storage(const S3Options& opt) : opt_(detail::s3::resolve(opt)) {}

    std::unique_ptr<detail::Sink> make_sink() override { return std::make_unique<detail::s3::SegmentSink>(opt_); }

    void put_file(const std::string& path, const std::string& content) override {
        const auto loc = detail::s3::parse_url(path);
        with_retries([&](detail::s3::Client& c) { return c.put_object(loc.bucket, loc.key, content); });
    }

    std::optional<std::string> get_file(const std::string& path) override {
        const auto loc = detail::s3::parse_url(path);
        auto r = with_retries([&](detail::s3::Client& c) { return c.get_object(loc.bucket, loc.key); }, true);
        if (r.status == 404) return std::nullopt;
        return std::move(r.body);
    }

private:
    template <class F>
    detail::s3::Response with_retries(F&& f, bool missing_ok = false) {
        detail::s3::Client c(opt_);
        return detail::s3::with_retries(c, opt_.close_timeout_secs, std::forward<F>(f), missing_ok);
    }

    S3Options opt_;
};

inline std::shared_ptr<detail::Storage> make_storage(const S3Options& opt) { return std::make_shared<S3Storage>(opt); }

// Creates `bucket` (tests, examples, benchmarks; an existing bucket of yours is fine).
inline void create_bucket(const std::string& bucket, const S3Options& opt = {}) {
    detail::s3::Client c(opt);
    const auto r = c.create_bucket(bucket);
    if (!r.ok() && r.error_code() != "BucketAlreadyOwnedByYou" && r.error_code() != "BucketAlreadyExists")
        throw std::system_error(r.to_error_code(), "tblog: " + r.describe());
}

namespace detail_registration {
inline const bool registered = tblog::detail::register_storage("s3", &make_storage);
}

}  // namespace tblog::s3
