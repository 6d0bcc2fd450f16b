#include "crawler/host_pace.h"

#include <algorithm>
#include <cmath>

namespace leakwatch::crawler {
namespace {

constexpr double kMaxSlowFactor = 32.0;
constexpr double kLatencyWeight = 0.2;    // of each new sample in the EWMA
constexpr double kAssumedLatencyS = 1.0;  // before the first answer (Tor-like)
constexpr double kInFlightMargin = 1.5;
// A request slot that fell due up to this long ago still counts (the poll
// loop's resolution), so a rate above 1,000/s starts several per turn.
constexpr auto kSlotSlack = std::chrono::milliseconds(1);

double seconds(HostPace::Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

HostPace::HostPace(const PaceSettings& settings)
    : settings_(settings),
      auto_rate_(std::clamp(settings.start_rate, kMinRate, std::max(kMinRate, settings.max_rate))),
      threshold_(std::max(kMinRate, settings.max_rate)) {}

double HostPace::rate() const {
  if (settings_.automatic) return auto_rate_;
  return std::max(0.01, settings_.rate) / slow_factor_ / share_;
}

double HostPace::ceiling() const { return std::max(kMinRate, settings_.max_rate / share_); }

void HostPace::set_share(int workers) {
  share_ = std::max(1, workers);
  max_share_ = std::max(max_share_, share_);
  auto_rate_ = std::min(auto_rate_, ceiling());
}

int HostPace::in_flight_limit() const {
  double latency = latency_s_ > 0 ? latency_s_ : kAssumedLatencyS;
  double wanted = std::ceil(rate() * latency * kInFlightMargin);
  return static_cast<int>(
      std::min(std::max(wanted, 2.0), static_cast<double>(std::max(1, settings_.max_in_flight))));
}

void HostPace::on_start(Clock::time_point now) {
  ++in_flight_;
  ++requests_;
  auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate()));
  next_slot_ = std::max(next_slot_, now - kSlotSlack) + interval;
}

void HostPace::on_answer(Clock::time_point now, Clock::duration latency, bool success) {
  double sample = std::max(0.0, seconds(latency));
  latency_s_ = latency_s_ == 0 ? sample : latency_s_ + kLatencyWeight * (sample - latency_s_);
  if (best_latency_s_ == 0 || latency_s_ < best_latency_s_) best_latency_s_ = latency_s_;
  if (!settings_.automatic) {
    if (success) slow_factor_ = std::max(1.0, slow_factor_ * 0.9);
    return;
  }
  bool jumped = latency_s_ > 2 * best_latency_s_ && latency_s_ - best_latency_s_ > 0.25;
  if (jumped) {
    if (now >= calm_until_) {
      decrease(now, 0.8);
      // The new latency is the new normal unless it keeps rising.
      best_latency_s_ = latency_s_ / 1.5;
    }
    return;
  }
  if (!success) return;
  auto_rate_ += auto_rate_ < threshold_ ? 0.5 : 1.0 / auto_rate_;
  auto_rate_ = std::min(auto_rate_, ceiling());
}

void HostPace::on_rate_limited(Clock::time_point now, int retry_after_s) {
  ++rate_limited_;
  if (settings_.automatic) {
    if (now >= calm_until_) decrease(now, 0.5);
  } else {
    slow_factor_ = std::min(kMaxSlowFactor, slow_factor_ * 2);
  }
  if (retry_after_s > 0) next_slot_ = std::max(next_slot_, now + std::chrono::seconds(retry_after_s));
}

void HostPace::decrease(Clock::time_point now, double factor) {
  auto_rate_ = std::max(kMinRate, auto_rate_ * factor);
  threshold_ = auto_rate_;
  double period = latency_s_ > 0 ? latency_s_ : kAssumedLatencyS;
  calm_until_ = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(period));
}

}  // namespace leakwatch::crawler
