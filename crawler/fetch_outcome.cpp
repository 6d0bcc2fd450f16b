// What a finished hop becomes: a retry (with backoff), a slow-down of its
// host (429/503), the next redirect hop (checked against scope, loops and
// login walls), or a FetchResult.
#include <algorithm>

#include "crawler/fetcher_impl.h"
#include "crawler/parse/url.h"

namespace leakwatch::crawler {

using namespace fetch_detail;

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
    case FetchError::kRefused:
      return "refused";
    case FetchError::kOther:
      return "other";
  }
  return "other";
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
  r.body_bytes = t->request.sink != nullptr ? t->streamed : static_cast<int64_t>(r.body.size());
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
  auto now = Clock::now();
  if (f.code == CURLE_WRITE_ERROR && t->truncated) f.code = CURLE_OK;  // kept what came, up to the cap
  if (t->status != 429 && t->status != 503) {
    bool success = f.code == CURLE_OK && ((t->status >= 200 && t->status < 300) || t->status == 304);
    host_of(*t).pace.on_answer(now, now - t->started, success);
  }
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

bool Fetcher::Impl::keep_partial(std::unique_ptr<Transfer>& t) {
  if (t->status < 200 || t->status >= 300 || (t->body.empty() && t->streamed == 0)) return false;
  t->truncated = true;
  complete(std::move(t), FetchError::kNone, "");
  return true;
}

void Fetcher::Impl::retry_or_fail(std::unique_ptr<Transfer>&& owned, FetchError error,
                                  const std::string& reason, const std::string& cause) {
  std::unique_ptr<Transfer> t = std::move(owned);
  // A sink has seen the first bytes: a retry would give them twice.
  if (t->tries < options.max_tries && t->streamed == 0) {
    retry(std::move(t), reason, backoff_ms(t->tries));
  } else if (!keep_partial(t)) {  // a body cut short every time: what came is kept, marked truncated
    complete(std::move(t), error, cause + " (after " + std::to_string(options.max_tries) + " tries)");
  }
}

void Fetcher::Impl::on_transfer_error(std::unique_ptr<Transfer>&& owned, const Finished& f) {
  std::unique_ptr<Transfer> t = std::move(owned);
  const FetchProfile& p = *t->request.profile;
  if (!t->refused.empty()) {
    complete(std::move(t), FetchError::kRefused, t->refused);
    return;
  }
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
  long s = t->status;
  int wait_s = f.retry_after > 0 ? static_cast<int>(f.retry_after) : 0;
  host_of(*t).pace.on_rate_limited(Clock::now(), wait_s);
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
  t->host_key = parts ? parts->authority() : std::string(kUnparsedHost);
  t->not_before = Clock::time_point{};
  waiting.push_front(std::move(t));
}

}  // namespace leakwatch::crawler
