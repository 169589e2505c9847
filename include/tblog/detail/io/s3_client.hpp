// A small S3 client on libcurl: PUT/GET (ranged)/HEAD/DELETE object, ListObjectsV2, create
// bucket; requests signed with SigV4 (sigv4.hpp). One client holds one curl handle (its
// connection is reused) and is used by one thread at a time.
//
// Failures are classified as S3 clients do: connection errors, timeouts, 5xx, 429 and
// RequestTimeout/SlowDown are transient (retry with backoff); everything else (403 bad keys,
// 404 no such bucket, ...) is permanent and reported with the URL and S3's error code.
#pragma once

#include <curl/curl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "tblog/detail/io/sigv4.hpp"
#include "tblog/detail/io/storage.hpp"

namespace tblog::detail::s3 {

inline std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

// Options with the empty fields filled from the environment (AWS tools' and TensorBoard's names).
inline S3Options resolve(S3Options o) {
    if (o.endpoint.empty()) o.endpoint = env("S3_ENDPOINT");
    if (o.endpoint.empty()) o.endpoint = env("AWS_ENDPOINT_URL_S3");
    if (o.endpoint.empty()) o.endpoint = env("AWS_ENDPOINT_URL");
    if (o.region.empty()) o.region = env("AWS_REGION");
    if (o.region.empty()) o.region = env("AWS_DEFAULT_REGION");
    if (o.region.empty()) o.region = "us-east-1";
    if (o.access_key_id.empty()) o.access_key_id = env("AWS_ACCESS_KEY_ID");
    if (o.secret_access_key.empty()) o.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
    if (o.session_token.empty()) o.session_token = env("AWS_SESSION_TOKEN");
    if (!o.endpoint.empty() && o.endpoint.find("://") == std::string::npos) o.endpoint = "https://" + o.endpoint;
    while (!o.endpoint.empty() && o.endpoint.back() == '/') o.endpoint.pop_back();
    if (!o.path_style) o.path_style = !o.endpoint.empty();
    return o;
}

// s3://bucket/key/parts -> {bucket, "key/parts"}.
struct Location {
    std::string bucket;
    std::string key;
};

inline Location parse_url(const std::string& url) {
    if (url.rfind("s3://", 0) != 0) throw std::invalid_argument("tblog: not an s3:// URL: '" + url + "'");
    const std::string rest = url.substr(5);
    const auto slash = rest.find('/');
    Location l{rest.substr(0, slash), slash == std::string::npos ? "" : rest.substr(slash + 1)};
    if (l.bucket.empty()) throw std::invalid_argument("tblog: s3 URL without a bucket: '" + url + "'");
    return l;
}

struct Response {
    long status = 0;                  // HTTP status; 0 when no answer came
    std::string body;
    std::string content_range;
    std::string etag;
    std::uint64_t content_length = 0;  // as the Content-Length header said (HEAD: the object's size)
    CURLcode curl = CURLE_OK;
    std::string curl_error;
    std::string url;
    std::string method;

    bool ok() const { return curl == CURLE_OK && status >= 200 && status < 300; }
    // S3's <Code> from an XML error body ("NoSuchBucket", "InvalidAccessKeyId", ...).
    std::string error_code() const { return xml_text(body, "Code"); }

    static std::string xml_text(const std::string& xml, const std::string& tag, std::size_t from = 0) {
        const auto a = xml.find("<" + tag + ">", from);
        if (a == std::string::npos) return {};
        const auto s = a + tag.size() + 2;
        const auto b = xml.find("</" + tag + ">", s);
        return b == std::string::npos ? std::string() : xml.substr(s, b - s);
    }

    bool transient() const {
        if (curl != CURLE_OK) return true;  // refused, reset, timed out, DNS: the store may come back
        if (status >= 500 || status == 429 || status == 408) return true;
        const auto code = error_code();
        return code == "RequestTimeout" || code == "SlowDown" || code == "RequestTimeTooSkewed";
    }

