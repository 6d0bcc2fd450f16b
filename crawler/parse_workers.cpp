#include "crawler/parse_workers.h"

#include <algorithm>

namespace leakwatch::crawler {

ParseWorkers::ParseWorkers(unsigned threads) {
  for (unsigned i = 0; i < std::max(1u, threads); ++i) threads_.emplace_back([this] { work(); });
}

ParseWorkers::~ParseWorkers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    jobs_.clear();
  }
  job_ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void ParseWorkers::submit(ParseJob job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  ++pending_;
  job_ready_.notify_one();
}

std::vector<ParseResult> ParseWorkers::take(std::chrono::milliseconds max_wait) {
  std::unique_lock lock(mutex_);
  if (results_.empty() && max_wait.count() > 0) {
    result_ready_.wait_for(lock, max_wait, [this] { return !results_.empty(); });
  }
  std::vector<ParseResult> out = std::move(results_);
  results_.clear();
  pending_ -= out.size();
  return out;
}

void ParseWorkers::work() {
  while (true) {
    ParseJob job;
    {
      std::unique_lock lock(mutex_);
      job_ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    ParseResult result;
    result.id = job.id;
    try {
      result.page = parse_page(job.body, job.content_type, job.final_url, *job.options, job.want_links);
    } catch (...) {
      result.error = std::current_exception();
    }
    {
      std::lock_guard lock(mutex_);
      results_.push_back(std::move(result));
    }
    result_ready_.notify_one();
  }
}

}  // namespace leakwatch::crawler
