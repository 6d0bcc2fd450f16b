// A crawl worker's heartbeat (crawler/worker_registry.h), on a thread and a
// connection of its own, so that a slow commit or a busy fetch loop never
// makes a live worker look dead. The worker is registered when the Heartbeat
// is built and leaves the registry when it is destroyed; in between, every
// `heartbeat_s` it records the sources the pass is fetching now and learns
// how many live workers fetch each source.
//
// A failure on the heartbeat's thread (the database gone) is kept and thrown
// from the next take_shares(); beats stop then, and the worker is soon dead
// to the others, which take its leases.
//
// Thread-safe in the one way it is used: one thread calls every member.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "crawler/worker_registry.h"
#include "db/connection.h"

namespace leakwatch::crawler {

class Heartbeat {
 public:
  // Opens its own connection to the server `like` is connected to and
  // registers `worker` as fetching all of `sources`, before it returns (so
  // that the worker is live before it leases anything). Throws RuntimeError
  // when it cannot connect or register.
  Heartbeat(db::Connection& like, const std::string& worker, int heartbeat_s,
            std::vector<std::string> sources);
  // Stops beating and removes the worker from the registry (a failure there
  // is dropped: the row is dead soon and forgotten later).
  ~Heartbeat();
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  // The sources the pass fetches now, sent with the next beat (at once when
  // one of them is new: the others slow down for it as soon as they can).
  void set_active(std::vector<std::string> active);
  // Live workers per source (this one included) learned by a beat since the
  // last call, or nothing when no beat came in between.
  std::optional<std::map<std::string, int>> take_shares();

 private:
  void loop();

  std::unique_ptr<db::Connection> conn_;
  WorkerRegistry registry_;
  const std::chrono::seconds interval_;
  const std::vector<std::string> sources_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::string> active_;
  std::optional<std::map<std::string, int>> shares_;
  std::exception_ptr failure_;
  bool stopping_ = false;
  bool beat_now_ = false;
  std::thread thread_;  // last: started when everything it uses exists
};

}  // namespace leakwatch::crawler
