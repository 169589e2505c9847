#include "http/server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "http/response.hpp"
#include "http/worker_pool.hpp"

namespace tblog::view::http {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kListenId = 0, kWakeId = 1;
constexpr std::size_t kStreamChunk = std::size_t{256} << 10;  // one streamed piece
constexpr auto kSweepEvery = std::chrono::milliseconds(100);

enum class Phase { reading, handling, writing };
enum class Deadline { none, idle, header, body, write };

// What the streaming of one response needs between its pieces.
struct Stream {
    std::shared_ptr<httplib::Response> res;  // owns the provider
    std::size_t offset = 0, length = 0;
    bool chunked = false, done = false, pending = false;
    int empty_pieces = 0;
};

struct Conn {
    int fd = -1;
    std::uint64_t id = 0;
    std::string peer;
    int peer_port = -1;
    Phase phase = Phase::reading;
    std::string in;
    RequestParser parser;
    bool continue_sent = false;
    std::string out_head, out_body;
    std::size_t head_off = 0, body_off = 0;
    bool close_after = false;
    Stream stream;
    bool streaming = false;
    Deadline deadline_kind = Deadline::header;
    Clock::time_point deadline;
    Clock::time_point last_active;
    std::uint32_t events = 0;
};

// A finished handler or streamed piece, handed from a worker to the loop.
struct Done {
    std::uint64_t id;
    bool is_piece = false;
    Outgoing out;                            // handler result
    std::shared_ptr<httplib::Response> res;  // handler result that streams
    std::string piece;                       // streamed piece
    bool piece_done = false, piece_ok = true;
};

std::string hex(std::size_t n) {
    char b[24];
    std::snprintf(b, sizeof b, "%zx", n);
    return b;
}

// One piece of a streamed body from its provider (run on a worker).
void produce_piece(httplib::Response& res, std::size_t offset, std::size_t length, bool chunked, std::string& data,
                   bool& done, bool& ok) {
    httplib::DataSink sink;
    sink.write = [&](const char* d, std::size_t n) {
        data.append(d, n);
        return true;
    };
    sink.done = [&] { done = true; };
    sink.is_writable = [] { return true; };
    try {
        ok = res.content_provider_(offset, chunked ? kStreamChunk : std::min(kStreamChunk, length - offset), sink);
    } catch (...) {
        ok = false;
    }
}

}  // namespace

struct Server::Impl {
    Impl(ServerConfig c, const Router& r) : cfg(std::move(c)), router(r) {}

    ServerConfig cfg;
    const Router& router;
    int listen_fd = -1, ep = -1, wake_fd = -1;
    std::size_t max_conns = 0;
    std::unique_ptr<WorkerPool> pool;
    std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> conns;
    std::uint64_t next_id = 2;
    bool accepting = true;
    std::atomic<bool> stopping{false};

    std::mutex done_mu;
    std::vector<Done> done;

    std::atomic<std::uint64_t> n_open{0}, n_accepted{0}, n_requests{0}, n_timeouts{0}, n_bad{0};

    ~Impl() {
        if (pool) pool->shutdown();
        for (auto& [id, c] : conns) ::close(c->fd);
        if (listen_fd >= 0) ::close(listen_fd);
        if (ep >= 0) ::close(ep);
        if (wake_fd >= 0) ::close(wake_fd);
    }

    void wake() {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto r = ::write(wake_fd, &one, sizeof one);
    }

    void push_done(Done d) {
        {
            std::lock_guard lk(done_mu);
            done.push_back(std::move(d));
        }
        wake();
    }

    void set_events(Conn& c, std::uint32_t ev) {
        if (c.events == ev) return;
        epoll_event e{};
        e.events = ev;
        e.data.u64 = c.id;
        ::epoll_ctl(ep, EPOLL_CTL_MOD, c.fd, &e);
        c.events = ev;
    }

    void set_deadline(Conn& c, Deadline kind, Clock::time_point now) {
        c.deadline_kind = kind;
        switch (kind) {
            case Deadline::none: break;
            case Deadline::idle: c.deadline = now + cfg.keepalive_timeout; break;
            case Deadline::header: c.deadline = now + cfg.header_timeout; break;
            case Deadline::body: c.deadline = now + cfg.body_timeout; break;
            case Deadline::write: c.deadline = now + cfg.write_timeout; break;
        }
    }

