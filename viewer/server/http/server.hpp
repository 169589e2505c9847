// tblog-view's HTTP/1.1 server: one event-loop thread owns every socket (epoll), a bounded
// pool of worker threads runs the route handlers.
//
// Why not a thread per connection (cpp-httplib's model): an idle keep-alive socket or a client
// dribbling its headers held a worker, so 32 slow clients stopped the viewer. Here a socket
// costs a file descriptor and a small buffer until a complete request is in; only then does
// it take a worker, for as long as the handler runs. Answers are written by the loop as the
// socket drains, so a slow reader holds no worker either; streamed bodies are produced a
// chunk at a time on the pool when the previous chunk has gone out.
//
// Limits (ServerConfig): the header section must arrive within header_timeout of its first
// byte (nginx's client_header_timeout; a new connection that sends nothing gets the same),
// the body within body_timeout, an idle kept-alive connection is closed after
// keepalive_timeout, a reader that takes nothing for write_timeout is dropped. Sockets use
// TCP_NODELAY and a response goes out in one writev, so kept-alive requests do not wait out
// Nagle's algorithm against the client's delayed ACK. At max_connections the oldest idle
// kept-alive connection is closed to admit a new one (else accepting pauses).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "http/request_parser.hpp"
#include "http/router.hpp"

namespace tblog::view::http {

struct ServerConfig {
    std::string host = "127.0.0.1";
    int port = 0;  // 0: any free port
    int backlog = 1024;
    int worker_threads = 0;  // 0: max(4, 2 x cores)
    std::size_t max_connections = 8192;
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{30'000};
    std::chrono::milliseconds keepalive_timeout{30'000};
    std::chrono::milliseconds write_timeout{30'000};
    Limits limits;
};

struct ServerStats {
    std::uint64_t connections_open = 0;
    std::uint64_t connections_accepted = 0;
    std::uint64_t requests = 0;
    std::uint64_t timeouts = 0;      // connections closed by a deadline
    std::uint64_t bad_requests = 0;  // answered 4xx/5xx by the parser
    int worker_threads = 0;
    int busy_workers = 0;            // running a handler or producing a streamed chunk
};

class Server {
public:
    Server(ServerConfig config, const Router& router);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and listens; returns the port. Throws std::runtime_error if it cannot.
    int bind();
    // Runs the event loop until stop(). Call after bind().
    void run();
    // Makes run() return; callable from any thread (and before run()).
    void stop();
    bool running() const { return running_; }

    ServerStats stats() const;

    // Feeds raw bytes through the parser and the router as one connection would, without a
    // socket; returns everything the server would send. For the fuzz target and unit tests.
    static std::string answer_bytes(const Router& router, std::string_view bytes, const Limits& limits = {});

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::atomic<bool> running_{false};
};

}  // namespace tblog::view::http
