// Many polling clients against tblog-view's HTTP server, beside a live writer.
//
//   bench_clients [CLIENTS=200] [INTERVAL_MS=1000] [SECONDS=20] [IDLE=1000] [DIR]
//
// A viewer runs in a forked child (so its CPU time and threads are its own, read from /proc);
// this process writes the logdir (10 runs x 10 tags x 1,000 steps), keeps appending to run0
// (every tag, a step every 10 ms, flushed every 10 steps; the viewer rescans every second), and
// drives every client from ONE epoll thread with non-blocking keep-alive sockets, so the load
// generator costs little next to the server it measures (its own CPU is reported too).
//
// Each client polls the web UI's scalar routes in turn (Accept-Encoding: gzip, as a browser):
// 4 in 10 the batched chart form without cursors (POST /data/tblog/scalars_multirun, one tag
// for all 10 runs, 500 buckets: a card's first load), 3 in 10 the same with every run's cursor
// (a card's live reload: only newer points), 2 in 10 TensorBoard's full series
// (/data/plugin/scalars/scalars?run=&tag=) and 1 in 10 /data/runs.
//
// Phases: (1) IDLE connections each make one request and then stay open, idle: the server's
// thread count, its running threads and its CPU time over 3 s, before and after (/proc), and
// its own count of busy workers; (2) CLIENTS clients each sending a request every INTERVAL_MS
// (a TensorBoard tab reloads every 30 s, about 30 cards on screen: ~1 request/s per open tab);
// (3) the same clients in a closed loop (the next request as soon as the answer is in): the
// saturated throughput; (2) and (3) again with every request made unique (no answer reused).
// Latency is from the request's send to its last byte; an answer is a complete 200 response, a
// failure anything else (error status, reset, 10 s without answer).
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <tblog/writer.hpp>

#include "http/server.hpp"
#include "viewer.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr int kRuns = 10, kTags = 10, kSteps = 1000;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::string run_name(int r) { return "run" + std::to_string(r); }
std::string tag_name(int t) { return "metrics/tag" + std::to_string(t); }

void write_logdir(const fs::path& dir) {
    fs::remove_all(dir);
    for (int r = 0; r < kRuns; ++r) {
        tblog::SummaryWriter w((dir / run_name(r)).string());
        for (int s = 0; s < kSteps; ++s)
            for (int t = 0; t < kTags; ++t) w.add_scalar(tag_name(t), std::sin(0.01 * s + t) + 0.1 * r, s);
    }
}

// ---- the server's side, read from /proc ----

struct ProcCpu {
    double seconds = 0;
    int threads = 0, running = 0;
};

double ticks_to_s(long long t) { return static_cast<double>(t) / static_cast<double>(sysconf(_SC_CLK_TCK)); }

// utime + stime and the state of one /proc/.../stat file.
bool read_stat(const fs::path& p, double& cpu, char& state) {
    std::ifstream f(p);
    std::string s((std::istreambuf_iterator<char>(f)), {});
    const auto close = s.rfind(')');
    if (close == std::string::npos) return false;
    std::istringstream in(s.substr(close + 2));
    std::string field;
    std::vector<std::string> v;
    while (in >> field) v.push_back(field);
    if (v.size() < 13) return false;
    state = v[0][0];
    cpu = ticks_to_s(std::stoll(v[11]) + std::stoll(v[12]));  // fields 14 and 15 of stat
    return true;
}

ProcCpu proc_cpu(pid_t pid) {
    ProcCpu out;
    char state = 0;
    read_stat(fs::path("/proc") / std::to_string(pid) / "stat", out.seconds, state);
    std::error_code ec;
    for (const auto& t : fs::directory_iterator(fs::path("/proc") / std::to_string(pid) / "task", ec)) {
        double cpu = 0;
        if (!read_stat(t.path() / "stat", cpu, state)) continue;
        ++out.threads;
        out.running += state == 'R';
    }
    return out;
}

double load_average() {
    double l = 0;
    std::ifstream("/proc/loadavg") >> l;
    return l;
}

