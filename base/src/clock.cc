#include "telemetry/base/clock.h"

#include <algorithm>
#include <chrono>

namespace telemetry {

bool Clock::WaitUntil(int64_t deadline_ms, const std::function<bool()>& stop) const {
  return PollUntil(deadline_ms, stop, 100);
}

void Clock::Wake() const {
  // Taking the lock orders this Wake after any `stop()` being evaluated under it: the waiter
  // either sees the change or is already waiting when the notification comes.
  { std::lock_guard lock(wait_mu_); }
  wait_cv_.notify_all();
}

bool Clock::PollUntil(int64_t deadline_ms, const std::function<bool()>& stop,
                      int64_t max_slice_ms) const {
  std::unique_lock lock(wait_mu_);
  const int64_t start = NowMillis();
  while (!stop()) {
    const int64_t now = NowMillis();
    if (now >= deadline_ms || now < start) return false;
    const int64_t slice = std::min(deadline_ms - now, max_slice_ms);
    wait_cv_.wait_for(lock, std::chrono::milliseconds(slice));
  }
  return true;
}

int64_t SystemClock::NowMillis() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool SystemClock::WaitUntil(int64_t deadline_ms, const std::function<bool()>& stop) const {
  return PollUntil(deadline_ms, stop, 1000);
}

void ManualClock::Set(int64_t now_millis) {
  {
    std::lock_guard lock(wait_mu_);
    now_.store(now_millis, std::memory_order_release);
  }
  wait_cv_.notify_all();
}

void ManualClock::Advance(int64_t millis) {
  {
    std::lock_guard lock(wait_mu_);
    now_.fetch_add(millis, std::memory_order_acq_rel);
  }
  wait_cv_.notify_all();
}

bool ManualClock::WaitUntil(int64_t deadline_ms, const std::function<bool()>& stop) const {
  std::unique_lock lock(wait_mu_);
  const int64_t start = NowMillis();
  wait_cv_.wait(lock, [&] {
    const int64_t now = NowMillis();
    return stop() || now >= deadline_ms || now < start;
  });
  return stop();
}

}  // namespace telemetry
