#include "crawler/crawl.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <re2/re2.h>

#include "core/checked_regex.h"
#include "core/errors.h"
#include "crawler/attachment_crawl.h"
#include "crawler/commit_writer.h"
#include "crawler/fetcher.h"
#include "crawler/frontier.h"
#include "crawler/heartbeat.h"
#include "crawler/param_rule_store.h"
#include "crawler/parse/page_parser.h"
#include "crawler/parse/url.h"
#include "crawler/parse_workers.h"
#include "crawler/scope.h"
#include "crawler/url_params.h"

namespace leakwatch::crawler {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Login pages are not content, and logout links end the session the cookies
// carry: neither is crawled.
constexpr const char* kLoginUrlPattern =
    R"((?i)^[a-z]+://[^/]+/(?:(?:[^?#]*[/_.-])?(?:log-?in|sign-?in|sign_in|log_in|logon)(?:[/_.?#-]|$))"
    R"(|[^?#]*\?(?:[^#]*&)?[a-z_]+=(?:log-?in|sign-?in)(?:[&#]|$)))";
constexpr const char* kLogoutUrlPattern =
    R"((?i)^[a-z]+://[^/]+/(?:(?:[^?#]*[/_.-])?(?:log-?out|sign-?out|log_out|sign_out|logoff)(?:[/_.?#-]|$))"
    R"(|[^?#]*\?(?:[^#]*&)?[a-z_]+=(?:log-?out|sign-?out|logoff)(?:[&#]|$)))";

constexpr size_t kBatchOutcomes = 64;
constexpr auto kBatchDelay = milliseconds(50);
constexpr auto kProgressInterval = milliseconds(1000);
constexpr auto kEmptyLeaseBackoff = milliseconds(300);
constexpr auto kWaitForOthers = milliseconds(250);
// Two parsers: one hostile page in parsing leaves the other for the rest.
constexpr unsigned kParseThreads = 2;

struct SourceRun {
  const SourceOptions* options = nullptr;
  std::unique_ptr<Scope> scope;
  std::unique_ptr<ParamLearner> params;  // which query parameters never change a page
  FetchProfile profile;
  ParseOptions parsing;  // selectors and URL options
  Clock::time_point next_lease{};
  int64_t pending = 0;   // leased by this pass and not yet handled
  bool drained = false;  // the last lease found nothing: not fetching it now (for the rate's share)
  std::string first_error;
  SourceStats stats;
};

std::string worker_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::random_device rd;
  char token[9];
  snprintf(token, sizeof token, "%08x", rd());
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + token;
}

// After the scheme's "://", the error's cause (fetch messages are "fetch URL: cause").
std::string cause_of(const std::string& message) {
  auto pos = message.find(": ");
  return pos == std::string::npos ? message : message.substr(pos + 2);
}

// A fetched page whose body is being parsed: everything but the body.
struct Parsing {
  LeasedUrl leased;
  FetchResult fetched;  // body moved to the parser
  int64_t bytes = 0;    // the body's size
};

class CrawlPass {
 public:
  CrawlPass(db::Connection& conn, const CrawlOptions& options, const CrawlCallbacks& callbacks)
      : conn_(conn),
        options_(options),
        callbacks_(callbacks),
        frontier_(conn, worker_name(), options.defaults.lease_s, *options.privacy),
        writer_(conn, frontier_.worker(), options.defaults.lease_s, *options.privacy),
        fetcher_(options.defaults) {
    for (const auto& source : options.sources) add_source(source);
  }

  CrawlStats run();

 private:
  void add_source(const SourceOptions& s);
  void refill();
  void handle(FetchResult&& result);
  void handle_failure(SourceRun& run, const LeasedUrl& leased, FetchResult& r, Outcome& o);
  void handle_parsed(ParseResult&& result);
  void add_outcome(Outcome&& o) {
    if (outcomes_.empty()) first_pending_ = Clock::now();
    outcomes_.push_back(std::move(o));
  }
  // Pages being fetched or parsed, attachments waiting, fetched or scanned.
  size_t busy() const { return fetcher_.pending() + parsers_.pending() + attachments_.busy(); }
  void add_links(SourceRun& run, int depth, std::vector<std::string> links);
  bool leave_out_variant(SourceRun& run, const LeasedUrl& u);
  void flush();
  // Takes what the writer has committed: counts, new login walls, new links.
  void collect(std::vector<Committed> committed);
  void report(bool final);
  // Tells the registry which sources this worker fetches now, and shares
  // each host's rate among the live workers that fetch its source.
  void share_rates();
  void note_taken(const LeasedUrl& u);
  bool stopping() const {
    return (callbacks_.stop != nullptr && callbacks_.stop->load()) ||
           (options_.max_pages && leased_ >= *options_.max_pages);
  }
  void count_error(SourceRun& run, const std::string& kind, const std::string& message) {
    stats_.errors[kind]++;
    run.stats.errors++;
    if (run.first_error.empty()) run.first_error = message;
  }