    std::error_code to_error_code() const {
        if (curl == CURLE_OPERATION_TIMEDOUT) return std::make_error_code(std::errc::timed_out);
        if (curl == CURLE_COULDNT_CONNECT) return std::make_error_code(std::errc::connection_refused);
        if (curl != CURLE_OK) return std::make_error_code(std::errc::io_error);
        if (status == 403) return std::make_error_code(std::errc::permission_denied);
        if (status == 404) return std::make_error_code(std::errc::no_such_file_or_directory);
        if (status >= 500 || status == 429) return std::make_error_code(std::errc::resource_unavailable_try_again);
        return std::make_error_code(std::errc::invalid_argument);
    }

    // "s3 PUT http://127.0.0.1:7500/b/k: HTTP 403 InvalidAccessKeyId (message)".
    std::string describe() const {
        std::string s = "s3 " + method + " " + url + ": ";
        if (curl != CURLE_OK) return s + curl_easy_strerror(curl) + (curl_error.empty() ? "" : " (" + curl_error + ")");
        s += "HTTP " + std::to_string(status);
        const auto code = error_code();
        if (!code.empty()) s += " " + code;
        const auto msg = xml_text(body, "Message");
        if (!msg.empty()) s += " (" + msg + ")";
        return s;
    }
};

struct ListResult {
    struct Object {
        std::string key;
        std::uint64_t size = 0;
    };
    std::vector<Object> objects;
    std::vector<std::string> prefixes;   // CommonPrefixes (with the delimiter)
    std::string next_token;              // empty when the listing is complete
};

// What this process has sent to S3 so far (benchmarks: bytes uploaded per byte logged).
struct Traffic {
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> body_bytes{0};    // request bodies as curl sent them, retries included
    std::atomic<std::uint64_t> header_bytes{0};  // request lines and headers
};
inline Traffic& traffic() {
    static Traffic t;
    return t;
}

inline void curl_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

class Client {
public:
    explicit Client(const S3Options& opt) : opt_(resolve(opt)) {
        curl_init_once();
        curl_ = curl_easy_init();
        if (!curl_) throw std::runtime_error("tblog: curl_easy_init failed");
    }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    ~Client() {
        if (curl_) curl_easy_cleanup(curl_);
    }

    const S3Options& options() const { return opt_; }

    // The URL of an object (path-style for custom endpoints, as RGW and MinIO want).
    std::string url(const std::string& bucket, const std::string& key, std::string* host_out = nullptr,
                    std::string* path_out = nullptr) const {
        std::string base = opt_.endpoint.empty() ? "https://s3." + opt_.region + ".amazonaws.com" : opt_.endpoint;
        std::string path;
        if (*opt_.path_style) {
            path = "/" + bucket + (key.empty() && bucket.empty() ? "" : "/") + sigv4::uri_encode(key, true);
            if (bucket.empty()) path = "/";
        } else {
            const auto p = base.find("://");
            base = base.substr(0, p + 3) + bucket + "." + base.substr(p + 3);
            path = "/" + sigv4::uri_encode(key, true);
        }
        const auto hp = base.find("://") + 3;
        if (host_out) *host_out = base.substr(hp);
        if (path_out) *path_out = path;
        return base + path;
    }