    void close_conn(std::uint64_t id) {
        auto it = conns.find(id);
        if (it == conns.end()) return;
        ::epoll_ctl(ep, EPOLL_CTL_DEL, it->second->fd, nullptr);
        ::close(it->second->fd);
        conns.erase(it);
        n_open = conns.size();
        if (!accepting && !stopping) resume_accepting();
    }

    void resume_accepting() {
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.u64 = kListenId;
        if (::epoll_ctl(ep, EPOLL_CTL_MOD, listen_fd, &e) == 0) accepting = true;
    }

    void pause_accepting() {
        epoll_event e{};
        e.events = 0;
        e.data.u64 = kListenId;
        ::epoll_ctl(ep, EPOLL_CTL_MOD, listen_fd, &e);
        accepting = false;
    }

    // Closes the idle kept-alive connection that has waited longest; false if there is none.
    bool evict_idle() {
        Conn* oldest = nullptr;
        for (auto& [id, c] : conns)
            if (c->phase == Phase::reading && c->in.empty() && c->deadline_kind == Deadline::idle &&
                (!oldest || c->last_active < oldest->last_active))
                oldest = c.get();
        if (!oldest) return false;
        close_conn(oldest->id);
        return true;
    }

    void accept_all(Clock::time_point now) {
        for (int i = 0; i < 256; ++i) {
            if (conns.size() >= max_conns && !evict_idle()) {
                pause_accepting();
                return;
            }
            sockaddr_storage addr{};
            socklen_t len = sizeof addr;
            const int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE) {
                    if (!evict_idle()) pause_accepting();  // resumed when a connection closes or by the sweep
                }
                return;  // EAGAIN, or an error of that one connection
            }
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            auto c = std::make_unique<Conn>();
            c->fd = fd;
            c->id = next_id++;
            c->parser = RequestParser(cfg.limits);
            char host[INET6_ADDRSTRLEN] = {};
            if (addr.ss_family == AF_INET) {
                auto* a = reinterpret_cast<sockaddr_in*>(&addr);
                ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
                c->peer_port = ntohs(a->sin_port);
            } else if (addr.ss_family == AF_INET6) {
                auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
                ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
                c->peer_port = ntohs(a->sin6_port);
            }
            c->peer = host;
            c->last_active = now;
            set_deadline(*c, Deadline::header, now);  // a new connection must send its request
            epoll_event e{};
            e.events = EPOLLIN;
            e.data.u64 = c->id;
            if (::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) != 0) {
                ::close(fd);
                continue;
            }
            c->events = EPOLLIN;
            conns.emplace(c->id, std::move(c));
            ++n_accepted;
            n_open = conns.size();
        }
    }

    // Sends a complete answer the parser produced and closes the connection after it.
    void send_final(Conn& c, std::string bytes, Clock::time_point now) {
        c.phase = Phase::writing;
        c.out_head = std::move(bytes);
        c.out_body.clear();
        c.head_off = c.body_off = 0;
        c.close_after = true;
        c.streaming = false;
        set_deadline(c, Deadline::write, now);
        on_writable(c, now);
    }

    void on_readable(Conn& c, Clock::time_point now) {
        char buf[64 << 10];
        for (int i = 0; i < 4; ++i) {
            const ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
            if (r > 0) {
                c.in.append(buf, static_cast<std::size_t>(r));
                c.last_active = now;
                if (static_cast<std::size_t>(r) < sizeof buf) break;
                continue;
            }
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            if (r < 0 && errno == EINTR) continue;
            return close_conn(c.id);  // closed by the peer, or an error
        }
        try_parse(c, now);
    }

    void try_parse(Conn& c, Clock::time_point now) {
        const auto st = c.parser.advance(c.in);
        if (st == RequestParser::State::error) {
            ++n_bad;
            return send_final(c, error_response(c.parser.error_status(), c.parser.error_message()), now);
        }
        if (st == RequestParser::State::complete) return dispatch(c, now);
        if (st == RequestParser::State::body) {
            if (c.deadline_kind != Deadline::body) set_deadline(c, Deadline::body, now);
            if (c.parser.expects_continue() && !c.continue_sent) {
                c.continue_sent = true;
                static const char k100[] = "HTTP/1.1 100 Continue\r\n\r\n";
                if (::send(c.fd, k100, sizeof k100 - 1, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof k100 - 1))
                    return close_conn(c.id);
            }
        } else if (!c.in.empty() && c.deadline_kind == Deadline::idle) {
            set_deadline(c, Deadline::header, now);  // the next request began: its headers are timed
        }
    }

    void dispatch(Conn& c, Clock::time_point now) {
        (void)now;
        c.phase = Phase::handling;
        c.deadline_kind = Deadline::none;
        set_events(c, 0);
        auto req = std::make_shared<httplib::Request>(std::move(c.parser.request()));
        req->remote_addr = c.peer;
        req->remote_port = c.peer_port;
        const bool keep = c.parser.keep_alive();
        c.in.erase(0, c.parser.consumed());
        c.parser.reset();
        c.continue_sent = false;
        const std::uint64_t id = c.id;
        pool->post([this, id, req, keep] {
            auto res = std::make_shared<httplib::Response>();
            router.handle(*req, *res);
            Done d;
            d.id = id;
            d.out = serialize_response(*req, *res, keep && !stopping);
            if (d.out.streaming) d.res = std::move(res);
            push_done(std::move(d));
        });
    }

    void request_piece(Conn& c) {
        c.stream.pending = true;
        set_events(c, 0);
        const std::uint64_t id = c.id;
        auto res = c.stream.res;
        const std::size_t offset = c.stream.offset, length = c.stream.length;
        const bool chunked = c.stream.chunked;
        pool->post([this, id, res, offset, length, chunked] {
            Done d;
            d.id = id;
            d.is_piece = true;
            produce_piece(*res, offset, length, chunked, d.piece, d.piece_done, d.piece_ok);
            push_done(std::move(d));
        });
    }

    void on_piece(Conn& c, Done& d, Clock::time_point now) {
        Stream& s = c.stream;
        s.pending = false;
        if (!d.piece_ok) return close_conn(c.id);  // the body cannot be completed: the client sees it cut
        if (d.piece.empty() && !d.piece_done) {
            if (++s.empty_pieces > 1000) return close_conn(c.id);
            return request_piece(c);
        }
        s.empty_pieces = 0;
        c.head_off = c.body_off = 0;
        if (s.chunked) {
            c.out_head = d.piece.empty() ? std::string() : hex(d.piece.size()) + "\r\n";
            c.out_body = std::move(d.piece);
            if (!c.out_body.empty()) c.out_body += "\r\n";
            if (d.piece_done) {
                c.out_body += "0\r\n\r\n";
                s.done = true;
            }
        } else {
            if (d.piece.size() > s.length - s.offset) d.piece.resize(s.length - s.offset);
            s.offset += d.piece.size();
            c.out_head.clear();
            c.out_body = std::move(d.piece);
            s.done = s.offset >= s.length;
        }
        set_deadline(c, Deadline::write, now);
        on_writable(c, now);
    }

    void on_result(Conn& c, Done& d, Clock::time_point now) {
        c.phase = Phase::writing;
        c.out_head = std::move(d.out.head);
        c.out_body = std::move(d.out.body);
        c.head_off = c.body_off = 0;
        c.close_after = d.out.close_after;
        c.streaming = d.out.streaming;
        if (c.streaming) c.stream = Stream{std::move(d.res), 0, d.out.length, d.out.chunked};
        set_deadline(c, Deadline::write, now);
        on_writable(c, now);
    }

    void on_writable(Conn& c, Clock::time_point now) {
        for (;;) {
            const std::size_t head_left = c.out_head.size() - c.head_off, body_left = c.out_body.size() - c.body_off;
            if (head_left == 0 && body_left == 0) {
                if (c.streaming && !c.stream.done) {
                    if (!c.stream.pending) request_piece(c);
                    return;
                }
                return finish_response(c, now);
            }
            iovec iov[2];
            int n = 0;
            if (head_left) iov[n++] = {c.out_head.data() + c.head_off, head_left};
            if (body_left) iov[n++] = {c.out_body.data() + c.body_off, body_left};
            msghdr msg{};
            msg.msg_iov = iov;
            msg.msg_iovlen = static_cast<std::size_t>(n);
            const ssize_t w = ::sendmsg(c.fd, &msg, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) return set_events(c, EPOLLOUT);
                return close_conn(c.id);
            }
            std::size_t left = static_cast<std::size_t>(w);
            const std::size_t h = std::min(left, head_left);
            c.head_off += h;
            left -= h;
            c.body_off += left;
            c.last_active = now;
            set_deadline(c, Deadline::write, now);
        }
    }

    void finish_response(Conn& c, Clock::time_point now) {
        ++n_requests;
        if (c.streaming) {
            c.stream.res->content_provider_success_ = true;
            c.stream = Stream{};
            c.streaming = false;
        }
        c.out_head.clear();
        c.out_body.clear();
        c.out_head.shrink_to_fit();
        c.out_body.shrink_to_fit();
        if (c.close_after || stopping) {
            ::shutdown(c.fd, SHUT_WR);
            return close_conn(c.id);
        }
        c.phase = Phase::reading;
        set_deadline(c, c.in.empty() ? Deadline::idle : Deadline::header, now);
        set_events(c, EPOLLIN);
        if (!c.in.empty()) try_parse(c, now);  // a pipelined request is already here
    }

    void take_done(Clock::time_point now) {
        std::vector<Done> batch;
        {
            std::lock_guard lk(done_mu);
            batch.swap(done);
        }
        for (auto& d : batch) {
            auto it = conns.find(d.id);
            if (it == conns.end()) continue;  // closed meanwhile; the answer is dropped
            if (d.is_piece)
                on_piece(*it->second, d, now);
            else
                on_result(*it->second, d, now);
        }
    }

    void sweep(Clock::time_point now) {
        std::vector<std::pair<std::uint64_t, Deadline>> expired;
        for (auto& [id, c] : conns)
            if (c->deadline_kind != Deadline::none && now >= c->deadline) expired.emplace_back(id, c->deadline_kind);
        for (auto& [id, kind] : expired) {
            ++n_timeouts;
            auto it = conns.find(id);
            if (it == conns.end()) continue;
            Conn& c = *it->second;
            // A request that began but did not arrive in time is told so (nginx answers 408 too).
            if ((kind == Deadline::header && !c.in.empty()) || kind == Deadline::body) {
                c.deadline_kind = Deadline::write;  // the 408 itself gets write_timeout
                c.deadline = now + cfg.write_timeout;
                send_final(c, error_response(408, "request not received in time"), now);
            } else {
                close_conn(id);
            }
        }
        if (!accepting && conns.size() < max_conns) resume_accepting();
    }
};

