#include "log_storage.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#if TBLOG_WITH_S3
#include "tblog/detail/io/s3_client.hpp"
#endif

namespace tblog::view {

bool is_remote_path(const std::string& path) { return path.rfind("s3://", 0) == 0; }

bool file_exists(const std::string& path) {
    if (is_remote_path(path)) return remote_size(path).has_value();
    std::error_code ec;
    return std::filesystem::exists(path, ec);
}

#if TBLOG_WITH_S3

namespace {

namespace s3 = tblog::detail::s3;

// Object sizes from the latest listings, by URL.
struct SizeTable {
    std::mutex mu;
    std::map<std::string, std::uint64_t> sizes;
};
SizeTable& size_table() {
    static SizeTable t;
    return t;
}

// One client (one connection) per thread that talks to S3.
s3::Client& thread_client() {
    thread_local std::unique_ptr<s3::Client> c;
    if (!c) c = std::make_unique<s3::Client>(tblog::S3Options{});
    return *c;
}

constexpr int kListThreads = 8;

// fn(0) .. fn(n-1), on up to kListThreads threads (this one included), each with its client.
template <class F>
void parallel_each(std::size_t n, F&& fn) {
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < n;) fn(i);
    };
    std::vector<std::thread> pool;
    for (std::size_t i = 1; i < std::min<std::size_t>(kListThreads, n); ++i) pool.emplace_back(work);
    work();
    for (auto& t : pool) t.join();
}

// One request per item, retried; the first failure's message is thrown once all have ended.
template <class F>
void each_retried(std::size_t n, F&& request) {
    std::mutex mu;
    std::string error;
    const double timeout = tblog::S3Options{}.close_timeout_secs;
    parallel_each(n, [&](std::size_t i) {
        {
            std::lock_guard lk(mu);
            if (!error.empty()) return;  // stop early: one failure fails the whole upload
        }
        try {
            s3::with_retries(thread_client(), timeout, [&](s3::Client& c) { return request(c, i); });
        } catch (const std::exception& e) {
            std::lock_guard lk(mu);
            if (error.empty()) error = e.what();
        }
    });
    if (!error.empty()) throw std::runtime_error(error);
}

}  // namespace

void remote_walk(const std::string& root, const RemoteDirFn& on_dir) {
    const auto loc = s3::parse_url(root);
    std::string base = loc.key;
    if (!base.empty() && base.back() != '/') base += '/';
    const std::string url_base = "s3://" + loc.bucket + "/";
    struct Level {
        std::string prefix;
        std::vector<std::string> files;
        std::vector<std::string> subs;
        std::vector<std::pair<std::string, std::uint64_t>> sizes;
        std::string error;
    };
    std::map<std::string, std::vector<std::string>> dirs;  // prefix -> files, in key order
    std::map<std::string, std::uint64_t> sizes;
    std::vector<std::string> frontier = {base};
    while (!frontier.empty()) {
        std::vector<Level> levels(frontier.size());
        for (std::size_t i = 0; i < frontier.size(); ++i) levels[i].prefix = frontier[i];
        parallel_each(levels.size(), [&](std::size_t i) {
            Level& l = levels[i];
            s3::ListResult r;
            auto resp = thread_client().list_all(loc.bucket, l.prefix, "/", r);
            if (!resp.ok()) {
                l.error = resp.describe();
                return;
            }
            for (auto& o : r.objects) {
                l.files.push_back(o.key.substr(l.prefix.size()));
                l.sizes.emplace_back(url_base + o.key, o.size);
            }
            l.subs = std::move(r.prefixes);
        });
        frontier.clear();
        for (auto& l : levels) {
            if (!l.error.empty()) throw std::runtime_error("tblog-view: " + l.error);
            dirs[l.prefix] = std::move(l.files);
            for (auto& s : l.sizes) sizes.insert(std::move(s));
            for (auto& s : l.subs) frontier.push_back(std::move(s));
        }
    }
    {
        auto& t = size_table();
        std::lock_guard lk(t.mu);
        const std::string root_url = url_base + base;
        for (auto it = t.sizes.lower_bound(root_url); it != t.sizes.end() && it->first.rfind(root_url, 0) == 0;)
            it = t.sizes.erase(it);  // forget what vanished under this root
        for (auto& s : sizes) t.sizes[s.first] = s.second;
    }
    for (auto& [prefix, files] : dirs) {
        std::string rel = prefix.substr(base.size());
        if (!rel.empty() && rel.back() == '/') rel.pop_back();
        std::string dir = url_base + prefix;
        if (!dir.empty() && dir.back() == '/') dir.pop_back();
        std::sort(files.begin(), files.end());
        on_dir(dir, rel.empty() ? "." : rel, files);
    }
}

