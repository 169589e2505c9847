// Raw-socket HTTP clients for the server tests: connections that send exactly the bytes a
// test chooses (dribbled, pipelined, malformed) and read whatever comes back.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>

namespace vtest {

class RawConn {
public:
    explicit RawConn(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + " failed");
        const int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~RawConn() {
        if (fd_ >= 0) ::close(fd_);
    }
    RawConn(const RawConn&) = delete;
    RawConn& operator=(const RawConn&) = delete;
    RawConn(RawConn&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }

    // False if the peer has closed the connection.
    bool send(const std::string& bytes) {
        std::size_t off = 0;
        while (off < bytes.size()) {
            const ssize_t w = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (w <= 0) return false;
            off += static_cast<std::size_t>(w);
        }
        return true;
    }

    // Reads until `until` appears in what was read, the peer closes, or `timeout` passes.
    std::string read_until(const std::string& until, std::chrono::milliseconds timeout) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (buf_.find(until) == std::string::npos) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
            char b[65536];
            const ssize_t r = ::recv(fd_, b, sizeof b, 0);
            if (r <= 0) {
                closed_ = true;
                break;
            }
            buf_.append(b, static_cast<std::size_t>(r));
        }
        std::string out;
        out.swap(buf_);
        return out;
    }

    // One whole response (head and Content-Length body) or "" after `timeout`.
    std::string read_response(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        std::string got = read_until("\r\n\r\n", timeout);
        const auto head_end = got.find("\r\n\r\n");
        if (head_end == std::string::npos) return "";
        std::size_t length = 0;
        const auto cl = got.find("Content-Length: ");
        if (cl != std::string::npos && cl < head_end) length = std::stoull(got.substr(cl + 16));
        while (got.size() < head_end + 4 + length && std::chrono::steady_clock::now() < end) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            std::string more = read_until(std::string(1, '\0') + "never", left);
            if (more.empty()) break;
            got += more;
        }
        if (got.size() > head_end + 4 + length) {  // the start of a pipelined answer
            buf_ = got.substr(head_end + 4 + length);
            got.resize(head_end + 4 + length);
        }
        return got;
    }

    // True once the server has closed its side (reads EOF within `timeout`).
    bool closed_by_peer(std::chrono::milliseconds timeout) {
        read_until(std::string(1, '\0') + "never", timeout);
        return closed_;
    }

    int fd() const { return fd_; }

private:
    int fd_ = -1;
    bool closed_ = false;
    std::string buf_;
};

inline int status_of(const std::string& response) {
    return response.size() > 12 && response.rfind("HTTP/1.", 0) == 0 ? std::stoi(response.substr(9, 3)) : 0;
}

inline std::string body_of(const std::string& response) {
    const auto at = response.find("\r\n\r\n");
    return at == std::string::npos ? "" : response.substr(at + 4);
}

}  // namespace vtest
