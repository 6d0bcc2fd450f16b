// The crawl workers that share one frontier (schema/0060_create_crawl_workers.sql):
// each `leakwatch crawl` registers itself, beats every heartbeat, and learns
// how many live workers fetch each of its sources, so that a host's rate is
// shared among them (a host capped at 18/s gets 18/s from all workers
// together). A worker is live while its beats are recent and its server
// session exists; the frontier takes the leases of workers that are not
// (crawler/frontier.h).
//
// Not thread-safe: one WorkerRegistry per connection, used by one thread.
// The connection must outlive it; its server session is the one whose end
// says the worker is gone, so it must stay open as long as the worker runs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace leakwatch::crawler {

class WorkerRegistry {
 public:
  // Beats this many heartbeats missed make a worker dead, whatever its session.
  static constexpr int kMissedBeats = 3;

  WorkerRegistry(pqxx::connection& conn, std::string worker, int heartbeat_s);

  // Registers the worker (first call) or records a beat: the sources it is
  // fetching now (`active`) and a new deadline, kMissedBeats beats ahead.
  // Returns, for each of `sources`, how many live workers fetch it, this one
  // counted (so at least 1) whether or not it is active there. The first
  // call also removes the rows of workers dead for more than an hour.
  // Throws leakwatch::RuntimeError (db::StoreError) on a database failure.
  std::map<std::string, int> beat(const std::vector<std::string>& active,
                                  const std::vector<std::string>& sources);

  // Removes this worker's row; call after its leases are given back.
  void leave();

 private:
  pqxx::connection& conn_;
  std::string worker_;
  int heartbeat_s_;
  bool registered_ = false;
};

}  // namespace leakwatch::crawler