// ---- the viewer child: serves until told to stop; answers "stats?" on a pipe ----

struct ChildStats {
    std::uint64_t connections_open, requests;
    int worker_threads, busy_workers;
};

[[noreturn]] void serve_child(const fs::path& dir, int to_parent, int from_parent) {
    tblog::view::Options o;
    o.logdirs.push_back({"", dir});
    o.port = 0;
    o.reload_interval = 1.0;
    tblog::view::Viewer v(o);
    v.start();
    v.loader().wait_for_passes(1, std::chrono::minutes(5));
    const int port = v.port();
    (void)!write(to_parent, &port, sizeof port);
    char cmd;
    while (read(from_parent, &cmd, 1) == 1 && cmd == 's') {
        const auto st = v.http_stats();
        ChildStats cs{st.connections_open, st.requests, st.worker_threads, st.busy_workers};
        (void)!write(to_parent, &cs, sizeof cs);
    }
    v.stop();
    _exit(0);
}

// ---- the clients: one epoll thread, non-blocking keep-alive sockets ----

struct Client {
    int fd = -1;
    bool connected = false, busy = false;  // busy: a request is out, its answer not complete
    std::string out, in;
    std::size_t out_off = 0;
    Clock::time_point sent, due;
    long seq = 0, answered = 0;
};

struct Tally {
    std::vector<double> ms;
    long answered = 0, failed = 0, bytes = 0;
    int unanswered_clients = 0;
};

class Driver {
public:
    Driver(int port, std::vector<std::string> cursors) : port_(port), cursors_(std::move(cursors)) {
        ep_ = epoll_create1(EPOLL_CLOEXEC);
    }
    ~Driver() {
        for (auto& c : clients_) if (c.fd >= 0) ::close(c.fd);
        ::close(ep_);
    }

    // Opens n connections (not yet sending).
    void open(std::size_t n) {
        const std::size_t first = clients_.size();
        clients_.resize(first + n);
        for (std::size_t i = first; i < clients_.size(); ++i) connect(i);
    }
    std::size_t size() const { return clients_.size(); }
    // Every request made unique by an extra parameter the routes ignore (as a cache-busting
    // "&_=N"): no answer can be reused, so each is computed, as without the answer cache.
    void set_unique(bool on) { unique_ = on; }
    void close_from(std::size_t first) {
        for (std::size_t i = first; i < clients_.size(); ++i) if (clients_[i].fd >= 0) ::close(clients_[i].fd);
        clients_.resize(first);
    }

    // Clients [first, last) poll every `interval` (0: closed loop) for `duration`.
    Tally poll(std::size_t first, std::size_t last, std::chrono::milliseconds interval, std::chrono::seconds duration,
               bool once = false) {
        Tally t;
        const auto start = Clock::now(), end = start + duration;
        for (std::size_t i = first; i < last; ++i) {
            Client& c = clients_[i];
            c.answered = 0;
            // spread the first requests over one interval, not all in one instant
            c.due = start + (interval.count() ? interval * static_cast<long>(i - first) / static_cast<long>(last - first)
                                              : std::chrono::milliseconds(0));
        }
        epoll_event evs[256];
        for (;;) {
            const auto now = Clock::now();
            bool any_busy = false;
            auto next = end;
            for (std::size_t i = first; i < last; ++i) {
                Client& c = clients_[i];
                if (c.busy) {
                    any_busy = true;
                    if (now - c.sent > 10s) fail(i, t);  // no answer within 10 s
                    continue;
                }
                if (now >= end || (once && c.answered)) continue;
                if (c.connected && now >= c.due) send(i, t);
                else if (c.connected) next = std::min(next, c.due);
                any_busy = any_busy || c.busy;
            }
            if (now >= end && !any_busy) break;
            if (once && !any_busy &&
                std::all_of(clients_.begin() + first, clients_.begin() + last, [](const Client& c) { return c.answered > 0; }))
                break;
            const int wait_ms = static_cast<int>(
                std::clamp<long>(std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count(), 0, 100));
            const int n = epoll_wait(ep_, evs, 256, any_busy ? std::min(wait_ms, 100) : wait_ms);
            for (int k = 0; k < n; ++k) {
                const std::size_t i = evs[k].data.u64;
                if (i >= clients_.size()) continue;
                Client& c = clients_[i];
                if (!c.connected && (evs[k].events & EPOLLOUT)) {
                    int err = 0;
                    socklen_t len = sizeof err;
                    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
                    if (err) { reconnect(i); continue; }
                    c.connected = true;
                    watch(i, EPOLLIN);
                    continue;
                }
                if (evs[k].events & EPOLLOUT) flush(i, t);
                if (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) receive(i, t, interval);
            }
        }
        for (std::size_t i = first; i < last; ++i) t.unanswered_clients += clients_[i].answered == 0;
        return t;
    }

private:
    void watch(std::size_t i, std::uint32_t ev, int op = EPOLL_CTL_MOD) {
        epoll_event e{};
        e.events = ev;
        e.data.u64 = i;
        epoll_ctl(ep_, op, clients_[i].fd, &e);
    }

