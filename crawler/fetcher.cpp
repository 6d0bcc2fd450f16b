#include "crawler/fetcher.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "core/errors.h"
#include "crawler/parse/url.h"
#include "crawler/scope.h"

namespace leakwatch::crawler {
namespace {

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

constexpr int kMaxBackoffMs = 60'000;
constexpr double kMaxSlowFactor = 32.0;
// A host's request slots are kept to this resolution (the poll loop's, 1 ms):
// a slot that fell due up to this long ago still counts, so a rate above
// 1,000 requests/s starts several transfers per loop turn instead of one.
constexpr auto kSlotSlack = std::chrono::milliseconds(1);
// Bodies of answers we do not keep as pages (errors) are only read this far.
constexpr size_t kErrorBodyBytes = 64 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Content types we crawl: HTML, XHTML, plain text, CSV. No header: let the
// body decide (markets do omit it).
bool is_text_type(std::string_view content_type) {
  std::string mime = lower(trim(content_type.substr(0, content_type.find(';'))));
  return mime.empty() || mime == "text/html" || mime == "application/xhtml+xml" || mime == "text/plain" ||
         mime == "text/csv";
}

bool is_onion(std::string_view url) {
  auto parts = parse_url(url);
  return parts && (parts->host.ends_with(".onion"));
}

// Why a .onion name did not resolve, when the proxy setting explains it.
std::string onion_hint(std::string_view url, const std::string& proxy) {
  if (!is_onion(url) || proxy.starts_with("socks5h://") || proxy.starts_with("socks4a://")) return "";
  if (proxy.empty()) return " (a .onion host needs a Tor proxy: proxy = \"socks5h://127.0.0.1:9050\")";
  return " (a .onion name must be resolved by the proxy: use socks5h://, not " +
         proxy.substr(0, proxy.find(':')) + "://)";
}

// Proxies that are given an address, not a name: libcurl resolves the name
// here (socks5://, socks4://), or an HTTP proxy does, which on this machine
// sees what getaddrinfo sees. socks5h:// and socks4a:// resolve at the proxy
// (Tor refuses private addresses itself); no proxy is checked at connect time.
bool resolves_before_proxy(const std::string& proxy) {
  std::string scheme = lower(proxy.substr(0, proxy.find("://")));
  return scheme == "socks5" || scheme == "socks4" || scheme == "http" || scheme == "https";
}

// The URL's host resolved here and checked: "host:port:addr,addr" for
// CURLOPT_RESOLVE, so that libcurl connects to exactly the addresses checked;
// or the error when the name does not resolve or any address is private.
struct PinnedHost {
  std::string resolve;
  FetchError error = FetchError::kNone;
  std::string cause;
};

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

}  // namespace

std::string_view to_string(FetchError error) {
  switch (error) {
    case FetchError::kNone:
      return "ok";
    case FetchError::kTimeout:
      return "timeout";
    case FetchError::kConnection:
      return "connection";
    case FetchError::kProxyUnreachable:
      return "proxy unreachable";
    case FetchError::kProxy:
      return "proxy";
    case FetchError::kResolve:
      return "resolve";
    case FetchError::kHttpStatus:
      return "http status";
    case FetchError::kRateLimited:
      return "rate limited";
    case FetchError::kTooManyRedirects:
      return "too many redirects";
    case FetchError::kRedirectLoop:
      return "redirect loop";
    case FetchError::kRedirectOutOfScope:
      return "redirect out of scope";
    case FetchError::kLoginWall:
      return "login wall";
    case FetchError::kNotText:
      return "not text";
    case FetchError::kPrivateAddress:
      return "private address";
    case FetchError::kBadContent:
      return "bad content";
    case FetchError::kOther:
      return "other";
  }
  return "other";
}

struct Fetcher::Host {
  int in_flight = 0;
  Clock::time_point next_slot{};
  double slow_factor = 1.0;  // grows with 429/503, decays with successes
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

  void reset_response() {
    status = 0;
    content_type.clear();
    etag.clear();
    last_modified.clear();
    body.clear();
    truncated = false;
    not_text = false;
  }
};

struct Fetcher::Impl {
  FetcherOptions options;
  CurlMulti multi;
  std::deque<std::unique_ptr<Transfer>> waiting;
  std::unordered_map<CURL*, std::unique_ptr<Transfer>> running;
  std::unordered_map<std::string, Host> hosts;
  std::vector<CurlEasy> spare_handles;
  std::vector<FetchResult> done;
  std::mt19937_64 rng{std::random_device{}()};
  Fetcher* owner = nullptr;

