// Internals of the fetcher (crawler/fetcher.h), shared by the files that
// implement it: fetcher.cpp (queue, rate slots, event loop), fetch_curl_setup.cpp
// (one libcurl easy handle per hop), fetch_body.cpp (headers, content type,
// body size and truncation), fetch_address_guard.cpp (name resolution and the
// private-address refusal) and fetch_outcome.cpp (retry, redirect, result).
// Not part of the crawler's interface: include only from those files.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <curl/curl.h>

#include "crawler/fetcher.h"
#include "crawler/host_pace.h"

namespace leakwatch::crawler {

using Clock = std::chrono::steady_clock;

struct CurlEasyDeleter {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* h) const noexcept { curl_multi_cleanup(h); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

inline constexpr int kMaxBackoffMs = 60'000;
// The pacing key of a URL whose host cannot be read: never the URL itself,
// which may carry an identifier and is shown in host lists (Fetcher::hosts).
inline constexpr const char* kUnparsedHost = "(unreadable host)";
// Bodies of answers we do not keep as pages (errors) are only read this far.
inline constexpr size_t kErrorBodyBytes = 64 * 1024;
// How often the event loop looks at paused transfers (their sinks drain on
// other threads).
inline constexpr int kPausedPollMs = 5;

namespace fetch_detail {

std::string lower(std::string_view s);
std::string_view trim(std::string_view s);

// Content types we crawl: HTML, XHTML, plain text, CSV. No header: let the
// body decide (markets do omit it).
bool is_text_type(std::string_view content_type);

// Why a .onion name did not resolve, when the proxy setting explains it.
std::string onion_hint(std::string_view url, const std::string& proxy);

// Proxies that are given an address, not a name: libcurl resolves the name
// here (socks5://, socks4://), or an HTTP proxy does, which on this machine
// sees what getaddrinfo sees. socks5h:// and socks4a:// resolve at the proxy
// (Tor refuses private addresses itself); no proxy is checked at connect time.
bool resolves_before_proxy(const std::string& proxy);

// The URL's host resolved here and checked: "host:port:addr,addr" for
// CURLOPT_RESOLVE, so that libcurl connects to exactly the addresses checked;
// or the error when the name does not resolve or any address is private.
struct PinnedHost {
  std::string resolve;
  FetchError error = FetchError::kNone;
  std::string cause;
};

PinnedHost pin_public_host(const std::string& url, const std::string& proxy);

}  // namespace fetch_detail

// A host's rate and requests in flight (crawler/host_pace.h), set up from
// the profile of its first request.
struct Fetcher::Host {
  Host(const PaceSettings& settings, const FetchProfile* profile) : pace(settings), profile(profile) {}
  HostPace pace;
  const FetchProfile* profile;  // of its first request
  Clock::time_point first_start{};
};

struct Fetcher::Transfer {
  FetchRequest request;
  std::string current_url;
  std::string host_key;
  std::set<std::string> visited;  // canonical URLs of this redirect chain
  int redirects = 0;
  int tries = 0;
  int rate_limited_tries = 0;
  Clock::time_point not_before{};
  Clock::time_point started{};  // this hop's request, for the host's latency

  CurlEasy easy;
  CurlSlist header_list;
  CurlSlist resolve_list;  // CURLOPT_RESOLVE: the addresses checked for this hop
  char error_buffer[CURL_ERROR_SIZE] = {};
  int64_t max_bytes = 0;

  // The response being received (reset at each status line).
  long status = 0;
  std::string content_type;
  std::string etag;
  std::string last_modified;
  std::string body;
  bool truncated = false;
  bool not_text = false;
  bool private_refused = false;
  int64_t content_length = -1;
  bool encoded = false;    // Content-Encoding other than identity: Content-Length is not the body's
  int64_t body_bytes = 0;  // this response's decoded bytes (kept or streamed)
  int64_t streamed = 0;    // bytes given to the sink, all hops and tries: once > 0, no retry
  std::string refused;     // why the sink refused the body
  bool paused = false;     // the sink was full: waits for writable()

  void reset_response() {
    status = 0;
    content_type.clear();
    etag.clear();
    last_modified.clear();
    body.clear();
    truncated = false;
    not_text = false;
    content_length = -1;
    encoded = false;
    body_bytes = 0;
    refused.clear();
  }
};

struct Fetcher::Impl {
  FetcherOptions options;
  CurlMulti multi;
  std::deque<std::unique_ptr<Transfer>> waiting;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> running;
  std::unordered_map<std::string, Host> hosts;
  std::unordered_map<const FetchProfile*, int> shares;  // set_rate_share()
  std::vector<CurlEasy> spare_handles;
  std::vector<FetchResult> done;
  std::mt19937_64 rng{std::random_device{}()};
  Fetcher* owner = nullptr;

  static size_t on_header(char* data, size_t size, size_t count, void* user);
  static size_t on_body(char* data, size_t size, size_t count, void* user);
  static size_t stream_body(Transfer& t, char* data, size_t n);
  // Resumes paused transfers whose sink has room again; true when some
  // transfer is still paused.
  bool resume_writable();
  static curl_socket_t on_open_socket(void* user, curlsocktype purpose, curl_sockaddr* address);

  Host& host_of(const Transfer& t);
  void start(std::unique_ptr<Transfer> t);
  void start_ready(Clock::time_point now);
  Clock::time_point next_wakeup(Clock::time_point now) const;
  // What libcurl says of a finished transfer.
  struct Finished {
    CURLcode code = CURLE_OK;
    curl_off_t retry_after = 0;
    std::string redirect_to;
    long proxy_code = 0;
    std::string message;  // libcurl's error text
  };

  // A transfer ended: read what libcurl says, give the handle back, then
  // retry, follow, or complete it.
  void finish(CURL* easy, CURLcode code);
  Finished read_finished(CURL* easy, CURLcode code, Transfer& t);
  void release(Transfer& t, CURL* easy);
  void on_transfer_error(std::unique_ptr<Transfer>&& t, const Finished& f);
  void on_rate_limited(std::unique_ptr<Transfer>&& t, const Finished& f);
  void on_redirect(std::unique_ptr<Transfer>&& t, const Finished& f);
  void retry_or_fail(std::unique_ptr<Transfer>&& t, FetchError error, const std::string& reason,
                     const std::string& cause);
  // A 2xx body cut short: completes the transfer with what came, marked
  // truncated, and returns true; false (t untouched) when nothing came.
  bool keep_partial(std::unique_ptr<Transfer>& t);
  void retry(std::unique_ptr<Transfer>&& t, const std::string& reason, int delay_ms);
  void complete(std::unique_ptr<Transfer>&& t, FetchError error, std::string cause, int retry_after_s = 0);
  int backoff_ms(int tries);
};

}  // namespace leakwatch::crawler
