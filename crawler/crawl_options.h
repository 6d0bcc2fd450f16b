// What a crawl is told to do: the sources and the [crawl] defaults, as plain
// structs. The CLI (app/crawl_config.cpp) fills them from leakwatch.toml and
// validates them; crawler/ never sees TOML.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crawler/fetcher.h"
#include "db/attachment_store.h"
#include "db/listing_privacy.h"

namespace leakwatch::crawler {

inline constexpr const char* kDefaultProxy = "socks5h://127.0.0.1:9050";
inline constexpr const char* kDefaultUserAgent =
    "Mozilla/5.0 (Windows NT 10.0; rv:115.0) Gecko/20100101 Firefox/115.0";

// CSS-like selectors for listing fields (crawler/parse/html_document.h says which
// forms are understood). Empty: not extracted; the page title stands in for
// `title`.
struct ListingSelectors {
  std::string title;
  std::string price;
  std::string seller;
};

// What each [[source]] may set for itself; the [crawl] table gives the
// defaults, written here once.
struct SourceDefaults {
  int max_depth = 50;     // paginations are chains: page N of a listing index is N deep
  int max_pages = 10000;  // frontier URLs per source
  double revisit_hours = 24;
  double rate = kDefaultRate;  // requests per second per host
  bool auto_rate = false;      // rate = "auto": AIMD up to max_rate (crawler/host_pace.h)
  double max_rate = kDefaultMaxRate;
  // URL parameters (crawler/url_params.h): learn which never change a page,
  // and never drop `keep_params` / always drop `drop_params`.
  bool learn_params = true;
  std::vector<std::string> keep_params;
  std::vector<std::string> drop_params;
  // Files linked from pages (crawler/attachment_crawl.h): fetched and
  // scanned as they stream in, within this many bytes per source per run.
  bool attachments = true;
  int64_t attachment_budget_bytes = int64_t{1} << 30;
};

// The [crawl] table: the fetcher's limits (FetcherOptions, fetcher.h, holds
// their defaults), the defaults for every source, and the crawl's own settings.
struct CrawlDefaults : FetcherOptions, SourceDefaults {
  std::string proxy = kDefaultProxy;  // "" or "none": direct connections
  int lease_s = 300;                  // how long a leased URL stays ours without renewal
  // How often a crawl worker tells the others it is alive (crawler/
  // worker_registry.h): a worker silent for 3 beats, or whose database
  // session is gone (killed), is dead and its leases are taken at once.
  int heartbeat_s = 5;
  std::string user_agent = kDefaultUserAgent;
  int64_t attachment_max_bytes = int64_t{200} << 20;  // decoded bytes per attachment
  int attachment_timeout_s = 3600;                    // a whole attachment download
  int attachment_concurrency = 2;                     // downloads (and scans) at once, all sources
};

// One [[source]] table.
struct SourceOptions : SourceDefaults {
  std::string name;
  std::vector<std::string> seeds;
  std::vector<std::string> allow;           // RE2; empty: the seeds' hosts
  std::vector<std::string> deny;            // RE2
  std::vector<std::string> session_params;  // extra query parameters dropped from URLs
  std::string proxy;                        // resolved: the source's, else [crawl]'s; "" = direct
  std::string cookies;                      // "k=v; k2=v2"
  std::string cookie_file;                  // Netscape cookie file
  std::vector<std::string> headers;         // "Name: value"
  std::string user_agent;
  bool allow_private = false;
  ListingSelectors fields;
  std::string login_check;  // a members-only page `doctor` fetches to check the cookie; not crawled
};

// How the fetcher reaches `source`'s pages, the one place a source's options
// become a FetchProfile (the crawl and `doctor` both use it): proxy, cookies,
// headers, user agent ([crawl]'s when the source's is empty), private
// addresses, rate, and login URLs recognised by is_login_url (crawl.h).
// redirect_allowed is left unset (any http(s) URL): the crawl pass limits
// redirects to the source's scope.
FetchProfile fetch_profile(const SourceOptions& source, const CrawlDefaults& defaults);

struct CrawlOptions {
  CrawlDefaults defaults;
  std::vector<SourceOptions> sources;  // only the selected ones
  std::optional<int64_t> max_pages;    // --max-pages: fetches in this run, all sources
  bool progress_on_terminal = false;   // a rewritten progress line instead of log lines
  int log_interval_s = 10;             // plain progress lines when not on a terminal
  // Masks and seals what the pass stores (db/listing_privacy.h). Required;
  // must outlive the pass.
  const db::ListingPrivacy* privacy = nullptr;
  // Scans an attachment's bytes as they arrive (db/attachment_store.h).
  // Unset: attachments are not fetched; their links are crawled as pages.
  db::AttachmentScanner attachment_scanner;
};

}  // namespace leakwatch::crawler