std::optional<std::uint64_t> remote_size(const std::string& path) {
    auto& t = size_table();
    std::lock_guard lk(t.mu);
    auto it = t.sizes.find(path);
    if (it == t.sizes.end()) return std::nullopt;
    return it->second;
}

std::optional<std::uint64_t> remote_stat(const std::string& path) {
    const auto loc = s3::parse_url(path);
    auto r = thread_client().request("HEAD", loc.bucket, loc.key);
    if (!r.ok()) return std::nullopt;
    return r.content_length;
}

std::size_t remote_read_at(const std::string& path, char* dst, std::size_t n, std::uint64_t at) {
    if (n == 0) return 0;
    const auto loc = s3::parse_url(path);
    auto r = thread_client().request("GET", loc.bucket, loc.key, {}, {},
                                     {{"range", "bytes=" + std::to_string(at) + "-" + std::to_string(at + n - 1)}});
    if (!r.ok()) return 0;
    // 206 holds the range; a store that ignores Range answers 200 with the whole object.
    const std::size_t skip = r.status == 206 ? 0 : static_cast<std::size_t>(std::min<std::uint64_t>(at, r.body.size()));
    const std::size_t got = std::min(n, r.body.size() - skip);
    std::copy(r.body.data() + skip, r.body.data() + skip + got, dst);
    return got;
}

void remote_put_all(const std::vector<RemoteObject>& objects) {
    each_retried(objects.size(), [&](s3::Client& c, std::size_t i) {
        const auto loc = s3::parse_url(objects[i].url);
        return c.put_object(loc.bucket, loc.key, objects[i].bytes, objects[i].content_type);
    });
}

std::vector<std::string> remote_list(const std::string& prefix) {
    const auto loc = s3::parse_url(prefix);
    s3::ListResult r;
    const auto resp = thread_client().list_all(loc.bucket, loc.key, "", r);
    if (!resp.ok()) throw std::runtime_error("tblog: " + resp.describe());
    std::vector<std::string> urls;
    for (const auto& o : r.objects) urls.push_back("s3://" + loc.bucket + "/" + o.key);
    return urls;
}

void remote_delete_all(const std::vector<std::string>& urls) {
    each_retried(urls.size(), [&](s3::Client& c, std::size_t i) {
        const auto loc = s3::parse_url(urls[i]);
        return c.delete_object(loc.bucket, loc.key);
    });
}

#else  // built without TBLOG_WITH_S3

namespace {
[[noreturn]] void without_s3(const std::string& url) {
    throw std::runtime_error("tblog-view: '" + url + "': this tblog-view was built without S3 support (TBLOG_WITH_S3=ON)");
}
}  // namespace

void remote_walk(const std::string& root, const RemoteDirFn&) { without_s3(root); }
void remote_put_all(const std::vector<RemoteObject>& objects) {
    if (!objects.empty()) without_s3(objects.front().url);
}
std::vector<std::string> remote_list(const std::string& prefix) { without_s3(prefix); }
void remote_delete_all(const std::vector<std::string>& urls) {
    if (!urls.empty()) without_s3(urls.front());
}
std::optional<std::uint64_t> remote_size(const std::string&) { return std::nullopt; }
std::optional<std::uint64_t> remote_stat(const std::string&) { return std::nullopt; }
std::size_t remote_read_at(const std::string&, char*, std::size_t, std::uint64_t) { return 0; }

#endif

}  // namespace tblog::view
