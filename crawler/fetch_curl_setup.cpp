// One hop of a transfer on a libcurl easy handle: the address pinned, the
// handle taken from the pool and set up (proxy, timeouts, callbacks, cookies,
// conditional headers), the host's rate slot taken, the handle added to the
// multi handle; and the handle given back when the hop ends.
#include <algorithm>

#include "core/errors.h"
#include "crawler/fetcher_impl.h"

namespace leakwatch::crawler {

using namespace fetch_detail;

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

}  // namespace leakwatch::crawler
