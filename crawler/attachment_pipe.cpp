#include "crawler/attachment_pipe.h"

#include <algorithm>
#include <cstring>

#include "crawler/attachment_types.h"

namespace leakwatch::crawler {

std::string AttachmentPipe::accept(const ResponseHead& head) {
  std::string why = accept_(head);
  if (why.empty()) {
    std::lock_guard lock(mu_);
    sniff_ = needs_sniffing(head.content_type);
  }
  return why;
}

BodySink::Write AttachmentPipe::write(std::string_view bytes) {
  std::lock_guard lock(mu_);
  if (abandoned_ || closed_) return Write::kStop;
  if (sniff_) {
    sniff_ = false;
    refused_ = refuse_first_bytes(bytes.substr(0, 4096));
    if (!refused_.empty()) return Write::kStop;
  }
  // One chunk may always wait, so a chunk larger than the capacity passes.
  if (buffered_ > 0 && buffered_ + bytes.size() > capacity_) return Write::kPause;
  chunks_.emplace_back(bytes);
  buffered_ += bytes.size();
  readable_.notify_one();
  return Write::kTaken;
}

bool AttachmentPipe::writable() const {
  std::lock_guard lock(mu_);
  return abandoned_ || buffered_ < capacity_ / 2;
}

void AttachmentPipe::close(bool failed) {
  std::lock_guard lock(mu_);
  closed_ = true;
  failed_ = failed;
  readable_.notify_all();
}

std::string AttachmentPipe::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

std::ptrdiff_t AttachmentPipe::read(char* out, std::size_t size) {
  std::unique_lock lock(mu_);
  readable_.wait(lock, [&] { return !chunks_.empty() || closed_; });
  if (chunks_.empty()) return failed_ ? -1 : 0;
  std::size_t n = 0;
  while (n < size && !chunks_.empty()) {
    const std::string& front = chunks_.front();
    const std::size_t take = std::min(size - n, front.size() - front_at_);
    std::memcpy(out + n, front.data() + front_at_, take);
    n += take;
    front_at_ += take;
    buffered_ -= take;
    if (front_at_ == front.size()) {
      chunks_.pop_front();
      front_at_ = 0;
    }
  }
  return static_cast<std::ptrdiff_t>(n);
}

void AttachmentPipe::abandon() {
  std::lock_guard lock(mu_);
  abandoned_ = true;
  chunks_.clear();
  buffered_ = 0;
  front_at_ = 0;
}

}  // namespace leakwatch::crawler
