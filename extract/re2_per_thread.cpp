#include "extract/re2_per_thread.h"

#include <atomic>
#include <stdexcept>

namespace leakwatch::extract {

namespace {

// Slots are handed out per thread, process-wide, in the order threads first
// match: the scan workers, started together, get neighbouring slots.
unsigned this_thread_slot() {
  static std::atomic<unsigned> next{0};
  thread_local const unsigned slot = next.fetch_add(1, std::memory_order_relaxed) % Re2PerThread::kCopies;
  return slot;
}

}  // namespace

Re2PerThread::Re2PerThread(const std::string& pattern, const char* name) {
  for (auto& copy : copies_) {
    copy = std::make_unique<const RE2>(pattern);
    if (!copy->ok()) throw std::logic_error(std::string("pattern ") + name + ": " + copy->error());
  }
}

const RE2& Re2PerThread::get() const { return *copies_[this_thread_slot()]; }

}  // namespace leakwatch::extract
