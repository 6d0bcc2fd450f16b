// How hard one host is asked: its request rate and how many requests it may
// have in flight. One HostPace per host (authority) in the fetcher.
//
// The rate is either fixed (`rate = 4`: halved by each 429/503, recovering
// by 10% per 2xx, as before) or automatic (`rate = "auto"`), which finds what
// the host will take by AIMD, the way TCP finds a link's capacity:
//   - it starts at `start_rate` and, in slow start, grows by half a request
//     per second with every answer (about doubling every 1.4 s), up to the
//     first sign of congestion;
//   - after that it grows by 1/rate per answer (about one request per second,
//     per second: additive increase);
//   - a 429 or 503 halves it, and a latency jump (the smoothed latency above
//     twice its best, and 250 ms over it) takes off 20%: multiplicative
//     decrease, at most once per latency period, since the answers already in
//     flight were asked for at the old rate;
//   - it never exceeds `max_rate` and never falls below `kMinRate`.
// Scrapy's AutoThrottle aims at a latency instead (delay = latency /
// target concurrency); AIMD aims at the host's own limit, which is what a
// rate-capped market answers with 429s.
//
// Several crawl workers on one frontier share each host's rate
// (set_share(n): n live workers fetch the host's source,
// crawler/worker_registry.h): a fixed rate is divided by n, and an automatic
// rate's ceiling becomes max_rate / n. Each worker's AIMD still reacts to
// the 429s it gets itself; since every worker halves on its own 429s and
// grows by the same steps, they converge on equal shares of what the host
// takes, as TCP flows on one link do.
//
// Requests in flight follow from the rate and the latency (Little's law: a
// host answering in 2 s needs 8 in flight for 4 requests/s), with a 50%
// margin for jitter, at least 2 and at most `max_in_flight`.
//
// Pure: every call is given the time. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace leakwatch::crawler {

// A host's pace by default, written once: PaceSettings, the fetcher's
// FetchProfile and FetcherOptions, and the [crawl] table's SourceDefaults
// (crawler/crawl_options.h) all start from these.
inline constexpr double kDefaultRate = 4.0;     // requests per second per host
inline constexpr double kDefaultMaxRate = 8.0;  // rate = "auto": the ceiling
inline constexpr int kDefaultMaxInFlight = 32;  // requests in flight to one host

struct PaceSettings {
  double rate = kDefaultRate;               // fixed: requests per second
  bool automatic = false;                   // AIMD between kMinRate and max_rate
  double max_rate = kDefaultMaxRate;        // automatic: the ceiling
  double start_rate = 1.0;                  // automatic: where it starts
  int max_in_flight = kDefaultMaxInFlight;  // requests in flight, at most
};

class HostPace {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr double kMinRate = 0.1;

  explicit HostPace(const PaceSettings& settings);

  // May a request start now? (Below the in-flight limit, and its slot is due.)
  bool may_start(Clock::time_point now) const { return in_flight_ < in_flight_limit() && next_slot_ <= now; }
  // When the next request may start, as far as the rate says.
  Clock::time_point next_slot() const { return next_slot_; }

  void on_start(Clock::time_point now);
  void on_end() { --in_flight_; }
  // An answer other than 429/503 (any status, or none after a timeout),
  // `latency` after its request started; `success` for 2xx/304.
  void on_answer(Clock::time_point now, Clock::duration latency, bool success);
  // A 429 or 503; a Retry-After of `retry_after_s` > 0 also pauses the host.
  void on_rate_limited(Clock::time_point now, int retry_after_s);

  // The rate is shared by `workers` (>= 1) crawl workers from now on.
  void set_share(int workers);
  int share() const { return share_; }
  int max_share() const { return max_share_; }  // the most workers it was shared by

  double rate() const;  // requests per second, now
  bool automatic() const { return settings_.automatic; }
  int in_flight_limit() const;
  int in_flight() const { return in_flight_; }
  double latency_s() const { return latency_s_; }  // smoothed; 0 before the first answer
  int64_t requests() const { return requests_; }
  int64_t rate_limited() const { return rate_limited_; }

 private:
  void decrease(Clock::time_point now, double factor);
  double ceiling() const;  // automatic: max_rate over the share

  PaceSettings settings_;
  int share_ = 1;
  int max_share_ = 1;
  int in_flight_ = 0;
  Clock::time_point next_slot_{};
  double slow_factor_ = 1.0;        // fixed rate: divides it; grows with 429/503
  double auto_rate_;                // automatic: the rate now
  double threshold_;                // automatic: slow start below it
  double latency_s_ = 0;            // EWMA of answer latencies
  double best_latency_s_ = 0;       // lowest EWMA seen (0: none yet)
  Clock::time_point calm_until_{};  // no decrease before this
  int64_t requests_ = 0;
  int64_t rate_limited_ = 0;
};

}  // namespace leakwatch::crawler