  db::Connection& conn_;
  const CrawlOptions& options_;
  const CrawlCallbacks& callbacks_;
  Frontier frontier_;
  CommitWriter writer_;  // commits on a thread of its own: the fetch loop never waits for them
  Fetcher fetcher_;
  std::unique_ptr<Heartbeat> heartbeat_;  // registered while the pass runs
  std::vector<std::string> active_;       // sources told to the heartbeat
  std::set<std::string> taken_from_;      // workers whose leases this pass took
  std::vector<std::unique_ptr<SourceRun>> sources_;
  std::vector<std::string> source_names_;
  std::vector<std::pair<std::string, int64_t>> max_pages_;
  std::unordered_map<uint64_t, LeasedUrl> in_flight_;  // by frontier id
  std::unordered_map<uint64_t, Parsing> parsing_;      // by frontier id
  std::unordered_map<std::string, SourceRun*> by_name_;
  std::vector<Outcome> outcomes_;
  std::map<std::pair<std::string, int>, std::vector<std::string>> links_;  // (source, depth) -> URLs
  Clock::time_point first_pending_{};
  int64_t leased_ = 0;
  CrawlStats stats_;
  std::string first_error_;
  std::set<std::string> walls_reported_;
  Clock::time_point started_ = Clock::now();
  AttachmentCrawl attachments_{conn_, options_, fetcher_, callbacks_.notice};
  ParseWorkers parsers_{kParseThreads};  // last: stopped before what its jobs point into
};

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
  run->profile.proxy = s.proxy;
  run->profile.cookies = s.cookies;
  run->profile.cookie_file = s.cookie_file;
  run->profile.headers = s.headers;
  run->profile.user_agent = s.user_agent.empty() ? options_.defaults.user_agent : s.user_agent;
  run->profile.allow_private = s.allow_private;
  run->profile.rate = s.rate;
  run->profile.auto_rate = s.auto_rate;
  run->profile.max_rate = s.max_rate;
  run->profile.redirect_allowed = [sc](std::string_view url) { return sc->in_scope(url); };
  run->profile.is_login_url = [](std::string_view url) { return is_login_url(url); };

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

// A URL queued before its parameters were learned to be noise: not fetched;
// its reduced form is queued instead (nothing when it is known already).
bool CrawlPass::leave_out_variant(SourceRun& run, const LeasedUrl& u) {
  std::string reduced = run.params->apply(u.url);
  const bool fetched = run.params->fetched_as_variant(reduced);
  if (reduced == u.url && !fetched) return false;
  Outcome o;
  o.frontier_id = u.id;
  o.source = u.source;
  o.kind = Outcome::Kind::kSkipped;
  o.error = fetched ? "fetched in this pass under a URL variant" : "a URL variant of " + reduced;
  add_outcome(std::move(o));
  if (!fetched) links_[{u.source, u.depth}].push_back(std::move(reduced));
  ++stats_.variants;
  return true;
}

void CrawlPass::handle(FetchResult&& r) {
  if (attachments_.handle(r)) return;
  auto node = in_flight_.extract(r.id);
  if (node.empty()) return;
  LeasedUrl leased = std::move(node.mapped());
  SourceRun& run = *by_name_.at(leased.source);
  --run.pending;
  stats_.bytes += r.body.size();

  Outcome o;
  o.frontier_id = leased.id;
  o.source = leased.source;
  o.http_status = static_cast<int>(r.status);
  if (!r.ok()) {
    handle_failure(run, leased, r, o);
    add_outcome(std::move(o));
    return;
  }
  if (r.not_modified()) {
    o.kind = Outcome::Kind::kNotModified;
    stats_.not_modified++;
    run.stats.fetched++;
    add_outcome(std::move(o));
    return;
  }
  ParseJob job;
  job.id = r.id;
  job.body = std::move(r.body);
  job.content_type = r.content_type;
  job.final_url = r.final_url;
  job.options = &run.parsing;
  job.want_links = leased.depth < run.options->max_depth;
  int64_t bytes = static_cast<int64_t>(job.body.size());
  parsers_.submit(std::move(job));
  parsing_.emplace(r.id, Parsing{std::move(leased), std::move(r), bytes});
}

