#include "logdir_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <httplib.h>

#include <climits>
#include <cstdlib>

#include "log_storage.hpp"

namespace tblog::view {

namespace fs = std::filesystem;

namespace {

// The real path of an existing directory or file, "" if it cannot be resolved.
std::string real_path(const fs::path& p) {
    char buf[PATH_MAX];
    return ::realpath(p.c_str(), buf) ? std::string(buf) : std::string();
}

bool under(const std::string& path, const std::string& root) {
    if (root.empty() || path.size() < root.size() || path.compare(0, root.size(), root) != 0) return false;
    return path.size() == root.size() || root == "/" || path[root.size()] == '/';
}

bool inside_any(const Options& options, const std::string& real) {
    for (const auto& l : options.logdirs)
        if (!is_remote_path(l.dir.string()) && under(real, real_path(l.dir))) return true;
    return false;
}

// An object URL under an s3:// logdir, no component of the key below it "", "." or "..".
bool inside_any_remote(const Options& options, const std::string& url) {
    for (const auto& l : options.logdirs) {
        std::string root = l.dir.string();
        while (!root.empty() && root.back() == '/') root.pop_back();
        if (!is_remote_path(root) || url.size() <= root.size() + 1 || url.compare(0, root.size(), root) != 0 ||
            url[root.size()] != '/')
            continue;
        bool clean = true;
        for (const auto& part : fs::path(url.substr(root.size() + 1)))
            if (part.empty() || part == "." || part == "..") clean = false;
        if (clean && url.back() != '/') return true;
    }
    return false;
}

}  // namespace

struct LogdirFileOpener {
    static std::shared_ptr<LogdirFile> make(int fd, std::string url, std::uint64_t size) {
        return std::shared_ptr<LogdirFile>(new LogdirFile(fd, std::move(url), size));
    }
};

LogdirFile::~LogdirFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::string LogdirFile::read(std::uint64_t offset, std::size_t n) const {
    std::string out;
    if (offset >= size_) return out;
    n = static_cast<std::size_t>(std::min<std::uint64_t>(n, size_ - offset));
    out.resize(n);
    std::size_t got = 0;
    while (got < n) {
        const std::size_t r =
            fd_ >= 0 ? static_cast<std::size_t>(std::max<ssize_t>(
                           0, ::pread(fd_, out.data() + got, n - got, static_cast<off_t>(offset + got))))
                     : remote_read_at(url_, out.data() + got, n - got, offset + got);
        if (r == 0) break;
        got += r;
    }
    out.resize(got);
    return out;
}

std::shared_ptr<LogdirFile> open_logdir_file(const Options& options, const fs::path& path, FileRefusal* why) {
    auto refuse = [&](int status, std::string reason) -> std::shared_ptr<LogdirFile> {
        if (why) *why = {status, std::move(reason)};
        return nullptr;
    };
    if (is_remote_path(path.string())) {
        if (!inside_any_remote(options, path.string())) return refuse(403, "refused: the object lies outside the logdir");
        const auto size = remote_stat(path.string());
        if (!size) return refuse(404, "file not found");
        return LogdirFileOpener::make(-1, path.string(), *size);
    }
    // O_NONBLOCK: opening a FIFO planted in the logdir must not hang the handler.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) return refuse(404, "file not found");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return refuse(404, "not a regular file");
    }
    const std::string real = real_path("/proc/self/fd/" + std::to_string(fd));
    if (real.empty() || !inside_any(options, real)) {
        ::close(fd);
        return refuse(403, "refused: the file resolves outside the logdir (a symlink?)");
    }
    return LogdirFileOpener::make(fd, {}, static_cast<std::uint64_t>(st.st_size));
}

std::optional<std::string> read_logdir_file(const Options& options, const fs::path& path, FileRefusal* why) {
    auto f = open_logdir_file(options, path, why);
    if (!f) return std::nullopt;
    return f->read_all();
}

bool inside_logdir(const Options& options, const fs::path& path) {
    if (is_remote_path(path.string())) return inside_any_remote(options, path.string()) && remote_stat(path.string());
    const std::string real = real_path(path);
    return !real.empty() && inside_any(options, real);
}

void stream_logdir_file(httplib::Response& res, std::shared_ptr<LogdirFile> file, const std::string& content_type) {
    const auto size = static_cast<std::size_t>(file->size());
    if (size == 0) return res.set_content("", content_type);
    res.set_content_provider(size, content_type, [file](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        const std::string piece = file->read(offset, length);
        return !piece.empty() && sink.write(piece.data(), piece.size());
    });
}

}  // namespace tblog::view