  static size_t on_header(char* data, size_t size, size_t count, void* user);
  static size_t on_body(char* data, size_t size, size_t count, void* user);
  static curl_socket_t on_open_socket(void* user, curlsocktype purpose, curl_sockaddr* address);

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

size_t Fetcher::Impl::on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    t->reset_response();
    auto space = line.find(' ');
    if (space != std::string_view::npos)
      t->status = std::atol(std::string(line.substr(space + 1, 3)).c_str());
    return n;
  }
  std::string_view value = trim(line);
  if (value.empty()) {
    // End of one response's headers: refuse a non-text body before it comes.
    if (t->status >= 200 && t->status < 300 && !is_text_type(t->content_type)) {
      t->not_text = true;
      return 0;
    }
    return n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name = lower(trim(line.substr(0, colon)));
  std::string_view v = trim(line.substr(colon + 1));
  if (name == "content-type") {
    t->content_type = v;
  } else if (name == "etag") {
    t->etag = v;
  } else if (name == "last-modified") {
    t->last_modified = v;
  }
  return n;
}

size_t Fetcher::Impl::on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (t->status >= 300 && t->status < 400) return n;  // redirect bodies are noise
  size_t cap = (t->status >= 200 && t->status < 300) ? static_cast<size_t>(t->max_bytes)
                                                     : std::min<size_t>(kErrorBodyBytes, t->max_bytes);
  if (t->body.size() + n > cap) {
    t->body.append(data, cap - t->body.size());
    t->truncated = true;
    return 0;  // abort: the cap applies to decoded bytes, as they arrive
  }
  t->body.append(data, n);
  return n;
}

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

Fetcher::Fetcher(const FetcherOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->owner = this;
  impl_->multi.reset(curl_multi_init());
  if (!impl_->multi) throw RuntimeError("cannot initialise libcurl (curl_multi_init failed)");
  // Connections to one proxy are reused across hosts; keep enough of them.
  curl_multi_setopt(impl_->multi.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(options.concurrency * 2));
}

Fetcher::~Fetcher() {
  for (auto& [easy, t] : impl_->running) curl_multi_remove_handle(impl_->multi.get(), easy);
}

void Fetcher::submit(FetchRequest request) {
  auto t = std::make_unique<Transfer>();
  t->current_url = request.url;
  auto parts = parse_url(request.url);
  t->host_key = parts ? parts->authority() : request.url;
  if (auto canonical = canonicalize_url(request.url)) t->visited.insert(*canonical);
  t->request = std::move(request);
  impl_->waiting.push_back(std::move(t));
}

size_t Fetcher::pending() const { return impl_->waiting.size() + impl_->running.size() + impl_->done.size(); }

int Fetcher::Impl::backoff_ms(int tries) {
  double base = options.retry_base_ms * std::pow(2.0, std::max(0, tries - 1));
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return static_cast<int>(std::min<double>(kMaxBackoffMs, base * jitter(rng)));
}

void Fetcher::Impl::start(std::unique_ptr<Transfer> t) {
  const FetchProfile& p = *t->request.profile;
  // Every hop, redirects included: a name resolved here must be public.
  std::string pinned;
  if (!p.allow_private && resolves_before_proxy(p.proxy)) {
    PinnedHost checked = pin_public_host(t->current_url, p.proxy);
    if (checked.error != FetchError::kNone) {
      complete(std::move(t), checked.error, checked.cause);
      return;
    }
    pinned = std::move(checked.resolve);
  }
  if (!spare_handles.empty()) {
    t->easy = std::move(spare_handles.back());
    spare_handles.pop_back();
    curl_easy_reset(t->easy.get());
  } else {
    t->easy.reset(curl_easy_init());
    if (!t->easy) throw RuntimeError("cannot initialise libcurl (curl_easy_init failed)");
  }
  CURL* e = t->easy.get();
  t->reset_response();
  t->private_refused = false;
  t->error_buffer[0] = '\0';
  t->max_bytes = options.max_page_bytes;

  curl_easy_setopt(e, CURLOPT_URL, t->current_url.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error_buffer);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  // "" disables proxies from the environment too: only the configured proxy is used.
  curl_easy_setopt(e, CURLOPT_PROXY, p.proxy.c_str());
  curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);  // redirects are checked hop by hop below
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options.connect_timeout_s));
  curl_easy_setopt(e, CURLOPT_TIMEOUT, static_cast<long>(options.timeout_s));
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Impl::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Impl::on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
  if (!p.user_agent.empty()) curl_easy_setopt(e, CURLOPT_USERAGENT, p.user_agent.c_str());
  if (!p.cookies.empty()) curl_easy_setopt(e, CURLOPT_COOKIE, p.cookies.c_str());
  if (!p.cookie_file.empty()) curl_easy_setopt(e, CURLOPT_COOKIEFILE, p.cookie_file.c_str());
  curl_slist* list = nullptr;
  for (const auto& h : p.headers) list = curl_slist_append(list, h.c_str());
  if (t->redirects == 0) {
    if (!t->request.etag.empty())
      list = curl_slist_append(list, ("If-None-Match: " + t->request.etag).c_str());
    if (!t->request.last_modified.empty()) {
      list = curl_slist_append(list, ("If-Modified-Since: " + t->request.last_modified).c_str());
    }
  }
  t->header_list.reset(list);
  if (list != nullptr) curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
  t->resolve_list.reset(pinned.empty() ? nullptr : curl_slist_append(nullptr, pinned.c_str()));
  if (t->resolve_list) curl_easy_setopt(e, CURLOPT_RESOLVE, t->resolve_list.get());
  if (p.proxy.empty() && !p.allow_private) {
    // Direct connections: refuse a name that resolves to a private address.
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &Impl::on_open_socket);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t.get());
  }

  Host& host = hosts[t->host_key];
  host.in_flight++;
  auto now = Clock::now();
  auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(host.slow_factor / std::max(0.01, p.rate)));
  host.next_slot = std::max(host.next_slot, now - kSlotSlack) + interval;
  curl_multi_add_handle(multi.get(), e);
  running.emplace(e, std::move(t));
}

