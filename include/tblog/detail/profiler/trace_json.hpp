// Writing the Chrome Trace Event JSON: string escaping that always yields valid UTF-8 JSON,
// number formatting, and a gzip file sink (zlib) the JSON streams into, so a large trace is
// never held twice in memory.
#pragma once

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <zlib.h>

namespace tblog::detail::trace {

// Appends `s` as a JSON string literal. Bytes that are not valid UTF-8 become U+FFFD, so a
// name built from arbitrary bytes never makes the whole file unreadable.
inline void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const std::size_t n = s.size();
    for (std::size_t i = 0; i < n;) {
        const unsigned char c = p[i];
        if (c < 0x80) {
            switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\n': out += "\\n"; break;
                case '\t': out += "\\t"; break;
                case '\r': out += "\\r"; break;
                default:
                    if (c < 0x20) {
                        char buf[8];
                        std::snprintf(buf, sizeof buf, "\\u%04x", c);
                        out += buf;
                    } else {
                        out += static_cast<char>(c);
                    }
            }
            ++i;
            continue;
        }
        // Length and lowest code point of a well-formed sequence starting with c.
        std::size_t len = 0;
        std::uint32_t cp = 0, min = 0;
        if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07, min = 0x10000;
        bool ok = len != 0 && i + len <= n;
        for (std::size_t k = 1; ok && k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) ok = false;
            else cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        if (ok) {
            out.append(s.data() + i, len);
            i += len;
        } else {
            out += "\xEF\xBF\xBD";  // U+FFFD
            ++i;
        }
    }
    out += '"';
}

inline void append_int(std::string& out, long long v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

// Nanoseconds as microseconds with three decimals ("1234.567"): the Trace Event format's
// unit, printed exactly (no double rounding of large values).
inline void append_us(std::string& out, std::int64_t ns) {
    if (ns < 0) {
        out += '-';
        ns = -ns;
    }
    append_int(out, ns / 1000);
    const int frac = static_cast<int>(ns % 1000);
    const char f[4] = {'.', static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                       static_cast<char>('0' + frac % 10)};
    out.append(f, 4);
}

// A finite double in the shortest form that reads back exactly; JSON has no NaN/Infinity,
// so those become null.
inline void append_number(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out += "null";
        return;
    }
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact form
    out.append(buf, r.ptr);
}

// Writes a .gz file (gzip header + deflate) from streamed pieces. The data goes to
// `<path>.tmp` and is renamed to `path` by finish(), so readers never see a partial file.
class GzipFile {
public:
    explicit GzipFile(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp") {
        f_ = std::fopen(tmp_.c_str(), "wb");
        if (!f_) throw std::system_error(errno, std::generic_category(), "tblog: cannot create " + tmp_);
        // windowBits 15 + 16: a gzip wrapper instead of zlib's. Level 1: a trace compresses
        // ~10x even so, and stop() should not keep the training loop waiting.
        if (deflateInit2(&z_, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            std::fclose(f_);
            throw std::runtime_error("tblog: deflateInit2 failed");
        }
    }
    GzipFile(const GzipFile&) = delete;
    GzipFile& operator=(const GzipFile&) = delete;
    ~GzipFile() {
        if (!f_) return;
        deflateEnd(&z_);
        std::fclose(f_);
        std::error_code ec;
        std::filesystem::remove(tmp_, ec);
    }

    void write(std::string_view data) { deflate_some(data, Z_NO_FLUSH); }

    // Completes the stream and moves the file into place.
    void finish() {
        deflate_some({}, Z_FINISH);
        deflateEnd(&z_);
        const bool closed = std::fclose(f_) == 0;
        f_ = nullptr;
        if (!closed) throw std::system_error(errno, std::generic_category(), "tblog: cannot write " + tmp_);
        std::filesystem::rename(tmp_, path_);
    }

private:
    void deflate_some(std::string_view data, int mode) {
        z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
        z_.avail_in = static_cast<uInt>(data.size());
        unsigned char out[64 * 1024];
        int rc;
        do {
            z_.next_out = out;
            z_.avail_out = sizeof out;
            rc = deflate(&z_, mode);
            if (rc == Z_STREAM_ERROR) throw std::runtime_error("tblog: deflate failed");
            const std::size_t have = sizeof out - z_.avail_out;
            if (have && std::fwrite(out, 1, have, f_) != have)
                throw std::system_error(errno, std::generic_category(), "tblog: cannot write " + tmp_);
        } while (z_.avail_out == 0 || (mode == Z_FINISH && rc != Z_STREAM_END));
    }

    std::string path_, tmp_;
    std::FILE* f_ = nullptr;
    z_stream z_{};
};

}  // namespace tblog::detail::trace
