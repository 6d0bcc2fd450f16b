#include "crawler/heartbeat.h"

#include <algorithm>

namespace leakwatch::crawler {

Heartbeat::Heartbeat(db::Connection& like, const std::string& worker, int heartbeat_s,
                     std::vector<std::string> sources)
    : conn_(db::connect(like.options(), "the crawl's heartbeat connection")),
      registry_(*conn_, worker, heartbeat_s),
      interval_(heartbeat_s),
      sources_(std::move(sources)),
      active_(sources_),
      shares_(registry_.beat(active_, sources_)),
      thread_([this] { loop(); }) {}

Heartbeat::~Heartbeat() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  try {
    registry_.leave();
  } catch (...) {
  }
}

void Heartbeat::set_active(std::vector<std::string> active) {
  bool new_source = false;
  {
    std::lock_guard lock(mutex_);
    for (const auto& s : active) {
      new_source = new_source || std::find(active_.begin(), active_.end(), s) == active_.end();
    }
    active_ = std::move(active);
    beat_now_ = beat_now_ || new_source;
  }
  if (new_source) wake_.notify_all();
}

std::optional<std::map<std::string, int>> Heartbeat::take_shares() {
  std::lock_guard lock(mutex_);
  if (failure_) std::rethrow_exception(failure_);
  auto out = std::move(shares_);
  shares_.reset();
  return out;
}

void Heartbeat::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait_for(lock, interval_, [this] { return stopping_ || beat_now_; });
    if (stopping_) return;
    beat_now_ = false;
    std::vector<std::string> active = active_;
    lock.unlock();
    std::optional<std::map<std::string, int>> shares;
    std::exception_ptr failed;
    try {
      shares = registry_.beat(active, sources_);
    } catch (...) {
      failed = std::current_exception();
    }
    lock.lock();
    if (failed) {
      failure_ = failed;
      return;
    }
    shares_ = std::move(shares);
  }
}

}  // namespace leakwatch::crawler