void CrawlPass::handle_failure(SourceRun& run, const LeasedUrl& leased, FetchResult& r, Outcome& o) {
  if (first_error_.empty()) first_error_ = r.message;
  switch (r.error) {
    case FetchError::kProxyUnreachable:
      throw RuntimeError("source " + leased.source + ": " + cause_of(r.message));
    case FetchError::kLoginWall:
      o.kind = Outcome::Kind::kLoginWall;
      o.login_url = r.login_url;
      o.error = "redirected to a login page";
      break;
    case FetchError::kNotText:
    case FetchError::kRedirectOutOfScope:
      o.kind = Outcome::Kind::kSkipped;
      o.error = cause_of(r.message);
      stats_.skipped++;
      count_error(run, std::string(to_string(r.error)), r.message);
      break;
    case FetchError::kRateLimited:
      o.kind = Outcome::Kind::kRetryLater;
      o.retry_after_s = std::max(1, r.retry_after_s);
      o.error = cause_of(r.message);
      stats_.deferred++;
      count_error(run, std::string(to_string(r.error)), r.message);
      break;
    case FetchError::kHttpStatus:
      o.kind = Outcome::Kind::kFailed;
      o.error = cause_of(r.message);
      stats_.failed++;
      count_error(run, "HTTP " + std::to_string(r.status), r.message);
      break;
    default:
      o.kind = Outcome::Kind::kFailed;
      o.error = cause_of(r.message);
      stats_.failed++;
      count_error(run, std::string(to_string(r.error)), r.message);
      break;
  }
}

void CrawlPass::handle_parsed(ParseResult&& result) {
  auto node = parsing_.extract(result.id);
  if (node.empty()) return;
  if (result.error) std::rethrow_exception(result.error);
  Parsing& p = node.mapped();
  const FetchResult& r = p.fetched;
  SourceRun& run = *by_name_.at(p.leased.source);
  ParsedPage& parsed = result.page;

  Outcome o;
  o.frontier_id = p.leased.id;
  o.source = p.leased.source;
  o.http_status = static_cast<int>(r.status);
  if (parsed.login_wall) {
    o.kind = Outcome::Kind::kLoginWall;
    o.login_url = r.final_url;
    o.error = "the page asks for a login (password form or expired session)";
    add_outcome(std::move(o));
    return;
  }
  FetchedPage page;
  page.url = p.leased.url;
  page.final_url = r.final_url;
  page.status = static_cast<int>(r.status);
  page.content_type = r.content_type.empty() ? "text/html" : r.content_type;
  page.charset = std::move(parsed.charset);
  page.bytes = p.bytes;
  page.truncated = r.truncated;
  page.title = std::move(parsed.title);
  page.listing_title = std::move(parsed.listing_title);
  page.price = std::move(parsed.price);
  page.seller = std::move(parsed.seller);
  page.text = std::move(parsed.text);
  page.content_hash = std::move(parsed.content_hash);
  o.kind = Outcome::Kind::kFetched;
  o.etag = r.etag;
  o.last_modified = r.last_modified;
  run.params->observe(p.leased.url, page.content_hash);
  o.page = std::move(page);
  stats_.fetched++;
  run.stats.fetched++;
  add_outcome(std::move(o));
  attachments_.take(*run.options, &run.profile, p.leased.url, parsed.links);
  if (!parsed.links.empty()) add_links(run, p.leased.depth + 1, std::move(parsed.links));
}

void CrawlPass::add_links(SourceRun& run, int depth, std::vector<std::string> links) {
  auto& bucket = links_[{run.options->name, depth}];
  for (auto& url : links) {
    if (!run.scope->in_scope(url)) continue;
    if (is_login_url(url) || is_logout_url(url)) continue;
    std::string reduced = run.params->apply(url);
    if (run.params->fetched_as_variant(reduced)) {
      ++stats_.variants;
      continue;
    }
    if (reduced != url) ++stats_.variants;
    bucket.push_back(std::move(reduced));
  }
}