Server::Server(ServerConfig config, const Router& router) : impl_(std::make_unique<Impl>(std::move(config), router)) {}

Server::~Server() { stop(); }

int Server::bind() {
    Impl& m = *impl_;
    // Every connection is a file descriptor: take what the hard limit allows.
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 1 << 16);
        ::setrlimit(RLIMIT_NOFILE, &rl);
        ::getrlimit(RLIMIT_NOFILE, &rl);
    }
    const std::size_t fd_room = rl.rlim_cur > 128 ? static_cast<std::size_t>(rl.rlim_cur) - 96 : 32;
    m.max_conns = std::min(m.cfg.max_connections, fd_room);

    addrinfo hints{}, *found = nullptr;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    const std::string port = std::to_string(m.cfg.port);
    const int rc = ::getaddrinfo(m.cfg.host.empty() ? nullptr : m.cfg.host.c_str(), port.c_str(), &hints, &found);
    if (rc != 0) throw std::runtime_error("cannot resolve " + m.cfg.host + ": " + ::gai_strerror(rc));
    std::string why = "no address";
    for (addrinfo* a = found; a && m.listen_fd < 0; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        const int one = 1, zero = 0;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (a->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, m.cfg.backlog) == 0) {
            m.listen_fd = fd;
        } else {
            why = std::strerror(errno);
            ::close(fd);
        }
    }
    ::freeaddrinfo(found);
    if (m.listen_fd < 0) throw std::runtime_error("cannot listen on " + m.cfg.host + ":" + port + ": " + why);
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    ::getsockname(m.listen_fd, reinterpret_cast<sockaddr*>(&addr), &len);
    const int bound = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                                 : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);

    m.ep = ::epoll_create1(EPOLL_CLOEXEC);
    m.wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m.ep < 0 || m.wake_fd < 0) throw std::runtime_error(std::string("epoll: ") + std::strerror(errno));
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.u64 = kListenId;
    ::epoll_ctl(m.ep, EPOLL_CTL_ADD, m.listen_fd, &e);
    e.data.u64 = kWakeId;
    ::epoll_ctl(m.ep, EPOLL_CTL_ADD, m.wake_fd, &e);
    return bound;
}

