// The address guard: names resolved here are checked against private and
// loopback ranges before libcurl connects, and direct sockets are refused
// when they would reach one.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "crawler/fetcher_impl.h"
#include "crawler/parse/url.h"
#include "crawler/scope.h"

namespace leakwatch::crawler {
namespace fetch_detail {
namespace {

bool is_onion(std::string_view url) {
  auto parts = parse_url(url);
  return parts && (parts->host.ends_with(".onion"));
}

}  // namespace

std::string onion_hint(std::string_view url, const std::string& proxy) {
  if (!is_onion(url) || proxy.starts_with("socks5h://") || proxy.starts_with("socks4a://")) return "";
  if (proxy.empty()) return " (a .onion host needs a Tor proxy: proxy = \"socks5h://127.0.0.1:9050\")";
  return " (a .onion name must be resolved by the proxy: use socks5h://, not " +
         proxy.substr(0, proxy.find(':')) + "://)";
}

bool resolves_before_proxy(const std::string& proxy) {
  std::string scheme = lower(proxy.substr(0, proxy.find("://")));
  return scheme == "socks5" || scheme == "socks4" || scheme == "http" || scheme == "https";
}

PinnedHost pin_public_host(const std::string& url, const std::string& proxy) {
  PinnedHost out;
  auto parts = parse_url(url);
  if (!parts) return out;  // libcurl reports a bad URL itself
  std::string host = parts->host;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  int port = parts->port != 0 ? parts->port : (parts->scheme == "https" ? 443 : 80);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found);
  if (rc != 0) {
    out.error = FetchError::kResolve;
    out.cause = "could not resolve host " + host + ": " + gai_strerror(rc) + onion_hint(url, proxy);
    return out;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, freeaddrinfo);
  std::set<std::string> addresses;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    char ip[INET6_ADDRSTRLEN] = {};
    if (a->ai_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr, ip, sizeof ip);
    } else if (a->ai_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr, ip, sizeof ip);
    } else {
      continue;
    }
    if (is_private_ip(ip)) {
      out.error = FetchError::kPrivateAddress;
      out.cause = "refused: the host resolves to a private address (set allow_private = true to permit)";
      return out;
    }
    addresses.insert(a->ai_family == AF_INET6 ? "[" + std::string(ip) + "]" : std::string(ip));
  }
  out.resolve = host + ":" + std::to_string(port) + ":";
  for (const auto& a : addresses) out.resolve += (out.resolve.back() == ':' ? "" : ",") + a;
  return out;
}

}  // namespace fetch_detail

curl_socket_t Fetcher::Impl::on_open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  char ip[INET6_ADDRSTRLEN] = {};
  if (address->family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address->addr)->sin_addr, ip, sizeof ip);
  } else if (address->family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address->addr)->sin6_addr, ip, sizeof ip);
  }
  // Checked before connecting: a private host never sees a packet from us.
  if (purpose == CURLSOCKTYPE_IPCXN && (ip[0] == '\0' || is_private_ip(ip))) {
    t->private_refused = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

}  // namespace leakwatch::crawler