    Response request(const std::string& method, const std::string& bucket, const std::string& key,
                     std::vector<std::pair<std::string, std::string>> query = {}, std::string_view body = {},
                     std::vector<std::pair<std::string, std::string>> extra_headers = {}) {
        std::string host, path;
        const std::string base_url = url(bucket, key, &host, &path);
        sigv4::Request sr;
        sr.method = method;
        sr.path = path;
        sr.query = query;
        sr.payload_hash = sigv4::sha256_hex(body);
        sr.headers = {{"host", host},
                      {"x-amz-date", sigv4::amz_date(std::time(nullptr))},
                      {"x-amz-content-sha256", sr.payload_hash}};
        if (!opt_.session_token.empty()) sr.headers.push_back({"x-amz-security-token", opt_.session_token});
        for (auto& h : extra_headers) sr.headers.push_back(h);
        const std::string q = sigv4::canonical_query(sr);
        const std::string full = base_url + (q.empty() ? "" : "?" + q);

        curl_slist* hl = nullptr;
        for (const auto& [k, v] : sr.headers)
            if (k != "host") hl = curl_slist_append(hl, (k + ": " + v).c_str());
        if (!opt_.access_key_id.empty())
            hl = curl_slist_append(hl, ("Authorization: " + sigv4::authorization(sr, creds())).c_str());
        hl = curl_slist_append(hl, "Expect:");  // no 100-continue round trip
        if (method == "PUT" && !has_header(sr.headers, "content-type"))
            hl = curl_slist_append(hl, "Content-Type: application/octet-stream");

        Response r;
        r.url = base_url;
        r.method = method;
        char err[CURL_ERROR_SIZE] = {0};
        curl_easy_reset(curl_);
        curl_easy_setopt(curl_, CURLOPT_URL, full.c_str());
        curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, err);
        curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opt_.connect_timeout_secs * 1000));
        curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(opt_.request_timeout_secs * 1000));
        curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, opt_.verify_tls ? 1L : 0L);
        curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, opt_.verify_tls ? 2L : 0L);
        curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Client::on_body);
        curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &r.body);
        curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &Client::on_header);
        curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &r);
        if (method == "PUT") {
            curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, "PUT");
            curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
            curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        } else if (method == "HEAD") {
            curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
        } else if (method != "GET") {
            curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
        }
        r.curl = curl_easy_perform(curl_);
        curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &r.status);
        curl_off_t sent = 0;
        long header_sent = 0;
        curl_easy_getinfo(curl_, CURLINFO_SIZE_UPLOAD_T, &sent);
        curl_easy_getinfo(curl_, CURLINFO_REQUEST_SIZE, &header_sent);
        traffic().requests += 1;
        traffic().body_bytes += static_cast<std::uint64_t>(sent);
        traffic().header_bytes += static_cast<std::uint64_t>(header_sent);
        if (r.curl != CURLE_OK) r.curl_error = err;
        curl_slist_free_all(hl);
        return r;
    }

    // `content_type` is what a GET (or a bucket website) answers with; event files keep the default.
    Response put_object(const std::string& bucket, const std::string& key, std::string_view body,
                        const std::string& content_type = {}) {
        if (content_type.empty()) return request("PUT", bucket, key, {}, body);
        return request("PUT", bucket, key, {}, body, {{"content-type", content_type}});
    }
    // Bytes [offset, end) of an object (206), or all of it from 0 (200).
    Response get_object(const std::string& bucket, const std::string& key, std::uint64_t offset = 0) {
        if (offset == 0) return request("GET", bucket, key);
        return request("GET", bucket, key, {}, {}, {{"range", "bytes=" + std::to_string(offset) + "-"}});
    }
    Response create_bucket(const std::string& bucket) { return request("PUT", bucket, ""); }
    Response delete_object(const std::string& bucket, const std::string& key) {
        return request("DELETE", bucket, key);
    }

    // One page of ListObjectsV2. Throws nothing; check the response.
    Response list_page(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                       const std::string& token, ListResult& out, int max_keys = 1000) {
        std::vector<std::pair<std::string, std::string>> q = {{"list-type", "2"},
                                                              {"max-keys", std::to_string(max_keys)}};
        if (!prefix.empty()) q.push_back({"prefix", prefix});
        if (!delimiter.empty()) q.push_back({"delimiter", delimiter});
        if (!token.empty()) q.push_back({"continuation-token", token});
        auto r = request("GET", bucket, "", q);
        if (!r.ok()) return r;
        const std::string& x = r.body;
        for (std::size_t at = x.find("<Contents>"); at != std::string::npos; at = x.find("<Contents>", at + 1)) {
            const auto end = x.find("</Contents>", at);
            const std::string c = x.substr(at, end - at);
            ListResult::Object o;
            o.key = xml_unescape(Response::xml_text(c, "Key"));
            o.size = std::strtoull(Response::xml_text(c, "Size").c_str(), nullptr, 10);
            out.objects.push_back(std::move(o));
        }
        for (std::size_t at = x.find("<CommonPrefixes>"); at != std::string::npos;
             at = x.find("<CommonPrefixes>", at + 1))
            out.prefixes.push_back(xml_unescape(Response::xml_text(x, "Prefix", at)));
        out.next_token = Response::xml_text(x, "IsTruncated") == "true"
                             ? xml_unescape(Response::xml_text(x, "NextContinuationToken"))
                             : std::string();
        return r;
    }

    // Every page. Returns the failed response, or the last page's on success.
    Response list_all(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                      ListResult& out) {
        std::string token;
        Response r;
        do {
            ListResult page;
            r = list_page(bucket, prefix, delimiter, token, page);
            if (!r.ok()) return r;
            out.objects.insert(out.objects.end(), page.objects.begin(), page.objects.end());
            out.prefixes.insert(out.prefixes.end(), page.prefixes.begin(), page.prefixes.end());
            token = page.next_token;
        } while (!token.empty());
        return r;
    }

    static std::string xml_unescape(const std::string& s) {
        std::string o;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] != '&') {
                o.push_back(s[i]);
                continue;
            }
            const auto semi = s.find(';', i);
            const std::string ent = s.substr(i + 1, semi - i - 1);
            if (ent == "amp") o += '&';
            else if (ent == "lt") o += '<';
            else if (ent == "gt") o += '>';
            else if (ent == "quot") o += '"';
            else if (ent == "apos") o += '\'';
            else if (!ent.empty() && ent[0] == '#')
                o += static_cast<char>(std::strtol(ent.c_str() + (ent[1] == 'x' ? 2 : 1), nullptr, ent[1] == 'x' ? 16 : 10));
            else o += "&" + ent + ";";
            i = semi;
        }
        return o;
    }