void Fetcher::Impl::start_ready(Clock::time_point now) {
  for (auto it = waiting.begin();
       it != waiting.end() && running.size() < static_cast<size_t>(options.concurrency);) {
    Transfer& t = **it;
    Host& host = hosts[t.host_key];
    if (t.not_before <= now && host.in_flight < options.per_host_concurrency && host.next_slot <= now) {
      auto owned = std::move(*it);
      it = waiting.erase(it);
      start(std::move(owned));
    } else {
      ++it;
    }
  }
}

Clock::time_point Fetcher::Impl::next_wakeup(Clock::time_point now) const {
  auto wake = Clock::time_point::max();
  for (const auto& t : waiting) {
    auto h = hosts.find(t->host_key);
    auto at = std::max(t->not_before, h == hosts.end() ? now : h->second.next_slot);
    wake = std::min(wake, at);
  }
  return wake;
}

// Both take the transfer by rvalue reference so that callers may read from
// it in the other arguments of the same call.
void Fetcher::Impl::retry(std::unique_ptr<Transfer>&& owned, const std::string& reason, int delay_ms) {
  std::unique_ptr<Transfer> t = std::move(owned);
  owner->retries_[reason]++;
  t->not_before = Clock::now() + std::chrono::milliseconds(delay_ms);
  waiting.push_back(std::move(t));
}

void Fetcher::Impl::complete(std::unique_ptr<Transfer>&& owned, FetchError error, std::string cause,
                             int retry_after_s) {
  std::unique_ptr<Transfer> t = std::move(owned);
  FetchResult r;
  r.id = t->request.id;
  r.url = t->request.url;
  r.final_url = t->current_url;
  r.status = t->status;
  r.content_type = std::move(t->content_type);
  r.body = std::move(t->body);
  r.truncated = t->truncated;
  r.etag = std::move(t->etag);
  r.last_modified = std::move(t->last_modified);
  r.tries = t->tries;
  r.error = error;
  r.retry_after_s = retry_after_s;
  if (error == FetchError::kLoginWall) r.login_url = t->current_url;
  if (error != FetchError::kNone) {
    r.message = "fetch " + t->request.url + ": " + cause;
    r.body.clear();
  }
  done.push_back(std::move(r));
}

void Fetcher::Impl::finish(CURL* easy, CURLcode code) {
  auto node = running.extract(easy);
  std::unique_ptr<Transfer> t = std::move(node.mapped());
  Finished f = read_finished(easy, code, *t);
  release(*t, easy);
  t->tries++;
  if (f.code == CURLE_WRITE_ERROR && t->truncated) f.code = CURLE_OK;  // kept what came, up to the cap
  if (f.code != CURLE_OK) {
    on_transfer_error(std::move(t), f);
    return;
  }
  long s = t->status;
  if (s == 429 || s == 503) {
    on_rate_limited(std::move(t), f);
  } else if (s >= 500) {
    retry_or_fail(std::move(t), FetchError::kHttpStatus, "HTTP " + std::to_string(s),
                  "HTTP " + std::to_string(s));
  } else if (s >= 300 && s < 400 && s != 304) {
    on_redirect(std::move(t), f);
  } else if (s >= 400) {
    complete(std::move(t), FetchError::kHttpStatus, "HTTP " + std::to_string(s));
  } else {
    if (s >= 200 && s < 300) {
      Host& host = hosts[t->host_key];
      host.slow_factor = std::max(1.0, host.slow_factor * 0.9);
    }
    complete(std::move(t), FetchError::kNone, "");
  }
}

