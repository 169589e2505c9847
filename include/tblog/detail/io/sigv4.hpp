// AWS Signature Version 4 for S3 requests (header-based). OpenSSL's libcrypto does the hashing
// (SHA-256, HMAC); this file builds the canonical request, the string to sign and the
// Authorization header exactly as AWS documents them. S3 signs the path as sent (no
// normalization of "." or "//"), every other byte of it URI-encoded except '/'.
//
// Tested against AWS's published test vectors (tests/test_sigv4.cpp).
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tblog::detail::sigv4 {

inline std::string hex(const unsigned char* p, std::size_t n) {
    static const char* d = "0123456789abcdef";
    std::string s(2 * n, '0');
    for (std::size_t i = 0; i < n; ++i) {
        s[2 * i] = d[p[i] >> 4];
        s[2 * i + 1] = d[p[i] & 15];
    }
    return s;
}

inline std::string sha256_hex(std::string_view data) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
    return hex(md, sizeof(md));
}

inline std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), md, &len);
    return std::string(reinterpret_cast<const char*>(md), len);
}

// RFC 3986 percent-encoding of everything but the unreserved characters (and '/' when
// `keep_slash`), uppercase hex, as SigV4 requires.
inline std::string uri_encode(std::string_view s, bool keep_slash) {
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
            out.push_back(static_cast<char>(c));
        } else {
            char b[4];
            std::snprintf(b, sizeof(b), "%%%02X", c);
            out += b;
        }
    }
    return out;
}

// "20150830T123600Z" for a UTC time.
inline std::string amz_date(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char b[32];
    std::strftime(b, sizeof(b), "%Y%m%dT%H%M%SZ", &tm);
    return b;
}

struct Request {
    std::string method;                                     // GET, PUT, ...
    std::string path;                                       // already URI-encoded, e.g. /bucket/a%20b
    std::vector<std::pair<std::string, std::string>> query; // raw (not encoded) name/value pairs
    std::vector<std::pair<std::string, std::string>> headers;  // as sent; host and x-amz-date included
    std::string payload_hash;                               // hex SHA-256 of the body, or UNSIGNED-PAYLOAD
};

struct Credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string region;
    std::string service = "s3";
};

// Lower-case name -> value trimmed, inner runs of spaces collapsed, repeated headers joined by ','.
inline std::map<std::string, std::string> canonical_headers(const Request& r) {
    std::map<std::string, std::string> h;
    for (const auto& [name, value] : r.headers) {
        std::string n;
        for (char c : name) n.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        std::string v;
        bool space = false;
        for (char c : value) {
            if (c == ' ' || c == '\t') {
                space = !v.empty();
                continue;
            }
            if (space) v.push_back(' ');
            space = false;
            v.push_back(c);
        }
        auto it = h.find(n);
        if (it == h.end())
            h.emplace(n, v);
        else
            it->second += "," + v;
    }
    return h;
}

inline std::string canonical_query(const Request& r) {
    std::vector<std::pair<std::string, std::string>> q;
    for (const auto& [k, v] : r.query) q.emplace_back(uri_encode(k, false), uri_encode(v, false));
    std::sort(q.begin(), q.end());
    std::string s;
    for (const auto& [k, v] : q) {
        if (!s.empty()) s += '&';
        s += k + "=" + v;
    }
    return s;
}

inline std::string signed_headers(const Request& r) {
    std::string s;
    for (const auto& [k, v] : canonical_headers(r)) s += (s.empty() ? "" : ";") + k;
    return s;
}

inline std::string canonical_request(const Request& r) {
    std::string s = r.method + "\n" + r.path + "\n" + canonical_query(r) + "\n";
    for (const auto& [k, v] : canonical_headers(r)) s += k + ":" + v + "\n";
    s += "\n" + signed_headers(r) + "\n" + r.payload_hash;
    return s;
}

inline std::string header_value(const Request& r, std::string_view lower_name) {
    const auto h = canonical_headers(r);
    auto it = h.find(std::string(lower_name));
    return it == h.end() ? std::string() : it->second;
}

inline std::string scope(const std::string& date8, const Credentials& c) {
    return date8 + "/" + c.region + "/" + c.service + "/aws4_request";
}

inline std::string string_to_sign(const Request& r, const Credentials& c) {
    const std::string when = header_value(r, "x-amz-date");
    return "AWS4-HMAC-SHA256\n" + when + "\n" + scope(when.substr(0, 8), c) + "\n" +
           sha256_hex(canonical_request(r));
}

inline std::string signature(const Request& r, const Credentials& c) {
    const std::string when = header_value(r, "x-amz-date");
    std::string k = hmac_sha256("AWS4" + c.secret_access_key, when.substr(0, 8));
    k = hmac_sha256(k, c.region);
    k = hmac_sha256(k, c.service);
    k = hmac_sha256(k, "aws4_request");
    const std::string sig = hmac_sha256(k, string_to_sign(r, c));
    return hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
}

// The Authorization header's value.
inline std::string authorization(const Request& r, const Credentials& c) {
    const std::string when = header_value(r, "x-amz-date");
    return "AWS4-HMAC-SHA256 Credential=" + c.access_key_id + "/" + scope(when.substr(0, 8), c) +
           ", SignedHeaders=" + signed_headers(r) + ", Signature=" + signature(r, c);
}

}  // namespace tblog::detail::sigv4
