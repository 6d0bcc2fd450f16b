// Worker threads that run parse_page() (crawler/parse/page_parser.h) off the
// fetch loop: while a page is parsed, the loop goes on fetching, committing
// and renewing leases, so no page holds up the other sources.
//
// Thread-safe for one owner thread that submits and takes results; the
// workers only run the jobs. Jobs run in submission order on the first free
// worker; results come back in completion order.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crawler/parse/page_parser.h"

namespace leakwatch::crawler {

struct ParseJob {
  uint64_t id = 0;  // the caller's token, returned with the result
  std::string body;
  std::string content_type;
  std::string final_url;
  const ParseOptions* options = nullptr;  // required; must outlive the job
  bool want_links = true;
};

struct ParseResult {
  uint64_t id = 0;
  ParsedPage page;
  std::exception_ptr error;  // what parse_page threw (std::bad_alloc), else null
};

class ParseWorkers {
 public:
  // Starts `threads` workers (at least one).
  explicit ParseWorkers(unsigned threads);
  // Drops the jobs not yet started and waits for the running ones.
  ~ParseWorkers();
  ParseWorkers(const ParseWorkers&) = delete;
  ParseWorkers& operator=(const ParseWorkers&) = delete;

  void submit(ParseJob job);

  // The results finished so far; waits up to `max_wait` for the first one
  // when none is ready (0: never waits).
  std::vector<ParseResult> take(std::chrono::milliseconds max_wait);

  // Jobs submitted and not yet returned by take().
  size_t pending() const { return pending_; }

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable job_ready_;
  std::condition_variable result_ready_;
  std::deque<ParseJob> jobs_;
  std::vector<ParseResult> results_;
  bool stopping_ = false;
  size_t pending_ = 0;  // owner thread only
  std::vector<std::thread> threads_;
};

}  // namespace leakwatch::crawler
