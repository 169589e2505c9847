// The one gate for every file a route opens (profile traces, projector configs and assets,
// anything a plugin serves from disk): the file's real path (symlinks resolved, as opened)
// must lie inside a logdir's real path, and it must be a regular file. A symlink leading
// outside the logdir is refused even where the loader followed it to find runs: what the
// viewer serves byte for byte never comes from outside the directories it was given.
//
// The check is made on the opened descriptor (/proc/self/fd), so a path swapped for a
// symlink between a check and the open cannot slip through.
//
// An s3:// logdir (log_storage.hpp) has no symlinks: an object is inside when its URL lies
// under the logdir's URL with no "." or ".." component; its size comes from a HEAD request
// and its bytes from ranged GETs, a piece at a time like a local file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "options.hpp"

namespace httplib {
struct Response;
}

namespace tblog::view {

// An open, checked file.
class LogdirFile {
public:
    ~LogdirFile();
    LogdirFile(const LogdirFile&) = delete;
    LogdirFile& operator=(const LogdirFile&) = delete;

    std::uint64_t size() const { return size_; }
    // Reads [offset, offset + n) (less at the end of the file).
    std::string read(std::uint64_t offset, std::size_t n) const;
    std::string read_all() const { return read(0, static_cast<std::size_t>(size_)); }

private:
    friend struct LogdirFileOpener;
    LogdirFile(int fd, std::string url, std::uint64_t size) : fd_(fd), url_(std::move(url)), size_(size) {}
    int fd_;           // a local file; -1 for an object
    std::string url_;  // an object (s3://...); empty for a local file
    std::uint64_t size_;
};

struct FileRefusal {
    int status = 404;    // 404: missing or not a regular file; 403: outside the logdir
    std::string reason;  // for the answer
};

// Opens `path` if it is a regular file inside one of `options.logdirs`; else null and `why`.
std::shared_ptr<LogdirFile> open_logdir_file(const Options& options, const std::filesystem::path& path,
                                             FileRefusal* why = nullptr);

// The whole file, or nullopt (and `why`).
std::optional<std::string> read_logdir_file(const Options& options, const std::filesystem::path& path,
                                            FileRefusal* why = nullptr);

// Whether `path` resolves inside one of the logdirs (for a file not opened, e.g. listed).
bool inside_logdir(const Options& options, const std::filesystem::path& path);

// Answers with the file's bytes, streamed from disk a piece at a time (large files are never
// held in memory whole).
void stream_logdir_file(httplib::Response& res, std::shared_ptr<LogdirFile> file, const std::string& content_type);

}  // namespace tblog::view
