// Which URLs a source may crawl: a Scope is built once per source from its
// seeds and its allow/deny RE2 patterns, and keeps the crawler on the market
// and off private networks.
//
// Rules, in order, for a URL (canonicalized first, see crawler/parse/url.h):
//   1. not http(s) or not parseable             -> kBadUrl
//   2. private/loopback/link-local IP literal, or "localhost", unless
//      allow_private                              -> kPrivateAddress
//   3. any deny pattern matches                   -> kDenied
//   4. allow patterns given: one must match; none given: the URL's host:port
//      must be one of the seeds' host:port       -> else kNotAllowed
//   5. otherwise                                  -> kInScope
// Patterns are RE2, matched unanchored (PartialMatch) against the canonical
// URL; anchor them yourself ("^https?://shop\.onion/").
//
// Host names are not resolved here: a DNS name that resolves to a private
// address must be checked at connect time with is_private_ip() (through Tor,
// names are resolved by the proxy and never reach us).
//
// Thread-safe: immutable after construction; share one Scope per source
// across workers. Patterns compile once, in the constructor.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/parse/url.h"

namespace re2 {
class RE2;
}

namespace leakwatch::crawler {

struct ScopeOptions {
  std::string source;              // the source's name, for error messages
  std::vector<std::string> seeds;  // absolute http(s) URLs
  std::vector<std::string> allow;  // RE2; empty: the seeds' hosts
  std::vector<std::string> deny;   // RE2
  bool allow_private = false;      // tests and the demo crawl 127.0.0.1
  UrlOptions url_options;          // session parameters for canonicalization
};

enum class ScopeVerdict { kInScope, kBadUrl, kPrivateAddress, kDenied, kNotAllowed };

// "in scope", "bad URL", "private address", "denied", "not allowed".
std::string_view to_string(ScopeVerdict verdict);

// True for an IP literal (IPv4 dotted quad, or IPv6 with or without brackets)
// in a loopback, private, link-local, CGNAT, unspecified, multicast or
// reserved range, including IPv4-mapped IPv6 forms of those. False for
// anything that is not an IP literal.
bool is_private_ip(std::string_view ip);

// True when `host` (as in a canonical URL) is a private IP literal or a
// localhost name ("localhost", "*.localhost", "localhost.localdomain").
bool is_private_host(std::string_view host);

class Scope {
 public:
  // Throws leakwatch::ConfigError naming the source and the pattern or seed at
  // fault: a pattern RE2 rejects, a seed that does not parse, a private seed
  // without allow_private, or no seeds at all.
  explicit Scope(const ScopeOptions& options);
  ~Scope();
  Scope(Scope&&) noexcept;
  Scope& operator=(Scope&&) noexcept;
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  // See the rules above. `url` may be any string; bad input is kBadUrl.
  ScopeVerdict check(std::string_view url) const;
  bool in_scope(std::string_view url) const { return check(url) == ScopeVerdict::kInScope; }

  // The seeds, canonicalized, in the order given.
  const std::vector<std::string>& seeds() const { return seeds_; }

 private:
  std::vector<std::string> seeds_;
  std::vector<std::string> seed_authorities_;
  std::vector<std::unique_ptr<re2::RE2>> allow_;
  std::vector<std::unique_ptr<re2::RE2>> deny_;
  bool allow_private_ = false;
  UrlOptions url_options_;
};

}  // namespace leakwatch::crawler