Fetcher::Impl::Finished Fetcher::Impl::read_finished(CURL* easy, CURLcode code, Transfer& t) {
  Finished f;
  f.code = code;
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (status != 0) t.status = status;
  curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &f.retry_after);
  char* location = nullptr;
  curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &location);
  f.redirect_to = location != nullptr ? location : "";
  curl_easy_getinfo(easy, CURLINFO_PROXY_ERROR, &f.proxy_code);
  f.message = t.error_buffer[0] != '\0' ? t.error_buffer : curl_easy_strerror(code);
  while (!f.message.empty() && f.message.back() == '\n') f.message.pop_back();
  return f;
}

void Fetcher::Impl::release(Transfer& t, CURL* easy) {
  curl_multi_remove_handle(multi.get(), easy);
  hosts[t.host_key].in_flight--;
  owner->bytes_received_ += t.body.size();
  // The handle goes back to the pool; the transfer keeps only its data.
  // Not after CURLOPT_COOKIEFILE: curl_easy_reset() leaks the file list
  // libcurl keeps for it (7.88), only curl_easy_cleanup() frees it.
  if (t.request.profile->cookie_file.empty()) {
    spare_handles.push_back(std::move(t.easy));
  } else {
    t.easy.reset();
  }
  t.header_list.reset();
  t.resolve_list.reset();
}

bool Fetcher::Impl::keep_partial(std::unique_ptr<Transfer>& t) {
  if (t->status < 200 || t->status >= 300 || t->body.empty()) return false;
  t->truncated = true;
  complete(std::move(t), FetchError::kNone, "");
  return true;
}

void Fetcher::Impl::retry_or_fail(std::unique_ptr<Transfer>&& owned, FetchError error,
                                  const std::string& reason, const std::string& cause) {
  std::unique_ptr<Transfer> t = std::move(owned);
  if (t->tries < options.max_tries) {
    retry(std::move(t), reason, backoff_ms(t->tries));
  } else if (!keep_partial(t)) {  // a body cut short every time: what came is kept, marked truncated
    complete(std::move(t), error, cause + " (after " + std::to_string(options.max_tries) + " tries)");
  }
}

void Fetcher::Impl::on_transfer_error(std::unique_ptr<Transfer>&& owned, const Finished& f) {
  std::unique_ptr<Transfer> t = std::move(owned);
  const FetchProfile& p = *t->request.profile;
  if (t->not_text) {
    complete(std::move(t), FetchError::kNotText, "not text (" + t->content_type + ")");
    return;
  }
  if (t->private_refused) {
    complete(std::move(t), FetchError::kPrivateAddress,
             "refused: the host resolves to a private address (set allow_private = true to permit)");
    return;
  }
  switch (f.code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      if (!p.proxy.empty()) {
        complete(std::move(t), FetchError::kProxyUnreachable,
                 "proxy " + p.proxy + " is not reachable: " + f.message);
        return;
      }
      retry_or_fail(std::move(t), FetchError::kConnection, "connection", f.message);
      return;
    case CURLE_COULDNT_RESOLVE_HOST:
      complete(std::move(t), FetchError::kResolve, f.message + onion_hint(t->current_url, p.proxy));
      return;
    case CURLE_OPERATION_TIMEDOUT:
      // A body that stalls after its first bytes: keep them rather than
      // wait for the same stall again.
      if (keep_partial(t)) return;
      retry_or_fail(std::move(t), FetchError::kTimeout, "timeout",
                    "timeout after " + std::to_string(options.timeout_s) + " s: " + f.message);
      return;
    case CURLE_PROXY:
      if (f.proxy_code == CURLPX_RESOLVE_HOST) {
        // socks5:// and socks4:// resolve the name here, before the proxy sees it.
        complete(std::move(t), FetchError::kResolve,
                 "proxy " + p.proxy + ": " + f.message + onion_hint(t->current_url, p.proxy));
        return;
      }
      retry_or_fail(std::move(t), FetchError::kProxy, "proxy", "proxy " + p.proxy + ": " + f.message);
      return;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      retry_or_fail(std::move(t), FetchError::kConnection, "connection", f.message);
      return;
    case CURLE_BAD_CONTENT_ENCODING:
      complete(std::move(t), FetchError::kBadContent, f.message);
      return;
    case CURLE_OUT_OF_MEMORY:
      // libcurl 7.88 says "Out of memory" when a response header line is
      // longer than it accepts (CURL_MAX_HTTP_HEADER, 100 KiB).
      complete(std::move(t), FetchError::kBadContent,
               t->status != 0 ? "response header too large (libcurl accepts header lines up to 100 KiB)"
                              : f.message);
      return;
    default:
      complete(std::move(t), FetchError::kOther, f.message);
      return;
  }
}

