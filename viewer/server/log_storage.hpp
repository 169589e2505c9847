// Where a logdir's bytes come from: the local filesystem or an object store (s3://bucket/prefix,
// built with TBLOG_WITH_S3). The loader lists runs and reads event files through this, and the
// projector and profile routes open their files through logdir_files.hpp, which reads s3://
// objects through this too, so an s3:// logdir answers exactly as the same logdir on local disk.
//
// S3: runs are found with ListObjectsV2 (prefix + '/' delimiter, every page, the prefixes of one
// level listed in parallel); object sizes come from the listing, new bytes are read with ranged
// GETs from the last offset (segment objects and growing objects alike).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tblog::view {

// True for a URL logdir (s3://...) rather than a local path.
bool is_remote_path(const std::string& path);

// Lists every "directory" under an s3:// root: on_dir(dir URL, path relative to root ("." for
// the root), sorted file names). Also records each object's size for remote_size(). Throws
// std::runtime_error with the URL and S3's error code when the listing fails.
using RemoteDirFn = std::function<void(const std::string&, const std::string&, const std::vector<std::string>&)>;
void remote_walk(const std::string& root, const RemoteDirFn& on_dir);

// The size seen by the last listing; nullopt if the object was not listed (gone).
std::optional<std::uint64_t> remote_size(const std::string& path);

// The object's current size (HEAD), nullopt if it does not exist or the store did not answer.
std::optional<std::uint64_t> remote_stat(const std::string& path);

// Up to n bytes from offset `at` (ranged GET); fewer at the end, 0 on failure.
std::size_t remote_read_at(const std::string& path, char* dst, std::size_t n, std::uint64_t at);

// Writing objects (tblog-view export --out s3://...). Each request is retried on transient
// failures for S3Options::close_timeout_secs; the first permanent failure (403 bad keys, 404 no
// such bucket, ...) throws std::runtime_error with the URL and S3's error code.
struct RemoteObject {
    std::string url;           // s3://bucket/key
    std::string_view bytes;    // must outlive the call
    std::string content_type;  // what a GET (a bucket website) answers with
};
void remote_put_all(const std::vector<RemoteObject>& objects);  // several at a time
// Every object under an s3:// prefix, at any depth (no delimiter), as URLs in key order.
std::vector<std::string> remote_list(const std::string& prefix);
void remote_delete_all(const std::vector<std::string>& urls);

// True if the file exists (remote: was in the latest listing).
bool file_exists(const std::string& path);

}  // namespace tblog::view
