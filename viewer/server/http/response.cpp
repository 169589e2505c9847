#include "http/response.hpp"

#include <zlib.h>

#include <cstdlib>

namespace tblog::view::http {

namespace {

bool compressible(const std::string& type) {
    // As cpp-httplib decided before: text/* (not event streams) and a few exact types; a
    // type with parameters other than text/* (e.g. "application/json; charset=utf-8") is
    // how a handler says "already encoded, send as is".
    return (type.rfind("text/", 0) == 0 && type != "text/event-stream") || type == "application/json" ||
           type == "application/javascript" || type == "image/svg+xml" || type == "application/xml";
}

}  // namespace

bool accepts_gzip(const httplib::Request& req) {
    const std::string ae = req.get_header_value("Accept-Encoding");
    const auto at = ae.find("gzip");
    if (at == std::string::npos) return false;
    const auto end = ae.find(',', at);
    const std::string item = ae.substr(at, end == std::string::npos ? std::string::npos : end - at);
    return item.find("q=0") == std::string::npos || item.find("q=0.") != std::string::npos;
}

namespace {

bool gzip(const std::string& in, std::string& out) {
    z_stream zs{};
    // Level 1: on loopback and LANs the CPU is dearer than the bytes.
    if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
    out.resize(deflateBound(&zs, in.size()));
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return rc == Z_STREAM_END;
}

}  // namespace

bool single_range(const std::string& h, std::size_t size, std::size_t& first, std::size_t& last) {
    if (h.rfind("bytes=", 0) != 0 || h.find(',') != std::string::npos || size == 0) return false;
    const std::string spec = h.substr(6);
    const auto dash = spec.find('-');
    if (dash == std::string::npos) return false;
    const std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
    auto num = [](const std::string& s, std::size_t& v) {
        if (s.empty() || s.size() > 18 || s.find_first_not_of("0123456789") != std::string::npos) return false;
        v = std::strtoull(s.c_str(), nullptr, 10);
        return true;
    };
    std::size_t x = 0, y = 0;
    if (a.empty()) {
        if (!num(b, y) || y == 0) return false;
        first = y >= size ? 0 : size - y;
        last = size - 1;
        return true;
    }
    if (!num(a, x) || x >= size) return false;
    first = x;
    last = b.empty() ? size - 1 : (num(b, y) && y >= x ? std::min(y, size - 1) : std::size_t(-1));
    return last != std::size_t(-1);
}

void stream_shared(httplib::Response& res, std::shared_ptr<const std::string> bytes, const std::string& content_type) {
    if (bytes->empty()) return res.set_content("", content_type);
    res.set_header("Accept-Ranges", "bytes");
    res.set_content_provider(bytes->size(), content_type,
                             [bytes](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                 return sink.write(bytes->data() + offset, length);
                             });
}

void stream_pieces(httplib::Response& res, const std::string& content_type, std::function<Piece(std::string&)> next) {
    res.set_chunked_content_provider(content_type, [next = std::move(next)](std::size_t, httplib::DataSink& sink) {
        std::string piece;
        const Piece p = next(piece);
        if (p == Piece::cut) return false;  // the provider's failure: the server closes the connection
        if (!piece.empty() && !sink.write(piece.data(), piece.size())) return false;
        if (p == Piece::last) sink.done();
        return true;
    });
}

const char* status_reason(int s) {
    switch (s) {
        case 100: return "Continue";
        case 200: return "OK";
        case 204: return "No Content";
        case 206: return "Partial Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 411: return "Length Required";
        case 413: return "Content Too Large";
        case 416: return "Range Not Satisfiable";
        case 417: return "Expectation Failed";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 503: return "Service Unavailable";
        case 505: return "HTTP Version Not Supported";
        default: return s < 300 ? "OK" : s < 500 ? "Client Error" : "Server Error";
    }
}

void compress_body(const httplib::Request& req, httplib::Response& res) {
    // a Range request for a 200 is answered unencoded, cut or whole
    if (res.content_provider_ || (res.status == 200 && !req.get_header_value("Range").empty()) ||
        res.body.size() < 1024 || res.has_header("Content-Encoding") || !compressible(res.get_header_value("Content-Type")) ||
        !accepts_gzip(req))
        return;
    std::string z;
    if (gzip(res.body, z)) {
        res.body.swap(z);
        res.set_header("Content-Encoding", "gzip");
        res.set_header("Vary", "Accept-Encoding");
    }
}

Outgoing serialize_response(const httplib::Request& req, httplib::Response& res, bool keep_alive) {
    Outgoing out;
    if (res.status < 100 || res.status > 999) res.status = 500;
    const bool head_only = req.method == "HEAD";
    const bool provider = static_cast<bool>(res.content_provider_);
    // One place answers a single byte range, for in-memory bodies and fixed-length providers
    // alike (blobs, profile traces): 206 with Content-Range, the body or provider cut to it.
    const std::string range = res.status == 200 && !res.has_header("Content-Encoding") ? req.get_header_value("Range") : "";
    const std::size_t full = provider ? res.content_length_ : res.body.size();
    std::size_t first = 0, last = 0;
    const bool ranged = !range.empty() && (!provider || full > 0) && single_range(range, full, first, last);
    if (ranged) {
        res.status = 206;
        res.set_header("Content-Range",
                       "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(full));
        if (provider) {
            res.content_provider_ = [whole = std::move(res.content_provider_), first](
                                        std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                return whole(first + offset, length, sink);
            };
            res.content_length_ = last - first + 1;
        } else {
            res.body = res.body.substr(first, last - first + 1);
        }
    }
    if (!provider && range.empty()) compress_body(req, res);

    std::string& h = out.head;
    h.reserve(256);
    h += "HTTP/1.1 ";
    h += std::to_string(res.status);
    h += ' ';
    h += status_reason(res.status);
    h += "\r\n";
    for (const auto& [k, v] : res.headers) {
        if (k == "Content-Length" || k == "Connection" || k == "Transfer-Encoding") continue;
        h += k;
        h += ": ";
        h += v;
        h += "\r\n";
    }
    if (provider) {
        out.streaming = true;
        out.length = res.content_length_;
        out.chunked = res.content_length_ == 0;
        if (out.chunked)
            h += "Transfer-Encoding: chunked\r\n";
        else
            h += "Content-Length: " + std::to_string(out.length) + "\r\n";
        if (head_only) out.streaming = false;
    } else {
        h += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
        if (!head_only) out.body = std::move(res.body);
    }
    if (!keep_alive) {
        h += "Connection: close\r\n";
        out.close_after = true;
    }
    h += "\r\n";
    return out;
}

std::string error_response(int status, const std::string& message) {
    const std::string body = message + "\n";
    return "HTTP/1.1 " + std::to_string(status) + " " + status_reason(status) +
           "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace tblog::view::http