void Fetcher::Impl::on_rate_limited(std::unique_ptr<Transfer>&& owned, const Finished& f) {
  std::unique_ptr<Transfer> t = std::move(owned);
  Host& host = hosts[t->host_key];
  long s = t->status;
  int wait_s = f.retry_after > 0 ? static_cast<int>(f.retry_after) : 0;
  host.slow_factor = std::min(kMaxSlowFactor, host.slow_factor * 2);
  auto pause = Clock::now() + std::chrono::seconds(wait_s);
  host.next_slot = std::max(host.next_slot, pause);
  t->rate_limited_tries++;
  std::string reason = "HTTP " + std::to_string(s);
  if (wait_s > options.max_retry_after_s) {
    complete(std::move(t), FetchError::kRateLimited,
             reason + " with Retry-After " + std::to_string(wait_s) + " s", wait_s);
  } else if (t->rate_limited_tries >= options.max_rate_limited_tries) {
    complete(std::move(t), FetchError::kRateLimited,
             reason + " (after " + std::to_string(t->rate_limited_tries) + " tries)", std::max(wait_s, 60));
  } else {
    t->tries--;  // the host's limit, not the page's fault: its own budget
    retry(std::move(t), reason, wait_s > 0 ? wait_s * 1000 : backoff_ms(t->rate_limited_tries));
  }
}

void Fetcher::Impl::on_redirect(std::unique_ptr<Transfer>&& owned, const Finished& f) {
  std::unique_ptr<Transfer> t = std::move(owned);
  const FetchProfile& p = *t->request.profile;
  if (f.redirect_to.empty()) {
    complete(std::move(t), FetchError::kHttpStatus,
             "HTTP " + std::to_string(t->status) + " without Location");
    return;
  }
  auto canonical = canonicalize_url(f.redirect_to);
  if (!canonical) {
    complete(std::move(t), FetchError::kRedirectOutOfScope, "redirect to a bad URL: " + canonical.error());
    return;
  }
  if (p.is_login_url && p.is_login_url(*canonical)) {
    t->current_url = *canonical;
    complete(std::move(t), FetchError::kLoginWall, "redirected to a login page " + *canonical);
    return;
  }
  if (t->visited.count(*canonical)) {
    complete(std::move(t), FetchError::kRedirectLoop, "redirect loop at " + *canonical);
    return;
  }
  if (t->redirects >= options.max_redirects) {
    complete(std::move(t), FetchError::kTooManyRedirects,
             "more than " + std::to_string(options.max_redirects) + " redirects");
    return;
  }
  if (p.redirect_allowed && !p.redirect_allowed(*canonical)) {
    complete(std::move(t), FetchError::kRedirectOutOfScope, "redirect out of scope to " + *canonical);
    return;
  }
  t->visited.insert(*canonical);
  t->redirects++;
  t->tries--;  // a hop is not a try
  t->current_url = *canonical;
  auto parts = parse_url(*canonical);
  t->host_key = parts ? parts->authority() : *canonical;
  t->not_before = Clock::time_point{};
  waiting.push_front(std::move(t));
}

std::vector<FetchResult> Fetcher::poll(std::chrono::milliseconds max_wait) {
  Impl& m = *impl_;
  auto deadline = Clock::now() + max_wait;
  while (m.done.empty()) {
    auto now = Clock::now();
    m.start_ready(now);
    if (m.running.empty() && m.waiting.empty()) break;
    auto wake = std::min(deadline, m.next_wakeup(now));
    int timeout_ms = static_cast<int>(
        std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count()));
    if (!m.running.empty()) {
      timeout_ms = std::max(timeout_ms, 1);
      curl_multi_poll(m.multi.get(), nullptr, 0, timeout_ms, nullptr);
      int still_running = 0;
      curl_multi_perform(m.multi.get(), &still_running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(m.multi.get(), &left)) {
        if (msg->msg == CURLMSG_DONE) m.finish(msg->easy_handle, msg->data.result);
      }
    } else if (timeout_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
    }
    if (Clock::now() >= deadline) break;
  }
  std::vector<FetchResult> out;
  out.swap(m.done);
  return out;
}

}  // namespace leakwatch::crawler
