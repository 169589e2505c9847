#include "http/request_parser.hpp"

#include <algorithm>
#include <cctype>

namespace tblog::view::http {

namespace {

constexpr std::size_t kMaxChunkLine = 1024;  // chunk size and extensions

bool is_tchar(unsigned char c) {  // RFC 9110 token characters
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Does a comma-separated header value hold `token` (case-insensitive)?
bool has_token(std::string_view value, std::string_view token) {
    while (!value.empty()) {
        const auto comma = value.find(',');
        if (iequals(trim(value.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return false;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// One line of `s` starting at `from` (without its CR LF / LF), or npos in `end` if incomplete.
std::string_view line_at(std::string_view s, std::size_t from, std::size_t& next) {
    const auto lf = s.find('\n', from);
    if (lf == std::string_view::npos) {
        next = std::string_view::npos;
        return {};
    }
    next = lf + 1;
    std::size_t end = lf;
    if (end > from && s[end - 1] == '\r') --end;
    return s.substr(from, end - from);
}

}  // namespace

std::string percent_decode(std::string_view s, bool plus_is_space) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '%' && i + 2 < s.size()) {
            const int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
    return out;
}

void parse_query(std::string_view q, httplib::Params& params) {
    while (!q.empty()) {
        const auto amp = q.find('&');
        const std::string_view item = q.substr(0, amp);
        if (!item.empty()) {
            const auto eq = item.find('=');
            const std::string_view k = item.substr(0, eq);
            const std::string_view v = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
            params.emplace(percent_decode(k, true), percent_decode(v, true));
        }
        if (amp == std::string_view::npos) break;
        q.remove_prefix(amp + 1);
    }
}

void RequestParser::reset() {
    const Limits l = limits_;
    *this = RequestParser(l);
}

RequestParser::State RequestParser::fail(int status, std::string message) {
    state_ = State::error;
    error_status_ = status;
    error_ = std::move(message);
    keep_alive_ = false;
    return state_;
}

RequestParser::State RequestParser::advance(std::string_view buf) {
    if (state_ == State::headers) {
        // Blank lines before a request line are ignored (RFC 9112 2.2), e.g. a CRLF some
        // clients send after a POST body.
        std::size_t lead = 0;
        while (lead < buf.size() && (buf[lead] == '\r' || buf[lead] == '\n')) ++lead;
        if (lead > limits_.max_header_bytes) return fail(400, "blank lines instead of a request");
        // Search for the blank line ending the header section, resuming where the last
        // call stopped (minus 3 bytes: the terminator may straddle two reads).
        std::size_t from = std::max(scan_from_, lead);
        std::size_t end = std::string_view::npos, body = 0;
        for (std::size_t i = from; i < buf.size(); ++i) {
            if (buf[i] != '\n') continue;
            // "\n\n" or "\n\r\n" ends the section.
            if (i + 1 < buf.size() && buf[i + 1] == '\n') {
                end = i + 1;
                body = i + 2;
                break;
            }
            if (i + 2 < buf.size() && buf[i + 1] == '\r' && buf[i + 2] == '\n') {
                end = i + 1;
                body = i + 3;
                break;
            }
        }
        if (end == std::string_view::npos) {
            scan_from_ = buf.size() >= 3 ? std::max(lead, buf.size() - 3) : lead;
            // (+3: the terminator's bytes, so that a prefix is refused only if the whole would be)
            if (buf.size() - lead > limits_.max_header_bytes + 3) return fail(431, "request header section too large");
            return state_;
        }
        if (end - lead > limits_.max_header_bytes) return fail(431, "request header section too large");
        if (parse_head(buf.substr(lead, end - lead)) == State::error) return state_;
        body_start_ = body;
        chunk_pos_ = body;
        state_ = State::body;
    }
    if (state_ == State::body) {
        if (chunked_) return parse_chunked(buf);
        if (buf.size() - body_start_ < content_length_) return state_;
        req_.body.assign(buf.data() + body_start_, content_length_);
        consumed_ = body_start_ + content_length_;
        finish_body();
    }
    return state_;
}

RequestParser::State RequestParser::parse_head(std::string_view head) {
    std::size_t next = 0;
    const std::string_view line = line_at(head, 0, next);
    // method SP request-target SP HTTP-version
    const auto sp1 = line.find(' ');
    const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp1 == 0 || sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
        return fail(400, "malformed request line");
    const std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                           version = line.substr(sp2 + 1);
    if (!std::all_of(method.begin(), method.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); }))
        return fail(400, "malformed method");
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        if (version.rfind("HTTP/", 0) == 0) return fail(505, "HTTP version not supported");
        return fail(400, "malformed request line");
    }
    if (target.empty() || std::any_of(target.begin(), target.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u <= 0x20 || u == 0x7f;
        }))
        return fail(400, "malformed request target");
    req_.method = std::string(method);
    req_.version = std::string(version);
    req_.target = std::string(target);

    // origin-form "/path?query"; absolute-form "http://host/path?query" (proxies) reduced to it.
    std::string_view t = target;
    if (t.front() != '/') {
        const auto scheme = t.find("://");
        if (t == "*" && method == "OPTIONS") {
            t = "/";
        } else if (scheme != std::string_view::npos) {
            const auto slash = t.find('/', scheme + 3);
            t = slash == std::string_view::npos ? std::string_view("/") : t.substr(slash);
        } else {
            return fail(400, "malformed request target");
        }
    }
    const auto q = t.find('?');
    const std::string_view path = t.substr(0, q);
    req_.path = percent_decode(path, false);
    if (req_.path.find('\0') != std::string::npos) return fail(400, "NUL in the request path");
    if (q != std::string_view::npos) parse_query(t.substr(q + 1), req_.params);

    std::size_t fields = 0;
    bool has_length = false, has_host = false;
    std::string_view connection;
    while (next != std::string_view::npos && next < head.size()) {
        const std::string_view field = line_at(head, next, next);
        if (field.empty()) break;
        if (field.front() == ' ' || field.front() == '\t') return fail(400, "obsolete header line folding");
        if (++fields > limits_.max_header_fields) return fail(431, "too many header fields");
        const auto colon = field.find(':');
        if (colon == 0 || colon == std::string_view::npos) return fail(400, "malformed header field");
        const std::string_view name = field.substr(0, colon), value = trim(field.substr(colon + 1));
        if (!std::all_of(name.begin(), name.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); }))
            return fail(400, "malformed header field name");
        if (std::any_of(value.begin(), value.end(), [](char c) { return c == '\0' || c == '\r' || c == '\n'; }))
            return fail(400, "control character in a header value");
        if (iequals(name, "Content-Length")) {
            if (value.empty() || value.size() > 18 ||
                !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
                return fail(400, "bad Content-Length");
            const std::size_t n = std::stoull(std::string(value));
            if (has_length && n != content_length_) return fail(400, "conflicting Content-Length fields");
            has_length = true;
            content_length_ = n;
        } else if (iequals(name, "Transfer-Encoding")) {
            if (!iequals(value, "chunked")) return fail(501, "Transfer-Encoding other than chunked");
            if (chunked_) return fail(400, "Transfer-Encoding given twice");
            chunked_ = true;
        } else if (iequals(name, "Host")) {
            if (has_host) return fail(400, "Host given twice");
            has_host = true;
        } else if (iequals(name, "Connection")) {
            connection = value;
        } else if (iequals(name, "Expect")) {
            if (!iequals(value, "100-continue")) return fail(417, "unsupported Expect");
            expect_continue_ = true;
        }
        req_.headers.emplace(std::string(name), std::string(value));
    }
    if (has_length && chunked_) return fail(400, "both Content-Length and Transfer-Encoding");
    if (version == "HTTP/1.1" && !has_host) return fail(400, "HTTP/1.1 request without Host");
    if (content_length_ > limits_.max_body_bytes) return fail(413, "request body too large");
    keep_alive_ = version == "HTTP/1.1" ? !has_token(connection, "close") : has_token(connection, "keep-alive");
    if (!chunked_ && content_length_ == 0) expect_continue_ = false;
    return state_;
}

RequestParser::State RequestParser::parse_chunked(std::string_view buf) {
    // chunk = chunk-size [; ext] CRLF data CRLF ... last-chunk = "0" CRLF, then trailer
    // fields and a blank line.
    while (chunk_pos_ < buf.size()) {
        if (in_chunk_) {
            const std::size_t avail = std::min(buf.size() - chunk_pos_, chunk_left_);
            const std::size_t data = chunk_left_ > 2 ? std::min(avail, chunk_left_ - 2) : 0;
            req_.body.append(buf.data() + chunk_pos_, data);
            chunk_pos_ += data;
            chunk_left_ -= data;
            if (chunk_left_ > 2) return state_;
            // the CRLF after the data
            while (chunk_left_ > 0 && chunk_pos_ < buf.size()) {
                const char want = chunk_left_ == 2 ? '\r' : '\n';
                if (buf[chunk_pos_] != want) return fail(400, "chunk data not followed by CRLF");
                ++chunk_pos_;
                --chunk_left_;
            }
            if (chunk_left_ > 0) return state_;
            in_chunk_ = false;
            continue;
        }
        std::size_t next = 0;
        const std::string_view line = line_at(buf, chunk_pos_, next);
        const std::size_t trailer_max = limits_.max_body_bytes + limits_.max_header_bytes;
        if (next == std::string_view::npos) {
            if (!in_trailer_ && buf.size() - chunk_pos_ > kMaxChunkLine + 2) return fail(400, "chunk header line too long");
            if (in_trailer_ && buf.size() - body_start_ > trailer_max + 3) return fail(431, "trailer section too large");
            return state_;
        }
        if (in_trailer_) {
            if (next - body_start_ > trailer_max) return fail(431, "trailer section too large");
            chunk_pos_ = next;
            if (line.empty()) {
                consumed_ = next;
                finish_body();
                return state_;
            }
            continue;
        }
        if (line.size() > kMaxChunkLine) return fail(400, "chunk header line too long");
        const std::string_view size_text = trim(line.substr(0, line.find(';')));
        if (size_text.empty() || size_text.size() > 15) return fail(400, "bad chunk size");
        std::size_t size = 0;
        for (char c : size_text) {
            const int d = hex_digit(c);
            if (d < 0) return fail(400, "bad chunk size");
            size = size * 16 + static_cast<std::size_t>(d);
        }
        chunk_pos_ = next;
        if (size == 0) {
            in_trailer_ = true;
            continue;
        }
        if (size > limits_.max_body_bytes || req_.body.size() + size > limits_.max_body_bytes)
            return fail(413, "request body too large");
        in_chunk_ = true;
        chunk_left_ = size + 2;
    }
    return state_;
}

void RequestParser::finish_body() {
    expect_continue_ = false;
    state_ = State::complete;
    // Form posts carry their parameters in the body (TensorBoard's scalars_multirun does).
    const std::string type = req_.get_header_value("Content-Type");
    if (type.rfind("application/x-www-form-urlencoded", 0) == 0) parse_query(req_.body, req_.params);
}

}  // namespace tblog::view::http