void Server::run() {
    Impl& m = *impl_;
    if (m.listen_fd < 0) throw std::logic_error("Server::run() before bind()");
    const int threads = m.cfg.worker_threads > 0
                            ? m.cfg.worker_threads
                            : std::max(8, 2 * static_cast<int>(std::thread::hardware_concurrency()));
    m.pool = std::make_unique<WorkerPool>(threads);
    running_ = true;
    auto last_sweep = Clock::now();
    epoll_event events[256];
    while (!m.stopping) {
        const int n = ::epoll_wait(m.ep, events, 256, static_cast<int>(kSweepEvery.count()));
        const auto now = Clock::now();
        for (int i = 0; i < n; ++i) {
            const std::uint64_t id = events[i].data.u64;
            const std::uint32_t ev = events[i].events;
            if (id == kListenId) {
                m.accept_all(now);
                continue;
            }
            if (id == kWakeId) {
                std::uint64_t v;
                [[maybe_unused]] auto r = ::read(m.wake_fd, &v, sizeof v);
                continue;
            }
            auto it = m.conns.find(id);
            if (it == m.conns.end()) continue;
            Conn& c = *it->second;
            if ((ev & (EPOLLERR | EPOLLHUP)) && !(ev & EPOLLIN)) {
                m.close_conn(id);
                continue;
            }
            if ((ev & EPOLLIN) && c.phase == Phase::reading) {
                m.on_readable(c, now);
                if (m.conns.find(id) == m.conns.end()) continue;
            }
            if ((ev & EPOLLOUT) && c.phase == Phase::writing) m.on_writable(c, now);
        }
        m.take_done(now);
        if (now - last_sweep >= kSweepEvery) {
            m.sweep(now);
            last_sweep = now;
        }
    }
    running_ = false;
    m.pool->shutdown();
    for (auto& [id, c] : m.conns) ::close(c->fd);
    m.conns.clear();
    m.n_open = 0;
}

