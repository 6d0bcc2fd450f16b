// Fetches pages over HTTP(S), through a SOCKS5 or HTTP proxy when asked, on
// one libcurl multi handle driven by one event loop (curl_multi_poll).
//
// The fetcher owns politeness and resilience so that its caller only sees
// final outcomes: global and per-host concurrency, a per-host request rate
// (slowed down by 429/503 and Retry-After), connect and total timeouts,
// retries with exponential backoff and jitter on timeouts, resets and 5xx,
// redirects followed by hand (each hop checked against the profile's scope,
// loops detected, a hop to a login URL reported instead of followed), only
// text bodies (Content-Type checked when the headers arrive, before any body
// byte is read), a cap on decoded body bytes (gzip/deflate/br), conditional
// requests (If-None-Match / If-Modified-Since), and refusal of private
// addresses on direct connections unless a profile allows them. A request
// may stream its body to a BodySink instead (attachments): paused while the
// sink is full, never retried once a byte went to it.
//
// Not thread-safe: one thread submits, polls and reads results. Profiles
// passed to submit() must outlive the fetcher. curl_global_init must have run.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crawler/host_pace.h"

namespace leakwatch::crawler {

// How to reach one source's pages (one per source, shared by its requests).
struct FetchProfile {
  std::string proxy;                 // "socks5h://host:port", "socks5://...", "http://..."; "" = direct
  std::string cookies;               // "k=v; k2=v2" (CURLOPT_COOKIE)
  std::string cookie_file;           // Netscape format (CURLOPT_COOKIEFILE)
  std::vector<std::string> headers;  // "Name: value"
  std::string user_agent;
  bool allow_private = false;  // permit direct connections to private/loopback addresses
  double rate = kDefaultRate;  // requests per second per host, before slow-downs
  bool auto_rate = false;      // AIMD up to max_rate instead (crawler/host_pace.h)
  double max_rate = kDefaultMaxRate;
  // May a redirect go to this (absolute) URL? Unset: any http(s) URL.
  std::function<bool(std::string_view url)> redirect_allowed;
  // Is this URL a login page? A redirect to one ends the fetch with kLoginWall.
  std::function<bool(std::string_view url)> is_login_url;
};

struct FetcherOptions {
  int concurrency = 64;  // transfers in flight, all hosts together
  // Transfers in flight to one host, at most: within it, rate x latency
  // (crawler/host_pace.h), so a slow host still gets its rate.
  int per_host_concurrency = kDefaultMaxInFlight;
  int connect_timeout_s = 30;
  int timeout_s = 60;                        // a whole transfer, redirects excluded
  int64_t max_page_bytes = 5 * 1024 * 1024;  // decoded bytes kept per page
  int max_redirects = 5;
  int max_tries = 4;                // per URL per pass: timeouts, resets, 5xx
  int max_rate_limited_tries = 12;  // 429 and 503 answers, which slow the host down
  int retry_base_ms = 1000;         // first backoff; doubles per try, with jitter
  int max_retry_after_s = 120;      // a longer Retry-After reschedules the URL instead
};

enum class FetchError {
  kNone,
  kTimeout,           // connect or transfer timeout, after all tries
  kConnection,        // reset, refused, empty reply, TLS failure, after all tries
  kProxyUnreachable,  // the proxy itself cannot be reached: fatal for its sources
  kProxy,             // the proxy could not reach the site (SOCKS error), after all tries
  kResolve,           // the host name did not resolve
  kHttpStatus,        // 4xx, or 5xx after all tries
  kRateLimited,       // 429/503 with a Retry-After past max_retry_after_s, or too many of them
  kTooManyRedirects,
  kRedirectLoop,
  kRedirectOutOfScope,
  kLoginWall,       // redirected to a login URL (login_url says which)
  kNotText,         // Content-Type is not HTML, XHTML, text/plain or CSV
  kPrivateAddress,  // a direct connection to a private address, not allowed
  kBadContent,      // bad gzip/br stream and the like
  kRefused,         // a streamed body its sink refused (BodySink::accept): why is in message
  kOther,
};

// "timeout", "connection", "proxy unreachable", ... (stable, for summaries).
std::string_view to_string(FetchError error);

// What a streamed body's sink is told when a 2xx response's headers are in.
struct ResponseHead {
  long status = 0;
  std::string content_type;
  int64_t content_length = -1;  // -1: not sent (or encoded: the decoded size is unknown)
  std::string etag;
  std::string last_modified;
};

// Where a streamed body goes (FetchRequest::sink), on the fetcher's thread,
// as libcurl decodes it; nothing of it is kept by the fetcher.
class BodySink {
 public:
  enum class Write { kTaken, kPause, kStop };
  virtual ~BodySink() = default;
  // Called once per 2xx response, before its first byte: "" takes the body,
  // anything else refuses it (the fetch ends with kRefused and that reason).
  virtual std::string accept(const ResponseHead& head) = 0;
  // Offers the next bytes: kTaken (all of them), kPause (none: the transfer
  // pauses until writable(), then offers the same bytes again) or kStop
  // (none, and the transfer ends, kept as truncated).
  virtual Write write(std::string_view bytes) = 0;
  virtual bool writable() const = 0;
};

struct FetchRequest {
  uint64_t id = 0;                        // the caller's token, returned in the result
  std::string url;                        // absolute http(s) URL
  const FetchProfile* profile = nullptr;  // required; must outlive the fetcher
  std::string etag;                       // from the last fetch: sent as If-None-Match
  std::string last_modified;              // sent as If-Modified-Since
  // Set: the body streams to the sink (which must outlive the fetch) instead
  // of FetchResult::body, and any content type is offered to it.
  BodySink* sink = nullptr;
  int64_t max_bytes = 0;  // decoded bytes per body; 0: FetcherOptions::max_page_bytes
  int timeout_s = 0;      // a whole transfer; 0: FetcherOptions::timeout_s
};

// One host as the fetcher paces it.
struct HostStatus {
  std::string host;           // authority, "shop.onion:80"
  double rate = 0;            // requests per second it is asked at now (this worker's share)
  int workers = 1;            // the most crawl workers that shared its rate at once
  bool automatic = false;     // rate = "auto"
  double requests_per_s = 0;  // requests started, per second since the first
  int in_flight_limit = 0;
  double latency_s = 0;  // smoothed
  int64_t requests = 0;
  int64_t rate_limited = 0;  // 429/503 answers
};

struct FetchResult {
  uint64_t id = 0;
  std::string url;           // as requested
  std::string final_url;     // after redirects
  long status = 0;           // last HTTP status; 0 when no response
  std::string content_type;  // the Content-Type header as sent
  std::string body;          // decoded bytes, at most max_page_bytes
  bool truncated = false;    // the body was cut at max_page_bytes, or stalled or broke after its first bytes
  int64_t body_bytes = 0;    // decoded body bytes (streamed to the sink, or in body)
  std::string etag;
  std::string last_modified;
  std::string login_url;  // kLoginWall: where the redirect went
  int retry_after_s = 0;  // kRateLimited: what the server asked for
  int tries = 0;
  FetchError error = FetchError::kNone;
  std::string message;  // "fetch URL: cause" when error != kNone

