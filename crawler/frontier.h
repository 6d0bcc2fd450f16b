// The crawl frontier in PostgreSQL (schema/0010_create_frontier.sql): URLs
// to fetch, leased to workers with FOR UPDATE SKIP LOCKED and an expiry, and
// the outcomes of fetches, committed in batches.
//
// Several processes (on several machines) may share one frontier: a URL is
// leased to one worker at a time; a killed worker's leases expire and are
// taken again, at once when the worker is known to be gone (the registry of
// live workers, crawler/worker_registry.h) and after the lease's expiry
// otherwise; outcomes are written only by the lease's owner. A batch is one
// transaction, so a kill loses at most the pages not yet committed.
//
// Not thread-safe: one Frontier per connection, used by one thread. The
// connection must outlive the Frontier.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "db/listing_privacy.h"
#include "db/page_store.h"

namespace leakwatch::crawler {

using db::FetchedPage;

struct LeasedUrl {
  int64_t id = 0;
  std::string url;
  std::string source;
  int depth = 0;
  int attempts = 0;  // earlier passes' tries
  std::string etag;  // of the last successful fetch, for a conditional revisit
  std::string last_modified;
  // The worker whose lease this was, when it was taken from a worker that
  // is no longer live or let it expire; "" for a queued URL.
  std::string taken_from;
};

// What became of one leased URL.
struct Outcome {
  enum class Kind {
    kFetched,      // `page` is stored (or its content already was), state done
    kNotModified,  // 304 on a revisit: state done, nothing downstream
    kSkipped,      // not text and the like: never fetched again
    kFailed,       // gave up for this pass; re-queued at the next revisit
    kRetryLater,   // e.g. a long Retry-After: queued again after `retry_after_s`
    kLoginWall,    // a login form: recorded once per source, not content
    // Not fetched: its page was fetched in this pass under another URL (a
    // variant of this one, by this worker or another). State done, so that
    // it comes back at the next revisit, with that URL; nothing downstream.
    kFetchedAsVariant,
  };
  int64_t frontier_id = 0;
  std::string source;
  Kind kind = Kind::kFetched;
  int http_status = 0;
  std::string error;          // why, for kSkipped/kFailed/kRetryLater/kLoginWall
  std::string login_url;      // kLoginWall: the page that asks for a login
  int retry_after_s = 0;      // kRetryLater
  std::string etag;           // kFetched
  std::string last_modified;  // kFetched
  std::optional<FetchedPage> page;
};

// Links found on fetched pages, already canonical and in scope.
struct DiscoveredLinks {
  std::string source;
  int depth = 0;  // the depth the new URLs get
  std::vector<std::string> urls;
};

// A URL fetched in this pass (by any worker) with its page's content hash,
// as Frontier::fetched_since() reads them.
struct FetchedUrl {
  std::string source;
  std::string url;           // as fetched (opened when stored masked)
  std::string content_hash;  // 32 raw bytes
};

struct FetchedSince {
  std::vector<FetchedUrl> urls;
  // The latest fetch read, to pass as `since` next time (seconds since the
  // epoch, the store's clock); unchanged when nothing was read.
  double watermark = 0;
};

struct CommitResult {
  int pages_new = 0;                         // distinct contents stored for the first time
  int pages_duplicate = 0;                   // contents already stored under another URL
  int urls_enqueued = 0;                     // new frontier URLs
  std::vector<std::string> new_login_walls;  // sources whose login wall is new
};

// Counts that decide whether a pass is over.
struct FrontierState {
  int64_t ready = 0;             // queued and due now
  int64_t deferred = 0;          // queued for later (Retry-After, retries)
  int64_t leased_by_others = 0;  // leased by another live worker, lease not expired
  int64_t expired_leases = 0;    // expired, or left by a worker that is not live
};

class Frontier {
 public:
  // `worker` names this worker in lease_owner (unique per process).
  // `privacy` masks what is stored (URLs carrying identifiers, errors,
  // pages) and seals what must stay readable; it must outlive the Frontier.
  Frontier(pqxx::connection& conn, std::string worker, int lease_s, const db::ListingPrivacy& privacy);

  const std::string& worker() const { return worker_; }

  // Records the source, adds its seeds (depth 0, within max_pages), and
  // re-queues URLs fetched more than `revisit_hours` ago (failed ones and
  // login walls too: cookies may have been renewed) so
  // that this pass revisits them.
  void prepare_source(const std::string& source, const std::vector<std::string>& seeds, int64_t max_pages,
                      double revisit_hours);

  // Leases up to `n` URLs of `source`: first those leased by a worker that
  // is no longer live (crawler/worker_registry.h) or whose lease expired,
  // then queued URLs that are due, shallowest first. This worker must be
  // registered and live, or its own leases may be taken by others. Returns fewer (or none) when no more
  // are available; never blocks on rows other workers hold.
  std::vector<LeasedUrl> lease(const std::string& source, int n);

  // Writes outcomes and new links in one transaction. New URLs are added
  // with ON CONFLICT DO NOTHING, up to `max_pages` frontier URLs per source
  // (given per source in `max_pages`, same order as calls to
  // prepare_source: looked up by name).
  CommitResult commit(const std::vector<Outcome>& outcomes, const std::vector<DiscoveredLinks>& links,
                      const std::vector<std::pair<std::string, int64_t>>& max_pages);

  // Extends the expiry of every lease this worker holds.
  void renew_leases();
  // Gives back every lease this worker holds (queued again, due now).
  void release_leases();

  FrontierState state(const std::vector<std::string>& sources);

  // When this crawl's pass began, for the workers that share it: the
  // earliest start of the live workers registered for one of `sources`
  // (this one, registered, included), the store's clock in seconds since
  // the epoch. What was fetched since then counts as fetched in this pass.
  double pass_start(const std::vector<std::string>& sources);

  // URLs of `sources` fetched (state done, with a content hash) at `since`
  // or later, by any worker, this one included: the newest `limit` of them.
  // The read reaches kFetchedOverlap further back than `since`, so that a
  // commit whose transaction began before the last read but ended after it
  // is not missed; a URL read twice is the caller's to recognise. URLs
  // stored masked are opened (those sealed under another key are left out).
  static constexpr double kFetchedOverlap = 10;  // seconds
  FetchedSince fetched_since(const std::vector<std::string>& sources, double since, int64_t limit);

 private:
  pqxx::connection& conn_;
  std::string worker_;
  int lease_s_;
  const db::ListingPrivacy& privacy_;
  std::map<std::string, int64_t> known_urls_;  // per source, an estimate (see commit())
};

}  // namespace leakwatch::crawler

namespace leakwatch::crawler {

// `purge --rewrite` (db/privacy_rewrite.h) for the frontier: a URL stored in
// plaintext that carries an identifier becomes its stored form (masked, with
// its keyed tag) and is kept sealed so it can still be fetched, or is dropped
// when that form is already queued; errors are masked. Rows in today's form
// are left alone. Returns the rows changed. Throws leakwatch::RuntimeError.
int64_t rewrite_frontier_plaintext(pqxx::connection& conn, const db::ListingPrivacy& privacy);

}  // namespace leakwatch::crawler