private:
    static bool has_header(const std::vector<std::pair<std::string, std::string>>& headers, const char* name) {
        for (const auto& h : headers)
            if (h.first == name) return true;
        return false;
    }

    sigv4::Credentials creds() const { return {opt_.access_key_id, opt_.secret_access_key, opt_.region, "s3"}; }

    static size_t on_body(char* p, size_t size, size_t n, void* ud) {
        static_cast<std::string*>(ud)->append(p, size * n);
        return size * n;
    }
    static size_t on_header(char* p, size_t size, size_t n, void* ud) {
        auto* r = static_cast<Response*>(ud);
        std::string_view line(p, size * n);
        const auto colon = line.find(':');
        if (colon != std::string_view::npos) {
            std::string name(line.substr(0, colon));
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            std::string value(line.substr(colon + 1));
            while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
            while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
            if (name == "content-range") r->content_range = value;
            if (name == "etag") r->etag = value;
            if (name == "content-length") r->content_length = std::strtoull(value.c_str(), nullptr, 10);
        }
        return size * n;
    }

    S3Options opt_;
    CURL* curl_ = nullptr;
};

// Exponential backoff with jitter: attempt 0 waits ~base, then doubling up to `cap`, each
// wait drawn uniformly from [d/2, d] so that many writers do not retry in step.
inline std::chrono::milliseconds backoff(int attempt, std::chrono::milliseconds base = std::chrono::milliseconds(100),
                                         std::chrono::milliseconds cap = std::chrono::milliseconds(5000)) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    long long d = base.count() << std::min(attempt, 16);
    if (d > cap.count()) d = cap.count();
    std::uniform_int_distribution<long long> u(d / 2, d);
    return std::chrono::milliseconds(u(rng));
}

// Runs f(client) until it succeeds, fails permanently, or `timeout_secs` have passed, waiting
// backoff() between transient failures; a 404 NoSuchKey counts as an answer if `missing_ok`.
// Throws std::system_error with the URL and S3's error code.
template <class F>
Response with_retries(Client& c, double timeout_secs, F&& f, bool missing_ok = false) {
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(timeout_secs));
    for (int attempt = 0;; ++attempt) {
        auto r = f(c);
        if (r.ok() || (missing_ok && r.status == 404 && r.error_code() == "NoSuchKey")) return r;
        if (!r.transient() || std::chrono::steady_clock::now() > deadline)
            throw std::system_error(r.to_error_code(), "tblog: " + r.describe());
        std::this_thread::sleep_for(backoff(attempt));
    }
}

}  // namespace tblog::detail::s3
