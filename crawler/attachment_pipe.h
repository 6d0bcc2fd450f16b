// The bounded hand-over of one attachment's bytes from the fetcher's thread
// (a BodySink: libcurl's write callback) to the scanner's thread (which
// pulls, as libarchive does). At most `capacity` bytes wait in memory: when
// the scanner falls behind, the transfer pauses instead of growing a buffer,
// and nothing is spooled to disk.
//
// Thread-safe between one writer (the fetcher) and one reader (the scanner).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "crawler/fetcher.h"

namespace leakwatch::crawler {

class AttachmentPipe final : public BodySink {
 public:
  // Decides, on the fetcher's thread, whether a response is taken (""
  // takes it); then the first bytes are checked too when the content type
  // left it to them.
  using Accept = std::function<std::string(const ResponseHead& head)>;

  AttachmentPipe(std::size_t capacity, Accept accept) : capacity_(capacity), accept_(std::move(accept)) {}

  // BodySink, on the fetcher's thread.
  std::string accept(const ResponseHead& head) override;
  Write write(std::string_view bytes) override;
  bool writable() const override;

  // The download is over: `failed` when it broke off (the reader's read()
  // returns -1 once the bytes before are read), else the end of the data.
  void close(bool failed);
  // Why the body was refused by its first bytes ("" if it was not).
  std::string refused() const;

  // The reader's side: blocks until bytes come; 0 at the end, -1 on failure.
  std::ptrdiff_t read(char* out, std::size_t size);
  // The reader stops early (a cap, a format it cannot stream): the transfer
  // is stopped at its next write.
  void abandon();

 private:
  const std::size_t capacity_;
  Accept accept_;
  mutable std::mutex mu_;
  std::condition_variable readable_;
  std::deque<std::string> chunks_;
  std::size_t buffered_ = 0;
  std::size_t front_at_ = 0;  // bytes of chunks_.front() already read
  bool sniff_ = false;        // the first bytes decide
  bool closed_ = false;
  bool failed_ = false;
  bool abandoned_ = false;
  std::string refused_;
};

}  // namespace leakwatch::crawler
