#include "viewer.hpp"

#include <unistd.h>

#include <chrono>
#include <stdexcept>

#include "http/host_check.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "routes.hpp"

namespace tblog::view {

namespace {

http::ServerConfig server_config(const Options& o) {
    http::ServerConfig c;
    c.host = o.bind_all ? "0.0.0.0" : o.host;
    c.port = o.port;
    c.worker_threads = o.http_threads;
    c.header_timeout = std::chrono::milliseconds(static_cast<long long>(o.header_timeout * 1000));
    c.body_timeout = std::chrono::milliseconds(static_cast<long long>(o.body_timeout * 1000));
    c.keepalive_timeout = std::chrono::milliseconds(static_cast<long long>(o.keepalive_timeout * 1000));
    c.write_timeout = std::chrono::milliseconds(static_cast<long long>(o.write_timeout * 1000));
    return c;
}

}  // namespace

Viewer::Viewer(Options options)
    : options_(std::move(options)),
      shares_(tblog::view::memory_shares(options_.max_memory)),
      store_(options_.max_memory, options_.cache_dir, shares_.timelines) {
    // The answer cache's share is set aside from the data's budget (memory_shares.hpp), so
    // that data and caches together stay within --max_memory; the timelines' is charged as
    // they are kept (Store).
    if (options_.max_memory) store_.budget().reserve(static_cast<std::int64_t>(shares_.answers));
    loader_ = std::make_unique<Loader>(options_, store_);
    router_ = std::make_unique<http::Router>();
    ctx_ = std::make_unique<ServerContext>(
        ServerContext{options_, store_, *loader_, std::make_shared<http::ResponseCache>(shares_.answers)});

    // Refused before any route runs: a Host we were not started under (DNS rebinding), then
    // parameters that try to leave a directory.
    auto hosts = std::make_shared<http::HostCheck>(options_.host, options_.bind_all, options_.allowed_hosts);
    router_->add_filter([hosts](const httplib::Request& req, httplib::Response& res) {
        const std::string host = req.get_header_value("Host");
        if (hosts->allowed(host)) return false;
        send_error(res, 403,
                   "Blocked request: Host \"" + host + "\" is not this server's name (DNS rebinding?); "
                   "start tblog-view with --allowed_hosts " + http::host_without_port(host) + " to allow it");
        return true;
    });
    router_->add_filter(refuse_path_escapes);
    register_all_routes(*router_, *ctx_);
    http_ = std::make_unique<http::Server>(server_config(options_), *router_);
}

Viewer::~Viewer() { stop(); }

void Viewer::bind() {
    try {
        port_ = http_->bind();
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("tblog-view: ") + e.what() + " (in use? try --port 0)");
    }
    loader_->start();
}

void Viewer::serve() { http_->run(); }

void Viewer::start() {
    bind();
    thread_ = std::thread([this] { serve(); });
    while (!http_->running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void Viewer::interrupt() { http_->stop(); }

void Viewer::stop() {
    std::lock_guard lk(stop_mu_);
    if (http_) http_->stop();
    if (thread_.joinable()) thread_.join();
    if (loader_) loader_->stop();
}

http::ServerStats Viewer::http_stats() const { return http_->stats(); }

std::string Viewer::url() const {
    std::string host = options_.bind_all ? "" : options_.host;
    if (host.empty() || host == "0.0.0.0") {
        char name[256] = {};
        host = ::gethostname(name, sizeof(name) - 1) == 0 ? name : "localhost";
    }
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return "http://" + host + ":" + std::to_string(port_) + "/";
}

}  // namespace tblog::view
