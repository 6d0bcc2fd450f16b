#include "crawler/crawl.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "core/errors.h"
#include "crawler/crawl_pass.h"
#include "crawler/param_rule_store.h"
#include "crawler/parse/url.h"

namespace leakwatch::crawler {
namespace crawl_detail {

void CrawlPass::add_source(const SourceOptions& s) {
  auto run = std::make_unique<SourceRun>();
  run->options = &s;
  run->parsing.url_options.extra_session_params = s.session_params;
  ScopeOptions scope;
  scope.source = s.name;
  scope.seeds = s.seeds;
  scope.allow = s.allow;
  scope.deny = s.deny;
  scope.allow_private = s.allow_private;
  scope.url_options = run->parsing.url_options;
  run->scope = std::make_unique<Scope>(scope);
  const db::ListingPrivacy* privacy = options_.privacy;
  run->params = std::make_unique<ParamLearner>(
      s.keep_params, s.drop_params, s.learn_params,
      [privacy](const std::string& pattern) { return privacy->stored_url(pattern); });

  const Scope* sc = run->scope.get();
  run->profile = fetch_profile(s, options_.defaults);
  run->profile.redirect_allowed = [sc](std::string_view url) { return sc->in_scope(url); };

  auto selector = [&](const std::string& text, const char* field) -> std::optional<Selector> {
    if (text.empty()) return std::nullopt;
    auto parsed = Selector::parse(text);
    if (!parsed) {
      throw ConfigError("source " + s.name + ": fields." + field + " selector '" + text +
                        "': " + parsed.error());
    }
    return *parsed;
  };
  run->parsing.selectors.title = selector(s.fields.title, "title");
  run->parsing.selectors.price = selector(s.fields.price, "price");
  run->parsing.selectors.seller = selector(s.fields.seller, "seller");
  run->stats.name = s.name;

  source_names_.push_back(s.name);
  max_pages_.emplace_back(s.name, s.max_pages);
  by_name_[s.name] = run.get();
  sources_.push_back(std::move(run));
}

void CrawlPass::share_rates() {
  std::vector<std::string> active;
  for (const auto& run : sources_) {
    if (run->pending > 0 || !run->drained) active.push_back(run->options->name);
  }
  if (active != active_) {
    heartbeat_->set_active(active);
    active_ = std::move(active);
  }
  if (auto shares = heartbeat_->take_shares()) {
    for (auto& run : sources_) fetcher_.set_rate_share(&run->profile, (*shares)[run->options->name]);
  }
}

void CrawlPass::read_others() {
  auto now = Clock::now();
  if (now - others_read_ < kOthersInterval) return;
  others_read_ = now;
  auto stored = load_param_rules_since(conn_, source_names_, rules_watermark_);
  for (auto& [source, rules] : stored.by_source) {
    if (auto it = by_name_.find(source); it != by_name_.end()) it->second->params->merge(rules);
  }
  rules_watermark_ = stored.watermark;
  // Oldest first, as they were fetched: a URL is compared with those before it.
  auto fetched = frontier_.fetched_since(source_names_, fetched_watermark_, kMaxFetchedRead);
  for (auto it = fetched.urls.rbegin(); it != fetched.urls.rend(); ++it) {
    if (auto run = by_name_.find(it->source); run != by_name_.end()) {
      run->second->params->observe(it->url, it->content_hash);
    }
  }
  fetched_watermark_ = fetched.watermark;
}

void CrawlPass::note_taken(const LeasedUrl& u) {
  if (u.taken_from.empty() || u.taken_from == frontier_.worker()) return;
  if (taken_from_.insert(u.taken_from).second && callbacks_.notice) {
    callbacks_.notice("took back the leases of crawl worker " + u.taken_from +
                      ", which stopped (or let its leases expire)");
  }
}

void CrawlPass::refill() {
  // A queue a little deeper than the concurrency keeps every slot busy; a
  // deeper one only delays the URLs found meanwhile (a pagination's next
  // page waits behind the whole queue). Lease in chunks of a few.
  const size_t concurrency = static_cast<size_t>(options_.defaults.concurrency);
  const size_t target = concurrency + std::max<size_t>(4, concurrency / 2);
  if (busy() + std::max<size_t>(2, concurrency / 4) > target) return;
  auto now = Clock::now();
  for (auto& run : sources_) {
    if (stopping() || busy() >= target) return;
    if (run->next_lease > now) continue;
    // One source's slow host must not fill the queue that the others need.
    const int64_t source_cap = 2 * static_cast<int64_t>(options_.defaults.per_host_concurrency);
    if (run->pending >= source_cap) continue;
    int n = static_cast<int>(std::min<int64_t>(target - busy(), source_cap - run->pending));
    if (options_.max_pages) n = static_cast<int>(std::min<int64_t>(n, *options_.max_pages - leased_));
    auto leased = frontier_.lease(run->options->name, n);
    run->drained = leased.empty();
    if (leased.empty()) {
      run->next_lease = now + kEmptyLeaseBackoff;
      continue;
    }
    for (auto& u : leased) {
      note_taken(u);
      if (leave_out_variant(*run, u)) continue;
      FetchRequest request;
      request.id = static_cast<uint64_t>(u.id);
      request.url = u.url;
      request.profile = &run->profile;
      request.etag = u.etag;
      request.last_modified = u.last_modified;
      fetcher_.submit(std::move(request));
      in_flight_.emplace(static_cast<uint64_t>(u.id), std::move(u));
      ++leased_;
      ++run->pending;
    }
  }
}

void CrawlPass::report(bool final) {
  stats_.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  stats_.bytes = fetcher_.bytes_received();
  stats_.retries = fetcher_.retries();
  stats_.hosts = fetcher_.hosts();
  std::sort(stats_.hosts.begin(), stats_.hosts.end(),
            [](const HostStatus& a, const HostStatus& b) { return a.host < b.host; });
  stats_.attachments = attachments_.stats();
  stats_.sources.clear();
  for (const auto& run : sources_) stats_.sources.push_back(run->stats);
  if (callbacks_.progress) callbacks_.progress(stats_, final);
}

CrawlStats CrawlPass::run() {
  prepare();
  try {
    loop();
    flush();
    collect(writer_.drain());
  } catch (...) {
    give_back();
    throw;
  }
  return finish();
}

void CrawlPass::prepare() {
  for (const auto& run : sources_) {
    const SourceOptions& s = *run->options;
    frontier_.prepare_source(s.name, run->scope->seeds(), s.max_pages, s.revisit_hours);
  }
  // Rules of earlier runs (probed once in this one); later reads merge what
  // the other workers learn meanwhile (read_others).
  auto stored = load_param_rules_since(conn_, source_names_, 0);
  for (const auto& run : sources_) run->params->load(stored.by_source[run->options->name]);
  rules_watermark_ = stored.watermark;
  others_read_ = Clock::now();
  // Registered, and so live to the others, before the first lease.
  heartbeat_ =
      std::make_unique<Heartbeat>(conn_, frontier_.worker(), options_.defaults.heartbeat_s, source_names_);
  // The pages fetched in this pass before this worker began (by workers
  // that began before it) are read at the first read_others().
  fetched_watermark_ = frontier_.pass_start(source_names_) + Frontier::kFetchedOverlap;
  share_rates();
}

void CrawlPass::loop() {
  auto last_progress = Clock::now();
  auto last_renew = Clock::now();
  const auto renew_every = std::chrono::seconds(std::max(1, options_.defaults.lease_s / 3));
  while (true) {
    step();
    auto now = Clock::now();
    flush_when_due(now);
    if (now - last_renew >= renew_every) {
      writer_.renew_leases();
      last_renew = now;
    }
    if (now - last_progress >= kProgressInterval) {
      auto st = frontier_.state(source_names_);
      stats_.queued = st.ready + st.deferred;
      report(false);
      last_progress = now;
    }
    if (busy() > 0) continue;
    if (writer_.pending() > 0 || !outcomes_.empty() || !links_.empty()) {
      // Nothing in flight: what is being committed is the next work.
      if (writer_.pending() == 0) flush();
      collect(writer_.drain());
      continue;
    }
    if (stopping()) break;
    if (!more_to_lease(now)) break;
  }
}

void CrawlPass::step() {
  share_rates();
  read_others();  // before leasing: leased variants a rule or a fetch proves duplicate are left out
  refill();
  attachments_.step();
  // Parsed pages are taken between polls: a short poll while some are
  // being parsed, a wait on the parsers when nothing is being fetched.
  bool idle = fetcher_.pending() == 0;
  bool parsing = parsers_.pending() > 0;
  auto results = fetcher_.poll(idle ? milliseconds(0) : milliseconds(parsing ? 20 : 100));
  for (auto& r : results) handle(std::move(r));
  for (auto& p : parsers_.take(idle && parsing ? milliseconds(50) : milliseconds(0))) {
    handle_parsed(std::move(p));
  }
  collect(writer_.take());
}

void CrawlPass::flush_when_due(Clock::time_point now) {
  // Batch commits, but not at the cost of starving the fetcher: when it
  // runs low, the links waiting in the batch are the next work
  // (paginations are chains, one page deeper each). While the writer is
  // busy, small batches wait and grow.
  bool starving = fetcher_.pending() < static_cast<size_t>(options_.defaults.concurrency) && !links_.empty();
  bool due = (!outcomes_.empty() && now - first_pending_ >= kBatchDelay) || starving ||
             (fetcher_.pending() == 0 && (!outcomes_.empty() || !links_.empty()));
  if (outcomes_.size() >= kBatchOutcomes || (due && writer_.pending() == 0)) flush();
}

bool CrawlPass::more_to_lease(Clock::time_point now) {
  bool any_due = false;
  for (const auto& run : sources_) any_due = any_due || run->next_lease <= now;
  if (any_due) return true;
  auto st = frontier_.state(source_names_);
  if (st.ready == 0 && st.expired_leases == 0 && st.leased_by_others == 0) return false;
  if (st.ready > 0 || st.expired_leases > 0) {
    for (auto& run : sources_) run->next_lease = {};
    return true;
  }
  // Other live workers hold leases: their pages may add links. Wait for
  // them; if one dies meanwhile, its leases count as expired and are
  // taken by the next lease().
  std::this_thread::sleep_for(kWaitForOthers);
  for (auto& run : sources_) run->next_lease = {};
  return true;
}

void CrawlPass::give_back() noexcept {
  // Keep what was fetched, give the rest back to the frontier.
  try {
    flush();
    writer_.drain();
  } catch (...) {
  }
  try {
    frontier_.release_leases();
  } catch (...) {
  }
  heartbeat_.reset();
}

CrawlStats CrawlPass::finish() {
  frontier_.release_leases();  // --max-pages or stop: nothing is left leased
  heartbeat_.reset();          // leaves the registry
  auto st = frontier_.state(source_names_);
  stats_.queued = st.ready + st.deferred;
  report(true);
  int64_t errors = stats_.error_total();
  for (const auto& run : sources_) {
    if (run->stats.fetched == 0 && !run->first_error.empty() && callbacks_.notice) {
      callbacks_.notice("source " + run->options->name + ": no page could be fetched (" +
                        std::to_string(run->stats.errors) + " errors; first: " + run->first_error + ")");
    }
  }
  if (stats_.fetched == 0 && stats_.not_modified == 0 && stats_.failed + stats_.skipped > 0) {
    throw RuntimeError("no page could be fetched (" + std::to_string(errors) +
                       " errors; first: " + first_error_ + ")");
  }
  return stats_;
}

}  // namespace crawl_detail

CrawlStats run_crawl(db::Connection& conn, const CrawlOptions& options, const CrawlCallbacks& callbacks) {
  if (options.privacy == nullptr) throw std::logic_error("run_crawl: CrawlOptions::privacy not set");
  crawl_detail::CrawlPass pass(conn, options, callbacks);
  return pass.run();
}

}  // namespace leakwatch::crawler
