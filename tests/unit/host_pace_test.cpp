// The pace of one host (crawler/host_pace.h): a fixed rate, an automatic
// (AIMD) one, and requests in flight from rate x latency. Time is given, so
// these are exact.
#include <doctest/doctest.h>

#include <chrono>
#include <vector>

#include "crawler/host_pace.h"

using leakwatch::crawler::HostPace;
using leakwatch::crawler::PaceSettings;
using std::chrono::milliseconds;
using Clock = HostPace::Clock;

namespace {

// Runs `seconds` of a host that takes `capacity` requests per second and
// answers 429 above it (a fixed one-second window, like the fixture market),
// each answer after `latency`. Returns the 429s.
int simulate(HostPace& pace, Clock::time_point& now, double seconds, double capacity, milliseconds latency) {
  struct InFlight {
    Clock::time_point started, answers;
    bool limited;
  };
  std::vector<InFlight> flying;
  int limited = 0;
  int in_window = 0;
  auto window = now;
  auto end = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (; now < end; now += milliseconds(1)) {
    if (now - window >= std::chrono::seconds(1)) {
      window = now;
      in_window = 0;
    }
    for (auto it = flying.begin(); it != flying.end();) {
      if (it->answers > now) {
        ++it;
        continue;
      }
      pace.on_end();
      if (it->limited) {
        ++limited;
        pace.on_rate_limited(now, 0);
      } else {
        pace.on_answer(now, now - it->started, true);
      }
      it = flying.erase(it);
    }
    while (pace.may_start(now)) {
      pace.on_start(now);
      bool over = ++in_window > capacity;
      flying.push_back({now, now + latency, over});
    }
  }
  return limited;
}

}  // namespace

TEST_CASE(
    "host pace: a fixed rate spaces requests 1/rate apart, and a 429 halves it until 2xx answers bring it "
    "back") {
  PaceSettings s;
  s.rate = 4;
  HostPace pace(s);
  auto now = Clock::now();
  CHECK(pace.may_start(now));
  pace.on_start(now);
  CHECK_FALSE(pace.may_start(now + milliseconds(200)));
  CHECK(pace.may_start(now + milliseconds(250)));
  CHECK(pace.rate() == doctest::Approx(4));
  pace.on_end();
  pace.on_rate_limited(now, 0);
  CHECK(pace.rate() == doctest::Approx(2));
  for (int i = 0; i < 20; ++i) pace.on_answer(now, milliseconds(100), true);
  CHECK(pace.rate() == doctest::Approx(4));
  CHECK(pace.rate_limited() == 1);
}

TEST_CASE("host pace: Retry-After pauses the host") {
  HostPace pace(PaceSettings{});
  auto now = Clock::now();
  pace.on_rate_limited(now, 5);
  CHECK_FALSE(pace.may_start(now + std::chrono::seconds(4)));
  CHECK(pace.may_start(now + std::chrono::seconds(5)));
}

TEST_CASE("host pace: requests in flight follow rate x latency, within the cap") {
  PaceSettings s;
  s.rate = 4;
  s.max_in_flight = 32;
  HostPace pace(s);
  auto now = Clock::now();
  // Over Tor: answers in 2 s. 4/s needs 8 in flight, and a margin: 4 would cap it at 2/s.
  for (int i = 0; i < 50; ++i) pace.on_answer(now, std::chrono::seconds(2), true);
  CHECK(pace.latency_s() == doctest::Approx(2.0).epsilon(0.01));
  CHECK(pace.in_flight_limit() >= 8);
  CHECK(pace.in_flight_limit() <= 13);
  // A fast host needs few; never fewer than 2.
  HostPace fast(s);
  for (int i = 0; i < 50; ++i) fast.on_answer(now, milliseconds(5), true);
  CHECK(fast.in_flight_limit() == 2);
  // The cap holds whatever the latency.
  s.max_in_flight = 6;
  HostPace capped(s);
  for (int i = 0; i < 50; ++i) capped.on_answer(now, std::chrono::seconds(10), true);
  CHECK(capped.in_flight_limit() == 6);
  s.max_in_flight = 1;
  HostPace one(s);
  CHECK(one.in_flight_limit() == 1);
}

