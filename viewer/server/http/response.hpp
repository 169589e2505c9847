// Turning a handler's httplib::Response into the bytes sent: status line and header fields,
// then the body, which is gzipped when the client takes gzip and the type compresses, or cut
// to a single byte range ("Range: bytes=a-b", as media players ask; in-memory bodies and
// fixed-length providers alike), or dropped for HEAD.
// A response whose handler set a content provider is streamed: fixed-length providers with
// Content-Length, the others with chunked transfer coding.
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>
#include <string>

namespace tblog::view::http {

struct Outgoing {
    std::string head;  // status line and fields, ending in the blank line
    std::string body;  // in-memory body (empty when streaming)
    bool streaming = false;
    bool chunked = false;        // streaming with chunked transfer coding
    std::size_t length = 0;      // streaming with a fixed length
    bool close_after = false;    // "Connection: close" was sent
};

// Prepares `res` (answered for `req`) for sending; `keep_alive`: whether the connection
// stays open afterwards. Moves the body out of `res`.
Outgoing serialize_response(const httplib::Request& req, httplib::Response& res, bool keep_alive);

// Whether the client's Accept-Encoding takes gzip.
bool accepts_gzip(const httplib::Request& req);

// Gzips an in-memory body as serialize_response does (a client taking gzip, no Range header,
// >= 1 KiB, a compressible type, not encoded already); serialize_response then sends it as is.
void compress_body(const httplib::Request& req, httplib::Response& res);

// A complete error answer (closing the connection) for a request that could not be parsed.
std::string error_response(int status, const std::string& message);

const char* status_reason(int status);

// A single "bytes=a-b" / "bytes=a-" / "bytes=-n" range within `size` (inclusive bounds);
// false if `header` is absent or not one satisfiable range.
bool single_range(const std::string& header, std::size_t size, std::size_t& first, std::size_t& last);

// Answers with `bytes` streamed from the shared buffer (no copy of the whole body; the
// reference keeps it alive while the response is sent); serialize_response cuts it to a
// single Range the client asked for, as it does any fixed-length body.
void stream_shared(httplib::Response& res, std::shared_ptr<const std::string> bytes, const std::string& content_type);

// What a streamed body's next piece is: one of more to come, the last, or none because the
// body can no longer be completed (e.g. the data it was sending was dropped meanwhile).
enum class Piece { more, last, cut };

// Answers with a body made piece by piece, sent with chunked transfer coding as it is made:
// next(out) appends the next piece to `out` and says which it was. The server asks for a
// piece only once the one before is sent, so a connection holds one piece at a time whatever
// the body's size, and a client that goes away stops the pieces (the state `next` captures
// is released with the connection). Piece::cut (or a throwing next()) cuts the body: the
// client sees it incomplete (no last chunk) and the connection is closed; an export fails.
// Not gzipped, not kept by the answer cache.
void stream_pieces(httplib::Response& res, const std::string& content_type, std::function<Piece(std::string&)> next);

}  // namespace tblog::view::http