  bool ok() const { return error == FetchError::kNone; }
  bool not_modified() const { return ok() && status == 304; }
};

class Fetcher {
 public:
  // Throws leakwatch::RuntimeError when libcurl cannot be set up.
  explicit Fetcher(const FetcherOptions& options);
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Queues a request; it starts when the global, per-host and rate limits
  // allow. Never blocks.
  void submit(FetchRequest request);

  // Runs the event loop for at most `max_wait` (less when something
  // completes) and returns every request that finished, successfully or
  // not, in no particular order.
  std::vector<FetchResult> poll(std::chrono::milliseconds max_wait);

  // Shares the rate of every host reached through `profile` (the first
  // request to a host sets its profile) among `workers` crawl workers:
  // crawler/host_pace.h. Hosts first asked later get it too.
  void set_rate_share(const FetchProfile* profile, int workers);

  // Requests submitted and not yet returned by poll() (waiting or in flight).
  size_t pending() const;
  // Bytes of bodies received so far (decoded).
  uint64_t bytes_received() const { return bytes_received_; }
  // Every host asked so far, in no particular order.
  std::vector<HostStatus> hosts() const;
  // Retries made so far, by reason ("timeout", "HTTP 503", "HTTP 429", ...).
  const std::map<std::string, int>& retries() const { return retries_; }

 private:
  struct Transfer;
  struct Host;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t bytes_received_ = 0;
  std::map<std::string, int> retries_;
};

}  // namespace leakwatch::crawler
