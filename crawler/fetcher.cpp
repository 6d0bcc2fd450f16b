#include "crawler/fetcher.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "core/errors.h"
#include "crawler/fetcher_impl.h"
#include "crawler/parse/url.h"

namespace leakwatch::crawler {

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
  t->host_key = parts ? parts->authority() : std::string(kUnparsedHost);
  if (auto canonical = canonicalize_url(request.url)) t->visited.insert(*canonical);
  t->request = std::move(request);
  impl_->waiting.push_back(std::move(t));
}

std::vector<HostStatus> Fetcher::hosts() const {
  std::vector<HostStatus> out;
  auto now = Clock::now();
  for (const auto& [key, h] : impl_->hosts) {
    HostStatus s;
    s.host = key;
    s.rate = h.pace.rate();
    s.automatic = h.pace.automatic();
    s.workers = h.pace.max_share();
    s.in_flight_limit = h.pace.in_flight_limit();
    s.latency_s = h.pace.latency_s();
    s.requests = h.pace.requests();
    s.rate_limited = h.pace.rate_limited();
    double span = std::chrono::duration<double>(now - h.first_start).count();
    s.requests_per_s = s.requests > 1 && span > 0 ? static_cast<double>(s.requests) / span : 0;
    out.push_back(std::move(s));
  }
  return out;
}

void Fetcher::set_rate_share(const FetchProfile* profile, int workers) {
  impl_->shares[profile] = workers;
  for (auto& [key, h] : impl_->hosts) {
    if (h.profile == profile) h.pace.set_share(workers);
  }
}

size_t Fetcher::pending() const { return impl_->waiting.size() + impl_->running.size() + impl_->done.size(); }

int Fetcher::Impl::backoff_ms(int tries) {
  double base = options.retry_base_ms * std::pow(2.0, std::max(0, tries - 1));
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return static_cast<int>(std::min<double>(kMaxBackoffMs, base * jitter(rng)));
}

Fetcher::Host& Fetcher::Impl::host_of(const Transfer& t) {
  auto it = hosts.find(t.host_key);
  if (it != hosts.end()) return it->second;
  const FetchProfile& p = *t.request.profile;
  PaceSettings settings;
  settings.rate = p.rate;
  settings.automatic = p.auto_rate;
  settings.max_rate = p.max_rate;
  settings.start_rate = std::min(1.0, p.max_rate);
  settings.max_in_flight = options.per_host_concurrency;
  Host& host = hosts.emplace(t.host_key, Host(settings, &p)).first->second;
  if (auto share = shares.find(&p); share != shares.end()) host.pace.set_share(share->second);
  return host;
}

void Fetcher::Impl::start_ready(Clock::time_point now) {
  for (auto it = waiting.begin();
       it != waiting.end() && running.size() < static_cast<size_t>(options.concurrency);) {
    Transfer& t = **it;
    if (t.not_before <= now && host_of(t).pace.may_start(now)) {
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
    auto at = std::max(t->not_before, h == hosts.end() ? now : h->second.pace.next_slot());
    wake = std::min(wake, at);
  }
  return wake;
}

bool Fetcher::Impl::resume_writable() {
  bool still_paused = false;
  for (auto& [easy, t] : running) {
    if (!t->paused) continue;
    if (t->request.sink->writable()) {
      t->paused = false;
      curl_easy_pause(easy, CURLPAUSE_CONT);  // may call on_body at once, which may pause again
    }
    still_paused = still_paused || t->paused;
  }
  return still_paused;
}

std::vector<FetchResult> Fetcher::poll(std::chrono::milliseconds max_wait) {
  Impl& m = *impl_;
  auto deadline = Clock::now() + max_wait;
  while (m.done.empty()) {
    auto now = Clock::now();
    m.start_ready(now);
    if (m.running.empty() && m.waiting.empty()) break;
    const bool paused = m.resume_writable();
    auto wake = std::min(deadline, m.next_wakeup(now));
    int timeout_ms = static_cast<int>(
        std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count()));
    // A paused transfer's sink drains on another thread, which cannot wake
    // curl_multi_poll: look again soon.
    if (paused) timeout_ms = std::min(timeout_ms, kPausedPollMs);
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
