// URL parsing, resolution and canonicalization for the frontier, built on
// libcurl's URL API (CURLU). A canonical URL is the frontier's key: two links
// that reach the same page should canonicalize to the same string.
//
// Canonical form: scheme and host lowercased, default port dropped, fragment
// dropped, dot segments removed, empty path -> "/", query parameters sorted
// (stable by name, then value) and session parameters dropped. Only http and
// https URLs are accepted; anything else (mailto:, javascript:, ftp:, data:)
// is an error value, never an exception. User info (user:password@) is
// dropped: credentials never enter the frontier.
//
// Thread-safe: pure functions; each call owns its own CURLU handle.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace leakwatch::crawler {

// Which query parameters are session noise. The defaults are always applied:
// sid, PHPSESSID, JSESSIONID, sessionid, session_id (any case), and `s` on
// phpBB/vBulletin-style scripts (viewtopic.php, viewforum.php, showthread.php,
// forumdisplay.php, index.php, member.php, memberlist.php, showpost.php).
// `extra_session_params` adds per-source names (matched case-insensitively,
// on every path).
struct UrlOptions {
  std::vector<std::string> extra_session_params;
};

// The pieces of a parsed URL, already canonical: `scheme` and `host`
// lowercase (an IPv6 literal keeps its brackets: "[::1]"), `port` 0 when it
// is the scheme's default, `path` starting with '/', `query` without '?'
// (empty when none).
struct UrlParts {
  std::string scheme;
  std::string host;
  int port = 0;
  std::string path;
  std::string query;

  // "host" or "host:port" as it appears in the canonical URL; the key for
  // per-host politeness.
  std::string authority() const;
  // The canonical URL these parts spell.
  std::string url() const;
};

// Returns the canonical form of the absolute URL `url` (see above), or a
// reason such as "unsupported scheme" or "malformed URL". Leading and
// trailing whitespace is ignored; tabs and newlines inside are removed (as
// browsers do); spaces are percent-encoded.
tl::expected<std::string, std::string> canonicalize_url(std::string_view url, const UrlOptions& options = {});

// Resolves `href` (absolute, protocol-relative, root-relative, relative, or
// query-only) against the absolute URL `base` and returns the canonical
// result, or a reason. A fragment-only href resolves to the base page itself.
tl::expected<std::string, std::string> resolve_url(std::string_view base, std::string_view href,
                                                   const UrlOptions& options = {});

// Parses and canonicalizes `url` and returns its parts, or a reason.
tl::expected<UrlParts, std::string> parse_url(std::string_view url, const UrlOptions& options = {});

}  // namespace leakwatch::crawler
