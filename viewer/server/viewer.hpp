// tblog-view as a library: the store, the loader and the HTTP server put together. main.cpp
// runs one from the command line; the tests run one in-process on a free port.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "loader.hpp"
#include "memory_shares.hpp"
#include "options.hpp"
#include "store.hpp"

namespace tblog::view::http {
class Router;
class Server;
struct ServerStats;
}  // namespace tblog::view::http

namespace tblog::view {

struct ServerContext;

class Viewer {
public:
    explicit Viewer(Options options);
    ~Viewer();

    // Binds the listening socket (port 0: any free port) and starts loading; throws
    // std::runtime_error if the address cannot be bound.
    void bind();
    // Serves until stop() (from another thread or a signal).
    void serve();
    // bind() + serve() on a background thread (tests).
    void start();
    // Makes serve() return (callable from any thread, e.g. a signal-waiting one).
    void interrupt();
    // Stops serving and loading; idempotent, callable from any thread.
    void stop();

    int port() const { return port_; }
    std::string url() const;  // http://host:port/

    // Connections, requests and worker threads of the HTTP server (tests, /data/tblog/status).
    http::ServerStats http_stats() const;

    Store& store() { return store_; }
    Loader& loader() { return *loader_; }
    const Options& options() const { return options_; }
    const MemoryShares& memory_shares() const { return shares_; }

private:
    Options options_;
    MemoryShares shares_;  // of --max_memory: the data's, the answer cache's, the timelines'
    Store store_;
    std::unique_ptr<Loader> loader_;
    std::unique_ptr<http::Router> router_;
    std::unique_ptr<http::Server> http_;
    std::unique_ptr<ServerContext> ctx_;
    std::thread thread_;
    std::mutex stop_mu_;
    int port_ = 0;
};

}  // namespace tblog::view