void Server::stop() {
    impl_->stopping = true;
    if (impl_->wake_fd >= 0) impl_->wake();
}

ServerStats Server::stats() const {
    ServerStats s;
    s.connections_open = impl_->n_open;
    s.connections_accepted = impl_->n_accepted;
    s.requests = impl_->n_requests;
    s.timeouts = impl_->n_timeouts;
    s.bad_requests = impl_->n_bad;
    if (impl_->pool) {
        s.worker_threads = impl_->pool->size();
        s.busy_workers = impl_->pool->busy();
    }
    return s;
}

std::string Server::answer_bytes(const Router& router, std::string_view bytes, const Limits& limits) {
    std::string in(bytes), out;
    RequestParser parser(limits);
    for (int i = 0; i < 1000 && !in.empty(); ++i) {
        const auto st = parser.advance(in);
        if (st == RequestParser::State::error) {
            out += error_response(parser.error_status(), parser.error_message());
            break;
        }
        if (st != RequestParser::State::complete) break;
        httplib::Request req = std::move(parser.request());
        const bool keep = parser.keep_alive();
        in.erase(0, parser.consumed());
        parser.reset();
        httplib::Response res;
        router.handle(req, res);
        Outgoing o = serialize_response(req, res, keep);
        out += o.head;
        out += o.body;
        bool cut = false;
        if (o.streaming) {
            for (std::size_t offset = 0, empty = 0; empty < 1000;) {
                std::string piece;
                bool done = false, ok = true;
                produce_piece(res, offset, o.length, o.chunked, piece, done, ok);
                if (!ok) {  // cut: the connection is closed, as on_piece does
                    cut = true;
                    break;
                }
                empty = piece.empty() ? empty + 1 : 0;
                offset += piece.size();
                if (o.chunked) {
                    if (!piece.empty()) out += hex(piece.size()) + "\r\n" + piece + "\r\n";
                    if (done) {
                        out += "0\r\n\r\n";
                        break;
                    }
                } else {
                    out += piece;
                    if (offset >= o.length) break;
                }
            }
        }
        if (!keep || cut) break;
    }
    return out;
}

}  // namespace tblog::view::http
