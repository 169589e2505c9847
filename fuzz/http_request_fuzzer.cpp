// libFuzzer target: tblog-view's HTTP request parsing (viewer/server/http/request_parser.cpp)
// and what the server does with a parsed request (routing, serializing the answer, pipelined
// requests). Two properties besides "no crash, no sanitizer report":
//   * the parser is incremental: the same bytes arriving in arbitrary pieces must give the same
//     first request (or the same refusal) as arriving at once;
//   * it never claims more bytes than it was given.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/request_parser.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace {

using tblog::view::http::Limits;
using tblog::view::http::RequestParser;
using tblog::view::http::Router;
using tblog::view::http::Server;

const Router& router() {
    static const Router r = [] {
        Router r;
        auto echo = [](const httplib::Request& req, httplib::Response& res) {
            std::string out = req.method + " " + req.path + " " + req.body;
            for (const auto& [k, v] : req.params) out += "|" + k + "=" + v;
            res.set_content(out, "text/plain");
        };
        r.Get("/data/runs", echo);
        r.Post("/data/plugin/scalars/scalars_multirun", echo);
        r.Get(R"(/data/plugin/(\w+)/tags)", echo);
        r.Get("/stream", [](const httplib::Request&, httplib::Response& res) {
            res.set_content_provider(3000, "application/octet-stream", [](std::size_t off, std::size_t len, httplib::DataSink& sink) {
                const std::string piece(std::min<std::size_t>(len, 1000), static_cast<char>('a' + off % 26));
                return sink.write(piece.data(), piece.size());
            });
        });
        r.Get(R"(/(.*))", echo);
        return r;
    }();
    return r;
}

Limits limits() {
    Limits l;
    l.max_header_bytes = 4096;  // small limits so the fuzzer reaches them
    l.max_header_fields = 20;
    l.max_body_bytes = 8192;
    return l;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    // First byte: the piece size for the incremental run; the rest: the bytes on the wire.
    const std::size_t step = 1 + data[0] % 17;
    const std::string_view wire(reinterpret_cast<const char*>(data + 1), size - 1);

    RequestParser whole(limits());
    const auto st_whole = whole.advance(wire);
    if (whole.consumed() > wire.size()) std::abort();

    RequestParser pieces(limits());
    auto st = RequestParser::State::headers;
    for (std::size_t n = std::min(step, wire.size());; n = std::min(n + step, wire.size())) {
        st = pieces.advance(wire.substr(0, n));
        if (st == RequestParser::State::complete || st == RequestParser::State::error || n == wire.size()) break;
    }
    if (st != st_whole) std::abort();
    if (st == RequestParser::State::complete) {
        const auto& a = whole.request();
        const auto& b = pieces.request();
        if (whole.consumed() != pieces.consumed() || a.method != b.method || a.path != b.path || a.body != b.body ||
            a.params != b.params || a.headers.size() != b.headers.size())
            std::abort();
    }
    if (st == RequestParser::State::error && whole.error_status() != pieces.error_status()) std::abort();

    // The whole server path, pipelined requests included.
    const std::string out = Server::answer_bytes(router(), wire, limits());
    if (!wire.empty() && st != RequestParser::State::headers && st != RequestParser::State::body &&
        out.rfind("HTTP/1.1 ", 0) != 0)
        std::abort();  // a complete or refused request always gets an answer
    return 0;
}
