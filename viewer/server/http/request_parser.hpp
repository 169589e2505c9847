// Parsing one HTTP/1.x request out of the bytes a connection has received so far.
//
// The parser is incremental: the connection appends what it reads to one buffer and calls
// advance(buffer) again; every byte is examined once (a client dribbling a header byte per
// second costs a few instructions per byte, not a re-parse of everything it sent). It fills a
// plain httplib::Request (method, target, decoded path, query and form parameters, headers,
// body) so that route handlers keep the types they were written against.
//
// What it refuses, with the status the server answers before closing the connection:
//   400  malformed request line or header, obsolete line folding, NUL in the path, a bad
//        Content-Length or chunk size, Content-Length together with Transfer-Encoding
//        (the request-smuggling ambiguity), a missing Host on HTTP/1.1
//   413  a body larger than Limits::max_body_bytes
//   431  a header section larger than Limits::max_header_bytes or with too many fields
//   501  a Transfer-Encoding other than chunked
//   505  an HTTP version other than 1.0 and 1.1
// This file is the libFuzzer target's subject (fuzz/fuzz_http_request.cpp).
#pragma once

#include <httplib.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace tblog::view::http {

struct Limits {
    std::size_t max_header_bytes = std::size_t{64} << 10;  // request line + fields
    std::size_t max_header_fields = 100;
    std::size_t max_body_bytes = std::size_t{16} << 20;
};

class RequestParser {
public:
    enum class State { headers, body, complete, error };

    explicit RequestParser(Limits limits = {}) : limits_(limits) {}

    // Examines `buf`: every byte received since this request began. Between calls `buf` may
    // only grow (its prefix unchanged). Returns the state reached.
    State advance(std::string_view buf);

    State state() const { return state_; }
    bool headers_done() const { return state_ == State::body || state_ == State::complete; }
    // Headers are in and the client waits for "100 Continue" before sending the body.
    bool expects_continue() const { return expect_continue_; }

    // Valid once complete: the request, and how many bytes of `buf` it used (the rest belongs
    // to the next, pipelined request).
    httplib::Request& request() { return req_; }
    std::size_t consumed() const { return consumed_; }
    // Whether the connection may carry another request after this one.
    bool keep_alive() const { return keep_alive_; }

    // Valid in State::error.
    int error_status() const { return error_status_; }
    const std::string& error_message() const { return error_; }

    // Ready for the next request on the same connection.
    void reset();

private:
    State fail(int status, std::string message);
    State parse_head(std::string_view head);
    State parse_chunked(std::string_view buf);
    void finish_body();

    Limits limits_;
    State state_ = State::headers;
    httplib::Request req_;
    std::size_t scan_from_ = 0;     // where the search for the end of the header section resumes
    std::size_t body_start_ = 0;    // offset of the body in buf
    std::size_t content_length_ = 0;
    bool chunked_ = false;
    std::size_t chunk_pos_ = 0;     // chunked: next unparsed byte of buf
    std::size_t chunk_left_ = 0;    // chunked: data bytes left in the current chunk (+2 for its CRLF)
    bool in_chunk_ = false;
    bool in_trailer_ = false;
    bool expect_continue_ = false;
    bool keep_alive_ = true;
    std::size_t consumed_ = 0;
    int error_status_ = 0;
    std::string error_;
};

// Percent-decoding; '+' becomes a space when `plus_is_space` (query strings and forms).
// Malformed escapes stay as they are.
std::string percent_decode(std::string_view s, bool plus_is_space);

// "a=1&b=2" into `params` (decoded).
void parse_query(std::string_view query, httplib::Params& params);

}  // namespace tblog::view::http
