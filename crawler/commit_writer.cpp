#include "crawler/commit_writer.h"

#include "crawler/param_rule_store.h"

namespace leakwatch::crawler {

CommitWriter::CommitWriter(db::Connection& like, std::string worker, int lease_s,
                           const db::ListingPrivacy& privacy)
    : conn_(db::connect(like.options(), "the crawl's own connection")),
      frontier_(*conn_, std::move(worker), lease_s, privacy),
      thread_([this] { loop(); }) {}

CommitWriter::~CommitWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_all();
  thread_.join();
}

void CommitWriter::submit(CommitBatch batch) {
  Job job;
  job.batch = std::move(batch);
  enqueue(std::move(job));
}

void CommitWriter::renew_leases() {
  Job job;
  job.renew = true;
  enqueue(std::move(job));
}

void CommitWriter::enqueue(Job job) {
  {
    std::unique_lock lock(mutex_);
    wake_pass_.wait(lock, [this] { return queue_.size() < kMaxQueued || failure_; });
    rethrow_failure();
    queue_.push_back(std::move(job));
  }
  wake_writer_.notify_one();
}

std::vector<Committed> CommitWriter::take() {
  std::lock_guard lock(mutex_);
  rethrow_failure();
  std::vector<Committed> out;
  out.swap(done_);
  return out;
}

size_t CommitWriter::pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size() + running_;
}

std::vector<Committed> CommitWriter::drain() {
  {
    std::unique_lock lock(mutex_);
    wake_pass_.wait(lock, [this] { return (queue_.empty() && running_ == 0) || failure_; });
  }
  return take();
}

void CommitWriter::rethrow_failure() {
  if (failure_) std::rethrow_exception(failure_);
}

void CommitWriter::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_writer_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() || failure_) {
      if (stopping_) return;
      queue_.clear();
      continue;
    }
    Job job = std::move(queue_.front());
    queue_.pop_front();
    ++running_;
    wake_pass_.notify_all();  // room in the queue
    lock.unlock();
    Committed committed;
    std::exception_ptr failed;
    try {
      if (job.renew) {
        frontier_.renew_leases();
      } else {
        const CommitBatch& b = job.batch;
        committed.result = frontier_.commit(b.outcomes, b.links, b.max_pages);
        for (const auto& [source, rules] : b.param_rules) save_param_rules(*conn_, source, rules);
        for (const auto& o : b.outcomes) {
          if (o.kind == Outcome::Kind::kLoginWall) committed.login_walls.push_back(o);
        }
      }
    } catch (...) {
      failed = std::current_exception();
    }
    lock.lock();
    --running_;
    if (failed) {
      if (!failure_) failure_ = failed;
    } else if (!job.renew) {
      done_.push_back(std::move(committed));
    }
    wake_pass_.notify_all();
  }
}

}  // namespace leakwatch::crawler