    void connect(std::size_t i) {
        Client& c = clients_[i];
        c = Client{};
        c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        const int one = 1;
        setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port_));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const int rc = ::connect(c.fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
        c.connected = rc == 0;
        watch(i, c.connected ? EPOLLIN : EPOLLOUT, EPOLL_CTL_ADD);
    }

    void reconnect(std::size_t i) {
        epoll_ctl(ep_, EPOLL_CTL_DEL, clients_[i].fd, nullptr);
        ::close(clients_[i].fd);
        const long seq = clients_[i].seq, answered = clients_[i].answered;
        const auto due = clients_[i].due;
        connect(i);
        clients_[i].seq = seq;
        clients_[i].answered = answered;
        clients_[i].due = due;
    }

    void fail(std::size_t i, Tally& t) {
        ++t.failed;
        reconnect(i);
    }

    std::string request(std::size_t i, long seq) {
        const int kind = static_cast<int>((i + static_cast<std::size_t>(seq)) % 10);
        const std::string tag = tag_name(static_cast<int>((i + seq) % kTags));
        const std::string common = " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip, deflate\r\n";
        const std::string bust = unique_ ? "&_=" + std::to_string(++unique_seq_) : "";
        if (kind == 9) return "GET /data/runs" + common + "\r\n";
        if (kind >= 7) {
            return "GET /data/plugin/scalars/scalars?run=" + run_name(static_cast<int>((i * 7 + seq) % kRuns)) +
                   "&tag=" + httplib::detail::encode_query_param(tag) + bust + common + "\r\n";
        }
        std::string form = "tag=" + httplib::detail::encode_query_param(tag) + "&buckets=500" + bust;
        for (int r = 0; r < kRuns; ++r) {
            form += "&runs=" + run_name(r);
            if (kind >= 4) form += "&since=" + httplib::detail::encode_query_param(cursors_[r]);
        }
        return "POST /data/tblog/scalars_multirun" + common +
               "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + std::to_string(form.size()) +
               "\r\n\r\n" + form;
    }

    void send(std::size_t i, Tally& t) {
        Client& c = clients_[i];
        c.out = request(i, c.seq++);
        c.out_off = 0;
        c.in.clear();
        c.busy = true;
        c.sent = Clock::now();
        flush(i, t);
    }

    void flush(std::size_t i, Tally& t) {
        Client& c = clients_[i];
        while (c.out_off < c.out.size()) {
            const ssize_t w = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
            if (w < 0 && errno == EAGAIN) return watch(i, EPOLLIN | EPOLLOUT);
            if (w < 0) return fail(i, t);
            c.out_off += static_cast<std::size_t>(w);
        }
        watch(i, EPOLLIN);
    }

    // Length of the complete response at the start of `in`, or 0 if it is not all here yet.
    static std::size_t complete(const std::string& in, int& status) {
        const auto end = in.find("\r\n\r\n");
        if (end == std::string::npos || in.size() < 12) return 0;
        status = std::atoi(in.c_str() + 9);
        const std::string_view head(in.data(), end);
        const auto cl = head.find("Content-Length: ");
        if (cl != std::string_view::npos) {
            const std::size_t n = std::strtoull(head.data() + cl + 16, nullptr, 10);
            return in.size() >= end + 4 + n ? end + 4 + n : 0;
        }
        const auto last = in.find("\r\n0\r\n\r\n", end);  // chunked
        return last == std::string::npos ? 0 : last + 7;
    }

    void receive(std::size_t i, Tally& t, std::chrono::milliseconds interval) {
        Client& c = clients_[i];
        char buf[64 << 10];
        for (;;) {
            const ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
            if (r > 0) {
                c.in.append(buf, static_cast<std::size_t>(r));
                continue;
            }
            if (r < 0 && errno == EAGAIN) break;
            // closed or reset: a request in flight failed; an idle connection reconnects
            if (c.busy) return fail(i, t);
            return reconnect(i);
        }
        if (!c.busy) return;
        int status = 0;
        const std::size_t n = complete(c.in, status);
        if (!n) return;
        const auto now = Clock::now();
        c.busy = false;
        if (status != 200) {
            ++t.failed;
        } else {
            ++t.answered;
            ++c.answered;
            t.bytes += static_cast<long>(n);
            t.ms.push_back(std::chrono::duration<double, std::milli>(now - c.sent).count());
        }
        c.in.erase(0, n);
        c.due = interval.count() ? std::max(c.due + interval, now) : now;
    }

    int port_, ep_;
    bool unique_ = false;
    long unique_seq_ = 0;
    std::vector<std::string> cursors_;
    std::vector<Client> clients_;
};

