// DNS-rebinding defence: which Host headers a request may carry.
//
// A page on another origin whose name an attacker points at 127.0.0.1 reaches a server on
// this machine with its own name in Host; refusing names we were not started under stops it
// reading the data (Jupyter's check_host does the same). Enforced when the server listens on
// a loopback address only, or whenever --allowed_hosts is given:
//   allowed: localhost, any loopback IP literal (127.0.0.1, [::1], ...), the --host name, and
//            every --allowed_hosts entry ("*" allows any Host)
// The port in a Host header is ignored. Bound to other addresses (--bind_all, a LAN address)
// without --allowed_hosts, any Host passes: the server is reachable under those names anyway.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tblog::view::http {

class HostCheck {
public:
    HostCheck() = default;  // allows everything
    HostCheck(const std::string& bound_host, bool bind_all, const std::vector<std::string>& allowed_hosts);

    bool enforcing() const { return enforcing_; }
    // `host_header`: the request's Host value ("name", "name:port", "[v6]:port"); empty if absent.
    bool allowed(std::string_view host_header) const;

private:
    bool enforcing_ = false;
    bool any_ = false;
    std::vector<std::string> names_;  // lower-case, without port or brackets
};

// "Name:8080" -> "name"; "[::1]:6006" -> "::1".
std::string host_without_port(std::string_view host_header);

// Whether `host` (a name or IP literal, no port) is a loopback address; names are resolved.
bool is_loopback_host(const std::string& host);

}  // namespace tblog::view::http
