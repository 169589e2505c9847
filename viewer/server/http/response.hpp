// Turning a handler's httplib::Response into the bytes sent: status line and header fields,
// then the body, which is gzipped when the client takes gzip and the type compresses, or cut
// to a single byte range ("Range: bytes=a-b", as media players ask), or dropped for HEAD.
// A response whose handler set a content provider is streamed: fixed-length providers with
// Content-Length, the others with chunked transfer coding.
#pragma once

#include <httplib.h>

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

// A complete error answer (closing the connection) for a request that could not be parsed.
std::string error_response(int status, const std::string& message);

const char* status_reason(int status);

}  // namespace tblog::view::http
