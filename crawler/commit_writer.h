// The crawl pass's writes to PostgreSQL, on a thread of their own: page
// commits (outcomes, pages, new links), learned URL-parameter rules, and
// lease renewals, in the order they were asked for, over a second
// connection. The fetch loop hands a batch over and goes on fetching; it
// never waits for the database unless `kMaxQueued` batches are already
// waiting (back-pressure, so memory stays bounded when the database is slow).
//
// Reads (lease, state) stay on the pass's own connection. The two never
// block each other: leasing takes only rows in state 'queued' or with an
// expired lease (FOR UPDATE SKIP LOCKED), while every row the writer updates
// is leased by this worker and live, and the renewals that touch those rows
// are queued here too, behind the commits.
//
// A failure on the writer's thread is kept and thrown from the next call of
// take(), submit() or drain() on the pass's thread; later work is dropped
// (the leases expire and the URLs are leased again, as after a kill).
//
// Thread-safe in the one way it is used: one thread calls every member.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "crawler/frontier.h"
#include "crawler/url_params.h"
#include "db/connection.h"
#include "db/listing_privacy.h"

namespace leakwatch::crawler {

// One batch of a pass's results.
struct CommitBatch {
  std::vector<Outcome> outcomes;
  std::vector<DiscoveredLinks> links;
  std::vector<std::pair<std::string, int64_t>> max_pages;  // per source, see Frontier::commit
  std::vector<std::pair<std::string, std::vector<ParamRule>>> param_rules;  // per source, changed ones
};

// A batch once written: what the frontier said, and the batch's login-wall
// outcomes (the pass reports the walls that are new to the database).
struct Committed {
  CommitResult result;
  std::vector<Outcome> login_walls;
};

class CommitWriter {
 public:
  static constexpr size_t kMaxQueued = 8;

  // Opens its own connection to the server `like` is connected to. Throws
  // RuntimeError when it cannot connect.
  CommitWriter(db::Connection& like, std::string worker, int lease_s, const db::ListingPrivacy& privacy);
  // Writes what is still queued, then stops (failures there are dropped).
  ~CommitWriter();
  CommitWriter(const CommitWriter&) = delete;
  CommitWriter& operator=(const CommitWriter&) = delete;

  void submit(CommitBatch batch);
  // Extends this worker's leases, after the batches submitted before.
  void renew_leases();
  // The batches written since the last call.
  std::vector<Committed> take();
  // Batches and renewals not yet written.
  size_t pending() const;
  // Waits until everything submitted is written; returns what take() would.
  std::vector<Committed> drain();

 private:
  struct Job {
    bool renew = false;
    CommitBatch batch;
  };
  void enqueue(Job job);
  void loop();
  void rethrow_failure();  // with mutex_ held

  std::unique_ptr<db::Connection> conn_;
  Frontier frontier_;
  mutable std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable wake_pass_;
  std::deque<Job> queue_;
  size_t running_ = 0;  // jobs taken off the queue and not yet finished
  std::vector<Committed> done_;
  std::exception_ptr failure_;
  bool stopping_ = false;
  std::thread thread_;  // last: started when everything it uses exists
};

}  // namespace leakwatch::crawler
