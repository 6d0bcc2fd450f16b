// One crawl pass: leases URLs from the frontier, fetches them (crawler/
// fetcher.h), turns bodies into UTF-8 text, title, listing fields and links
// (crawler/parse/page_parser.h), keeps links in scope and
// within the source's depth and page budgets, and commits pages and outcomes
// to PostgreSQL in small batches as they arrive.
//
// A pass ends when no URL of the selected sources is due, leased, or in
// flight (or when `max_pages` fetches were made). URLs deferred by a long
// Retry-After wait for the next pass. Several passes may run at once, in one
// or several processes, on one database: leases keep them apart.
//
// Not thread-safe; the connection must outlive the call.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/attachment_crawl.h"
#include "crawler/crawl_options.h"
#include "db/connection.h"

namespace leakwatch::crawler {

struct SourceStats {
  std::string name;
  int64_t fetched = 0;  // pages stored or found unchanged
  int64_t errors = 0;
  int64_t queued = 0;  // due or deferred in the frontier, at the last count
};

struct CrawlStats {
  int64_t fetched = 0;                    // 2xx pages kept (new or duplicate content)
  int64_t pages_new = 0;                  // distinct contents stored for the first time
  int64_t duplicates = 0;                 // contents already stored under another URL
  int64_t not_modified = 0;               // 304 on revisits
  int64_t skipped = 0;                    // not text, out-of-scope redirects, private addresses
  int64_t failed = 0;                     // gave up (errors by kind below)
  int64_t deferred = 0;                   // rescheduled past this pass (Retry-After)
  int64_t enqueued = 0;                   // new frontier URLs
  int64_t variants = 0;                   // links and queued URLs not fetched: another URL of a known page
  int64_t queued = 0;                     // frontier URLs due or deferred, at the last count
  uint64_t bytes = 0;                     // decoded body bytes received
  std::map<std::string, int64_t> errors;  // by kind: "timeout", "HTTP 404", "not text", ...
  std::map<std::string, int> retries;     // retries made, by reason
  std::vector<std::string> login_walls;   // "source: URL (reason)", once per source
  std::vector<SourceStats> sources;
  std::vector<HostStatus> hosts;  // each host's pace: its rate now, latency, 429s
  AttachmentStats attachments;    // files linked from pages (crawler/attachment_crawl.h)
  double seconds = 0;

  // All errors, whatever their kind.
  int64_t error_total() const {
    int64_t total = 0;
    for (const auto& [kind, n] : errors) total += n;
    return total;
  }
};

struct CrawlCallbacks {
  // Called about once a second, and once more at the end with `final` true.
  std::function<void(const CrawlStats&, bool final)> progress;
  // One-off notices: a login wall met, a dead worker's leases reclaimed.
  std::function<void(std::string_view line)> notice;
  // Polled between events; when it turns true the pass stops leasing,
  // finishes what is in flight, commits, and returns.
  const std::atomic<bool>* stop = nullptr;
};

// Runs one pass over `options.sources`. Throws leakwatch::ConfigError for a
// source whose patterns or seeds are invalid, leakwatch::RuntimeError when a
// proxy cannot be reached ("proxy socks5h://127.0.0.1:9050 is not reachable:
// ..."; leases are given back first), when no page at all could be fetched,
// or on a database failure.
CrawlStats run_crawl(db::Connection& conn, const CrawlOptions& options, const CrawlCallbacks& callbacks);

// Login pages are not content, and logout links would end the session that
// the source's cookies carry: links to either are never followed, and a
// redirect to a login page is a login wall. Both look at the path's last
// segments ("/login", "/user/sign-in.php") and at query values
// ("ucp.php?mode=logout").
bool is_login_url(std::string_view url);
bool is_logout_url(std::string_view url);

}  // namespace leakwatch::crawler