void CrawlPass::flush() {
  if (outcomes_.empty() && links_.empty()) return;
  CommitBatch batch;
  for (auto& [key, urls] : links_) {
    // Document order is kept: it decides the order of fetching within a
    // depth, and a page's first links (rel=next) are often the way on.
    std::unordered_set<std::string_view> seen;
    std::vector<std::string> unique;
    for (auto& u : urls) {
      if (seen.insert(u).second) unique.push_back(u);
    }
    batch.links.push_back({key.first, key.second, std::move(unique)});
  }
  batch.outcomes = std::move(outcomes_);
  batch.max_pages = max_pages_;
  for (auto& run : sources_) {
    auto changed = run->params->take_changed();
    if (!changed.empty()) batch.param_rules.emplace_back(run->options->name, std::move(changed));
  }
  writer_.submit(std::move(batch));
  outcomes_.clear();
  links_.clear();
  attachments_.submitted();  // the pages that link them are in this batch
}

void CrawlPass::collect(std::vector<Committed> committed) {
  attachments_.committed(committed.size());
  bool enqueued = false;
  for (auto& c : committed) {
    const CommitResult& result = c.result;
    stats_.pages_new += result.pages_new;
    stats_.duplicates += result.pages_duplicate;
    stats_.enqueued += result.urls_enqueued;
    enqueued = enqueued || result.urls_enqueued > 0;
    // Once per source and pass; a notice only when the wall is new to the database.
    for (const auto& o : c.login_walls) {
      if (!walls_reported_.insert(o.source).second) continue;
      std::string line = o.source + ": " + o.login_url + " (" + o.error + ")";
      stats_.login_walls.push_back(line);
      bool is_new = std::find(result.new_login_walls.begin(), result.new_login_walls.end(), o.source) !=
                    result.new_login_walls.end();
      if (is_new && callbacks_.notice) callbacks_.notice("login wall: " + line);
    }
  }
  // New links may make sources leasable again.
  if (enqueued) {
    for (auto& run : sources_) run->next_lease = {};
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
  for (const auto& run : sources_) {
    const SourceOptions& s = *run->options;
    frontier_.prepare_source(s.name, run->scope->seeds(), s.max_pages, s.revisit_hours);
    run->params->load(load_param_rules(conn_, s.name));
  }
  // Registered, and so live to the others, before the first lease.
  heartbeat_ =
      std::make_unique<Heartbeat>(conn_, frontier_.worker(), options_.defaults.heartbeat_s, source_names_);
  share_rates();
  auto last_progress = Clock::now();
  auto last_renew = Clock::now();
  const auto renew_every = std::chrono::seconds(std::max(1, options_.defaults.lease_s / 3));
  try {
    while (true) {
      share_rates();
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
      auto now = Clock::now();
      // Batch commits, but not at the cost of starving the fetcher: when it
      // runs low, the links waiting in the batch are the next work
      // (paginations are chains, one page deeper each). While the writer is
      // busy, small batches wait and grow.
      bool starving =
          fetcher_.pending() < static_cast<size_t>(options_.defaults.concurrency) && !links_.empty();
      bool due = (!outcomes_.empty() && now - first_pending_ >= kBatchDelay) || starving ||
                 (fetcher_.pending() == 0 && (!outcomes_.empty() || !links_.empty()));
      if (outcomes_.size() >= kBatchOutcomes || (due && writer_.pending() == 0)) flush();
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
      bool any_due = false;
      for (const auto& run : sources_) any_due = any_due || run->next_lease <= now;
      if (any_due) continue;
      auto st = frontier_.state(source_names_);
      if (st.ready == 0 && st.expired_leases == 0 && st.leased_by_others == 0) break;
      if (st.ready > 0 || st.expired_leases > 0) {
        for (auto& run : sources_) run->next_lease = {};
        continue;
      }
      // Other live workers hold leases: their pages may add links. Wait for
      // them; if one dies meanwhile, its leases count as expired and are
      // taken by the next lease().
      std::this_thread::sleep_for(kWaitForOthers);
      for (auto& run : sources_) run->next_lease = {};
    }
    flush();
    collect(writer_.drain());
  } catch (...) {
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
    throw;
  }
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

}  // namespace

bool is_login_url(std::string_view url) {
  static const CheckedRegex<RE2> kLogin("login URL", kLoginUrlPattern);
  return RE2::PartialMatch(url, *kLogin);
}

bool is_logout_url(std::string_view url) {
  static const CheckedRegex<RE2> kLogout("logout URL", kLogoutUrlPattern);
  return RE2::PartialMatch(url, *kLogout);
}

CrawlStats run_crawl(db::Connection& conn, const CrawlOptions& options, const CrawlCallbacks& callbacks) {
  if (options.privacy == nullptr) throw std::logic_error("run_crawl: CrawlOptions::privacy not set");
  CrawlPass pass(conn, options, callbacks);
  return pass.run();
}

}  // namespace leakwatch::crawler