double thread_cpu_s() {
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double pct(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

}  // namespace

int main(int argc, char** argv) {
    const int clients = argc > 1 ? std::atoi(argv[1]) : 200;
    const auto interval = std::chrono::milliseconds(argc > 2 ? std::atoi(argv[2]) : 1000);
    const auto duration = std::chrono::seconds(argc > 3 ? std::atoi(argv[3]) : 20);
    const int idle = argc > 4 ? std::atoi(argv[4]) : 1000;
    const fs::path dir = argc > 5 ? fs::path(argv[5]) : fs::temp_directory_path() / "tblog-bench-clients";

    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);

    write_logdir(dir);
    int up[2], down[2];
    if (pipe(up) != 0 || pipe(down) != 0) return 1;
    const pid_t pid = fork();
    if (pid == 0) {
        close(up[0]);
        close(down[1]);
        serve_child(dir, up[1], down[0]);
    }
    close(up[1]);
    close(down[0]);
    int port = 0;
    if (read(up[0], &port, sizeof port) != sizeof port) return 1;
    std::fprintf(stderr, "viewer: pid %d, port %d\n", static_cast<int>(pid), port);  // e.g. for perf record -p
    auto child_stats = [&] {
        ChildStats cs{};
        (void)!write(down[1], "s", 1);
        (void)!read(up[0], &cs, sizeof cs);
        return cs;
    };

    // The cursors a client holds once it has every run's series as loaded (what a live
    // reload sends): from one real answer.
    std::vector<std::string> cursors(kRuns);
    {
        httplib::Client cli("127.0.0.1", port);
        std::string form = "tag=" + httplib::detail::encode_query_param(tag_name(0)) + "&buckets=500";
        for (int r = 0; r < kRuns; ++r) form += "&runs=" + run_name(r);
        auto res = cli.Post("/data/tblog/scalars_multirun", form, "application/x-www-form-urlencoded");
        if (!res || res->status != 200) return std::fprintf(stderr, "viewer did not answer\n"), 1;
        const auto j = nlohmann::json::parse(res->body);
        for (int r = 0; r < kRuns; ++r) cursors[r] = j.at(run_name(r)).at("cursor").get<std::string>();
    }

    std::atomic<bool> stop{false};
    std::atomic<long> written{kSteps};
    std::thread writer([&] {
        tblog::SummaryWriter w((dir / run_name(0)).string());
        for (long s = kSteps; !stop; ++s) {
            for (int t = 0; t < kTags; ++t) w.add_scalar(tag_name(t), std::sin(0.01 * s + t), s);
            written = s + 1;
            if (s % 10 == 0) w.flush();
            std::this_thread::sleep_for(10ms);
        }
    });

    std::printf("Logdir: %d runs x %d tags x %d steps; writer appends to run0 (%d tags, a step per 10 ms); "
                "viewer rescans every 1 s, %u cores.\n\n",
                kRuns, kTags, kSteps, kTags, std::thread::hardware_concurrency());

    Driver d(port, cursors);
    // (1) idle kept-alive connections
    if (idle > 0) {
        const ProcCpu before = proc_cpu(pid);
        const ChildStats sb = child_stats();
        d.open(static_cast<std::size_t>(idle));
        const Tally first = d.poll(0, d.size(), 0ms, 30s, true);  // one request each, then idle
        std::this_thread::sleep_for(1s);
        const ChildStats sa = child_stats();
        const ProcCpu a0 = proc_cpu(pid);
        int running_max = 0;
        for (int i = 0; i < 30; ++i) {
            std::this_thread::sleep_for(100ms);
            running_max = std::max(running_max, proc_cpu(pid).running);
        }
        const ProcCpu a1 = proc_cpu(pid);
        std::printf("| idle kept-alive connections | server threads | busy workers (server's count) | "
                    "most threads running at once (30 samples of /proc) | server CPU over 3 s |\n|---|---|---|---|---|\n");
        std::printf("| 0 | %d | %d of %d | - | - |\n", before.threads, sb.busy_workers, sb.worker_threads);
        std::printf("| %llu (each answered once: %ld, failed %ld) | %d | %d of %d | %d | %.2f s |\n\n",
                    static_cast<unsigned long long>(sa.connections_open), first.answered, first.failed, a1.threads,
                    sa.busy_workers, sa.worker_threads, running_max, a1.seconds - a0.seconds);
        d.close_from(0);
    }

    // (2) paced and (3) closed-loop polling
    std::printf("| %d clients for %lld s | answered | failed | clients never answered | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) "
                "| requests/s | MB/s | server CPU (s) | server CPU per request (us) | client thread CPU (s) | load average |\n"
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
                clients, static_cast<long long>(duration.count()));
    d.open(static_cast<std::size_t>(clients));
    for (const auto& [iv, unique] : {std::pair{interval, false}, std::pair{std::chrono::milliseconds(0), false},
                                     std::pair{interval, true}, std::pair{std::chrono::milliseconds(0), true}}) {
        d.set_unique(unique);
        const ProcCpu c0 = proc_cpu(pid);
        const double me0 = thread_cpu_s();
        const auto t0 = Clock::now();
        Tally t = d.poll(0, d.size(), iv, duration);
        const double wall = since(t0), cpu = proc_cpu(pid).seconds - c0.seconds, me = thread_cpu_s() - me0;
        std::sort(t.ms.begin(), t.ms.end());
        const std::string what = (iv.count() ? "every " + std::to_string(iv.count()) + " ms" : std::string("closed loop")) +
                                 (unique ? ", every request unique (no answer reused)" : "");
        std::printf("| %s | %ld | %ld | %d | %.1f | %.1f | %.1f | %.1f | %.0f | %.1f | %.2f | %.0f | %.2f | %.1f |\n",
                    what.c_str(), t.answered, t.failed, t.unanswered_clients, pct(t.ms, 0.5), pct(t.ms, 0.9),
                    pct(t.ms, 0.99), t.ms.empty() ? 0.0 : t.ms.back(), static_cast<double>(t.answered) / wall,
                    static_cast<double>(t.bytes) / wall / 1e6, cpu, t.answered ? cpu / static_cast<double>(t.answered) * 1e6 : 0.0,
                    me, load_average());
        std::fflush(stdout);
    }
    stop = true;
    writer.join();
    std::printf("\nwriter reached step %ld\n", written.load());
    close(down[1]);
    waitpid(pid, nullptr, 0);
    fs::remove_all(dir);
    return 0;
}
