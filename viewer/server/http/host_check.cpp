#include "http/host_check.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace tblog::view::http {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// 1: loopback IP literal, 0: other IP literal, -1: not an IP literal.
int loopback_literal(const std::string& h) {
    in_addr a4{};
    in6_addr a6{};
    if (::inet_pton(AF_INET, h.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127 ? 1 : 0;
    if (::inet_pton(AF_INET6, h.c_str(), &a6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&a6)) return 1;
        if (IN6_IS_ADDR_V4MAPPED(&a6)) return a6.s6_addr[12] == 127 ? 1 : 0;
        return 0;
    }
    return -1;
}

}  // namespace

std::string host_without_port(std::string_view h) {
    while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.remove_suffix(1);
    if (!h.empty() && h.front() == '[') {
        const auto close = h.find(']');
        return lower(close == std::string_view::npos ? h.substr(1) : h.substr(1, close - 1));
    }
    const auto colon = h.find(':');
    // More than one colon without brackets: a bare IPv6 literal, no port.
    if (colon != std::string_view::npos && h.find(':', colon + 1) == std::string_view::npos) h = h.substr(0, colon);
    if (!h.empty() && h.back() == '.') h.remove_suffix(1);  // "localhost." is localhost
    return lower(h);
}

bool is_loopback_host(const std::string& host) {
    const std::string h = host_without_port(host);
    const int lit = loopback_literal(h);
    if (lit >= 0) return lit == 1;
    if (h == "localhost") return true;
    addrinfo hints{}, *found = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    if (::getaddrinfo(h.c_str(), nullptr, &hints, &found) != 0) return false;
    bool all_loopback = found != nullptr;
    for (addrinfo* a = found; a; a = a->ai_next) {
        char text[INET6_ADDRSTRLEN] = {};
        const void* addr = a->ai_family == AF_INET ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                                                   : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
        ::inet_ntop(a->ai_family, addr, text, sizeof text);
        all_loopback = all_loopback && loopback_literal(text) == 1;
    }
    ::freeaddrinfo(found);
    return all_loopback;
}

HostCheck::HostCheck(const std::string& bound_host, bool bind_all, const std::vector<std::string>& allowed_hosts) {
    enforcing_ = !allowed_hosts.empty() || (!bind_all && is_loopback_host(bound_host));
    names_.push_back("localhost");
    if (!bind_all && !bound_host.empty()) names_.push_back(host_without_port(bound_host));
    for (const auto& a : allowed_hosts) {
        if (a == "*") any_ = true;
        names_.push_back(host_without_port(a));
    }
}

bool HostCheck::allowed(std::string_view host_header) const {
    if (!enforcing_ || any_) return true;
    if (host_header.empty()) return true;  // HTTP/1.0 without Host: no browser sends that
    const std::string h = host_without_port(host_header);
    if (loopback_literal(h) == 1) return true;
    return std::find(names_.begin(), names_.end(), h) != names_.end();
}

}  // namespace tblog::view::http
