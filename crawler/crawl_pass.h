// The crawl pass's state and steps (crawler/crawl.h runs one). Internal to
// crawler/: its members are defined in crawl.cpp (set-up, leasing, the
// loop), crawl_results.cpp (what a fetched or parsed page becomes),
// crawl_links.cpp (links kept and URL variants left out) and
// crawl_commits.cpp (batches handed to the commit writer and what comes back).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crawler/attachment_crawl.h"
#include "crawler/commit_writer.h"
#include "crawler/crawl.h"
#include "crawler/fetcher.h"
#include "crawler/frontier.h"
#include "crawler/heartbeat.h"
#include "crawler/lease_owners.h"
#include "crawler/parse/page_parser.h"
#include "crawler/parse_workers.h"
#include "crawler/scope.h"
#include "crawler/url_params.h"

namespace leakwatch::crawler::crawl_detail {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kBatchOutcomes = 64;
constexpr auto kBatchDelay = milliseconds(50);
constexpr auto kProgressInterval = milliseconds(1000);
constexpr auto kEmptyLeaseBackoff = milliseconds(300);
constexpr auto kWaitForOthers = milliseconds(250);
// How often the URL-parameter rules other workers stored, and the pages
// they fetched, are read: a rule one worker proved spares the others the
// variants from then on, and a page one fetched under a variant URL spares
// the others its plain URL.
constexpr auto kOthersInterval = milliseconds(1000);
// Other workers' fetches read at most at once (the newest): the learner
// remembers a bounded number of pages anyway (url_params.cpp).
constexpr int64_t kMaxFetchedRead = 20000;
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
  // At most once per kOthersInterval: merges the URL-parameter rules
  // stored since the last read (by the other workers, and this one), and
  // observes the pages fetched since (likewise; the learner counts a page
  // it observed already once).
  void read_others();
  // run()'s phases: sources set up; the loop until nothing is left to
  // lease, fetch, parse or commit; on an exception, what was fetched kept
  // and the rest given back; the final count, notices and verdict.
  void prepare();
  void loop();
  void step();  // one turn: lease, fetch, parse, take commits
  void flush_when_due(Clock::time_point now);
  bool more_to_lease(Clock::time_point now);  // false: the pass is done
  void give_back() noexcept;
  CrawlStats finish();
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
  double rules_watermark_ = 0;            // the latest rule change read (the store's clock)
  double fetched_watermark_ = 0;          // the latest fetch read (the store's clock)
  Clock::time_point others_read_{};
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

}  // namespace leakwatch::crawler::crawl_detail