TEST_CASE("host pace: with a fixed rate, a 2 s host still gets its rate") {
  PaceSettings s;
  s.rate = 4;
  HostPace pace(s);
  auto now = Clock::now();
  auto start = pace.requests();
  int limited = simulate(pace, now, 30, 1000, std::chrono::seconds(2));
  CHECK(limited == 0);
  // 30 s at 4/s: about 120 requests (not 4 in flight / 2 s = 2/s, 60).
  CHECK(pace.requests() - start >= 110);
  CHECK(pace.requests() - start <= 121);
}

TEST_CASE("host pace: auto starts low, rises while the host answers, and settles under its cap") {
  PaceSettings s;
  s.automatic = true;
  s.max_rate = 50;
  s.start_rate = 1;
  HostPace pace(s);
  CHECK(pace.rate() == doctest::Approx(1));
  auto now = Clock::now();
  int limited = simulate(pace, now, 60, 20, milliseconds(500));
  // It found the cap: some 429s (that is how AIMD learns it), but few.
  CHECK(limited > 0);
  CHECK(limited < pace.requests() / 10);
  CHECK(pace.rate() <= 25);
  CHECK(pace.rate() >= 8);
  // Over the minute it averaged well above half the cap.
  CHECK(pace.requests() >= 60 * 20 / 2);
}

TEST_CASE("host pace: auto never exceeds max_rate") {
  PaceSettings s;
  s.automatic = true;
  s.max_rate = 5;
  HostPace pace(s);
  auto now = Clock::now();
  int limited = simulate(pace, now, 30, 1000, milliseconds(200));
  CHECK(limited == 0);
  CHECK(pace.rate() == doctest::Approx(5));
  CHECK(pace.requests() <= 30 * 5 + 1);
}

TEST_CASE("host pace: auto backs off when latency jumps, and rises again once it is the new normal") {
  PaceSettings s;
  s.automatic = true;
  s.max_rate = 20;
  HostPace pace(s);
  auto now = Clock::now();
  simulate(pace, now, 20, 1000, milliseconds(200));
  double before = pace.rate();
  CHECK(before == doctest::Approx(20));
  // The host slows down: answers take 2 s instead of 0.2 s.
  for (int i = 0; i < 10; ++i) {
    pace.on_answer(now, std::chrono::seconds(2), true);
    now += milliseconds(50);
  }
  CHECK(pace.rate() < before);
  double backed_off = pace.rate();
  simulate(pace, now, 60, 1000, std::chrono::seconds(2));
  CHECK(pace.rate() > backed_off);
}

TEST_CASE("host pace: a rate shared by n crawl workers is 1/n of it for each, and whole again when they go") {
  PaceSettings s;
  s.rate = 8;
  HostPace pace(s);
  pace.set_share(2);
  CHECK(pace.rate() == doctest::Approx(4));
  auto now = Clock::now();
  pace.on_start(now);
  pace.on_end();
  CHECK_FALSE(pace.may_start(now + milliseconds(200)));
  CHECK(pace.may_start(now + milliseconds(250)));
  pace.set_share(1);
  CHECK(pace.rate() == doctest::Approx(8));
  CHECK(pace.max_share() == 2);
  pace.set_share(0);  // never below one worker
  CHECK(pace.rate() == doctest::Approx(8));
}

TEST_CASE("host pace: auto shared by n workers stays under max_rate / n, and rises past it when they go") {
  PaceSettings s;
  s.automatic = true;
  s.max_rate = 20;
  HostPace pace(s);
  pace.set_share(4);
  auto now = Clock::now();
  CHECK(simulate(pace, now, 20, 1000, milliseconds(200)) == 0);
  CHECK(pace.rate() == doctest::Approx(5));
  pace.set_share(1);
  simulate(pace, now, 20, 1000, milliseconds(200));
  CHECK(pace.rate() > 10);
}
