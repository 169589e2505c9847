#include "scalar_spill.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <algorithm>
#include <stdexcept>

namespace tblog::view {

namespace {

std::runtime_error io_error(const std::string& what, const std::filesystem::path& dir) {
    return std::runtime_error("tblog-view: scalar cache in " + dir.string() + ": " + what + ": " +
                              std::strerror(errno));
}

}  // namespace

ScalarSpill::ScalarSpill(std::uint64_t budget, std::filesystem::path cache_dir)
    : budget_(budget == 0 ? kUnlimited : budget), dir_(std::move(cache_dir)) {}

ScalarSpill::~ScalarSpill() {
    if (fd_ >= 0) ::close(fd_);
}

std::uint64_t ScalarSpill::allocate(std::size_t bytes) {
    std::lock_guard lk(mu_);
    constexpr int kFailed = -2;  // the file could not be created: not tried again for every chunk
    if (fd_ == kFailed) throw std::runtime_error("tblog-view: no scalar cache file (creating it failed)");
    if (fd_ < 0) {
        std::error_code ec;
        const std::filesystem::path dir = dir_.empty() ? std::filesystem::temp_directory_path(ec) : dir_;
        std::string name = (dir / "tblog-view-scalars-XXXXXX").string();
        fd_ = ::mkstemp(name.data());
        if (fd_ < 0) {
            const std::runtime_error e = io_error("cannot create a cache file", dir);
            fd_ = kFailed;
            throw e;
        }
        ::unlink(name.c_str());  // gone with the process
    }
    in_use_ += bytes;
    auto it = free_.find(bytes);
    if (it != free_.end() && !it->second.empty()) {
        const std::uint64_t off = it->second.back();
        it->second.pop_back();
        return off;
    }
    const std::uint64_t off = end_;
    end_ += bytes;
    return off;
}

void ScalarSpill::release(std::uint64_t offset, std::size_t bytes) {
    std::lock_guard lk(mu_);
    in_use_ -= bytes;
    free_[bytes].push_back(offset);
}

void ScalarSpill::write(std::uint64_t offset, const void* data, std::size_t n) {
    const auto* p = static_cast<const char*>(data);
    while (n) {
        const ssize_t w = ::pwrite(fd_, p, n, static_cast<off_t>(offset));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) throw io_error("write failed", dir_);
        p += w, n -= static_cast<std::size_t>(w), offset += static_cast<std::uint64_t>(w);
    }
}

void ScalarSpill::read(std::uint64_t offset, void* data, std::size_t n) const {
    auto* p = static_cast<char*>(data);
    while (n) {
        const ssize_t r = ::pread(fd_, p, n, static_cast<off_t>(offset));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) throw io_error("read failed", dir_);
        p += r, n -= static_cast<std::size_t>(r), offset += static_cast<std::uint64_t>(r);
    }
}

std::uint64_t ScalarSpill::file_bytes() const {
    std::lock_guard lk(mu_);
    return end_;
}

std::uint64_t ScalarSpill::spilled_bytes() const {
    std::lock_guard lk(mu_);
    return in_use_;
}

namespace {

// The number in a cgroup limit file; nullopt for "max", a missing/unreadable file or v1's
// "no limit" (PAGE_COUNTER_MAX rounded to pages, ~2^63).
std::optional<std::uint64_t> read_limit(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string text;
    if (!(in >> text) || text == "max") return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (errno || end == text.c_str() || *end || v >= (1ull << 62)) return std::nullopt;
    return static_cast<std::uint64_t>(v);
}

// The lowest limit in `file_name` from <base>/<path> up to <base>.
std::optional<std::uint64_t> lowest_on_path(const std::filesystem::path& base, std::string path, const char* file_name) {
    std::optional<std::uint64_t> lowest;
    while (true) {
        const std::filesystem::path rel = std::filesystem::path(path).relative_path();
        const bool escapes = rel.lexically_normal().string().rfind("..", 0) == 0;  // never read above the mount
        if (auto v = escapes ? std::nullopt : read_limit(base / rel / file_name))
            lowest = lowest ? std::min(*lowest, *v) : *v;
        const std::size_t slash = path.find_last_of('/');
        if (path.empty() || slash == std::string::npos) break;
        path.resize(slash);
    }
    return lowest;
}

}  // namespace

std::optional<std::uint64_t> cgroup_memory_limit(const std::filesystem::path& root, const std::string& self_cgroup) {
    std::optional<std::uint64_t> lowest;
    auto take = [&](std::optional<std::uint64_t> v) {
        if (v) lowest = lowest ? std::min(*lowest, *v) : *v;
    };
    std::istringstream lines(self_cgroup);
    for (std::string line; std::getline(lines, line);) {
        const std::size_t a = line.find(':'), b = a == std::string::npos ? a : line.find(':', a + 1);
        if (b == std::string::npos) continue;
        const std::string id = line.substr(0, a), controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
        if (id == "0" && controllers.empty()) {
            // v2, mounted at the root, or at <root>/unified beside v1 controllers (hybrid)
            const bool hybrid = !std::filesystem::exists(root / "cgroup.controllers") &&
                                std::filesystem::exists(root / "unified" / "cgroup.controllers");
            take(lowest_on_path(hybrid ? root / "unified" : root, path, "memory.max"));
            continue;
        }
        std::istringstream names(controllers);  // v1: "memory", or memory among others
        for (std::string name; std::getline(names, name, ',');)
            if (name == "memory") take(lowest_on_path(root / "memory", path, "memory.limit_in_bytes"));
    }
    return lowest;
}

std::uint64_t process_resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    if (!(statm >> size >> resident)) return 0;
    const long page = ::sysconf(_SC_PAGESIZE);
    return resident * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

std::uint64_t default_memory_budget() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    std::uint64_t usable = pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page)
                                                 : ScalarSpill::kUnlimited;
    std::ifstream self("/proc/self/cgroup");
    const std::string text((std::istreambuf_iterator<char>(self)), std::istreambuf_iterator<char>());
    if (auto limit = cgroup_memory_limit("/sys/fs/cgroup", text)) usable = std::min(usable, *limit);
    return usable == ScalarSpill::kUnlimited ? usable : usable / 2;
}

std::uint64_t parse_memory_size(const std::string& flag, const std::string& value) {
    auto bad = [&] {
        return std::invalid_argument("tblog-view: " + flag + " expects a size such as 2G, 512M or 0 (unlimited), got '" +
                                     value + "'");
    };
    if (value == "unlimited") return 0;
    char* end = nullptr;
    const double n = std::strtod(value.c_str(), &end);
    if (value.empty() || end == value.c_str() || !std::isfinite(n) || n < 0) throw bad();
    std::string unit(end);
    if (unit.size() >= 2 && unit.compare(unit.size() - 2, 2, "iB") == 0)
        unit.resize(unit.size() - 2);
    else if (!unit.empty() && (unit.back() == 'B' || unit.back() == 'b') && unit.size() > 1)
        unit.pop_back();
    double scale = 1;
    if (unit.empty() || unit == "B" || unit == "b") {
    } else if (unit.size() == 1) {
        const char* units = "KMGT";
        const char* at = std::strchr(units, std::toupper(static_cast<unsigned char>(unit[0])));
        if (!at || !*at) throw bad();
        for (const char* u = units; u <= at; ++u) scale *= 1024;
    } else {
        throw bad();
    }
    const double bytes = n * scale;
    if (bytes >= 1.8e19) throw bad();
    return static_cast<std::uint64_t>(bytes);
}

}  // namespace tblog::view
