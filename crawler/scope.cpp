#include "crawler/scope.h"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include "core/errors.h"

namespace leakwatch::crawler {
namespace {

struct Ipv4Range {
  uint32_t network;
  int prefix;
};

// RFC 6890 special-purpose ranges a crawler must never reach from a market
// link: they are the operator's own network, not the dark web.
constexpr std::array<Ipv4Range, 13> kPrivateIpv4 = {{
    {0x00000000, 8},   // 0.0.0.0/8 "this network"
    {0x0A000000, 8},   // 10/8
    {0x64400000, 10},  // 100.64/10 CGNAT
    {0x7F000000, 8},   // 127/8 loopback
    {0xA9FE0000, 16},  // 169.254/16 link-local (cloud metadata lives here)
    {0xAC100000, 12},  // 172.16/12
    {0xC0000000, 24},  // 192.0.0/24
    {0xC0000200, 24},  // 192.0.2/24 TEST-NET-1
    {0xC0A80000, 16},  // 192.168/16
    {0xC6120000, 15},  // 198.18/15 benchmarking
    {0xC6336400, 24},  // 198.51.100/24 TEST-NET-2
    {0xCB007100, 24},  // 203.0.113/24 TEST-NET-3
    {0xE0000000, 3},   // 224/4 multicast and 240/4 reserved (incl. broadcast)
}};

bool private_ipv4(uint32_t address) {
  return std::any_of(kPrivateIpv4.begin(), kPrivateIpv4.end(), [&](const Ipv4Range& range) {
    uint32_t mask = range.prefix == 0 ? 0 : ~uint32_t{0} << (32 - range.prefix);
    return (address & mask) == range.network;
  });
}

bool private_ipv6(const unsigned char (&a)[16]) {
  bool zero_first_80 = std::all_of(a, a + 10, [](unsigned char b) { return b == 0; });
  uint32_t last32 = (uint32_t{a[12]} << 24) | (uint32_t{a[13]} << 16) | (uint32_t{a[14]} << 8) | a[15];
  if (zero_first_80 && a[10] == 0xff && a[11] == 0xff) return private_ipv4(last32);  // ::ffff:v4
  if (zero_first_80 && a[10] == 0 && a[11] == 0) return true;  // ::, ::1, deprecated ::v4
  if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b) return private_ipv4(last32);  // NAT64
  if ((a[0] & 0xfe) == 0xfc) return true;                                         // fc00::/7 unique local
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return true;                         // fe80::/10 link-local
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) return true;                         // fec0::/10 site-local
  if (a[0] == 0xff) return true;                                                  // multicast
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8) return true;  // documentation
  return false;
}

std::string ends_trimmed(std::string_view text) {
  std::string out(text);
  if (out.size() >= 2 && out.front() == '[' && out.back() == ']') out = out.substr(1, out.size() - 2);
  // Drop an IPv6 zone id ("fe80::1%eth0"); the address decides.
  if (size_t zone = out.find('%'); zone != std::string::npos) out.resize(zone);
  return out;
}

std::vector<std::unique_ptr<re2::RE2>> compile(const std::vector<std::string>& patterns,
                                               std::string_view what, const std::string& source) {
  std::vector<std::unique_ptr<re2::RE2>> compiled;
  re2::RE2::Options options;
  options.set_log_errors(false);
  for (const std::string& pattern : patterns) {
    auto re = std::make_unique<re2::RE2>(pattern, options);
    if (!re->ok()) {
      throw ConfigError("source '" + source + "': bad " + std::string(what) + " pattern '" + pattern +
                        "': " + re->error());
    }
    compiled.push_back(std::move(re));
  }
  return compiled;
}

}  // namespace

std::string_view to_string(ScopeVerdict verdict) {
  switch (verdict) {
    case ScopeVerdict::kInScope:
      return "in scope";
    case ScopeVerdict::kBadUrl:
      return "bad URL";
    case ScopeVerdict::kPrivateAddress:
      return "private address";
    case ScopeVerdict::kDenied:
      return "denied";
    case ScopeVerdict::kNotAllowed:
      return "not allowed";
  }
  return "unknown";
}

bool is_private_ip(std::string_view ip) {
  std::string text = ends_trimmed(ip);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return private_ipv4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    unsigned char bytes[16];
    std::copy(v6.s6_addr, v6.s6_addr + 16, bytes);
    return private_ipv6(bytes);
  }
  return false;
}

bool is_private_host(std::string_view host) {
  std::string lower(host);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!lower.empty() && lower.back() == '.') lower.pop_back();
  if (lower == "localhost" || lower == "localhost.localdomain" || lower == "ip6-localhost" ||
      lower == "ip6-loopback") {
    return true;
  }
  constexpr std::string_view kLocalhostSuffix = ".localhost";
  if (lower.size() > kLocalhostSuffix.size() &&
      lower.compare(lower.size() - kLocalhostSuffix.size(), kLocalhostSuffix.size(), kLocalhostSuffix) == 0) {
    return true;
  }
  return is_private_ip(lower);
}

Scope::Scope(const ScopeOptions& options)
    : allow_(compile(options.allow, "allow", options.source)),
      deny_(compile(options.deny, "deny", options.source)),
      allow_private_(options.allow_private),
      url_options_(options.url_options) {
  if (options.seeds.empty()) throw ConfigError("source '" + options.source + "': no seeds");
  for (const std::string& seed : options.seeds) {
    auto parts = parse_url(seed, url_options_);
    if (!parts) {
      throw ConfigError("source '" + options.source + "': bad seed '" + seed + "': " + parts.error());
    }
    if (!allow_private_ && is_private_host(parts->host)) {
      throw ConfigError("source '" + options.source + "': seed '" + seed +
                        "' is a private address; set allow_private = true to crawl it");
    }
    seeds_.push_back(parts->url());
    if (std::find(seed_authorities_.begin(), seed_authorities_.end(), parts->authority()) ==
        seed_authorities_.end()) {
      seed_authorities_.push_back(parts->authority());
    }
  }
}

Scope::~Scope() = default;
Scope::Scope(Scope&&) noexcept = default;
Scope& Scope::operator=(Scope&&) noexcept = default;

ScopeVerdict Scope::check(std::string_view url) const {
  auto parts = parse_url(url, url_options_);
  if (!parts) return ScopeVerdict::kBadUrl;
  if (!allow_private_ && is_private_host(parts->host)) return ScopeVerdict::kPrivateAddress;
  const std::string canonical = parts->url();
  for (const auto& re : deny_) {
    if (re2::RE2::PartialMatch(canonical, *re)) return ScopeVerdict::kDenied;
  }
  if (allow_.empty()) {
    bool seed_host = std::find(seed_authorities_.begin(), seed_authorities_.end(), parts->authority()) !=
                     seed_authorities_.end();
    return seed_host ? ScopeVerdict::kInScope : ScopeVerdict::kNotAllowed;
  }
  for (const auto& re : allow_) {
    if (re2::RE2::PartialMatch(canonical, *re)) return ScopeVerdict::kInScope;
  }
  return ScopeVerdict::kNotAllowed;
}

}  // namespace leakwatch::crawler
