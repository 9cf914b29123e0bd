// Clocks: where every part reads the time, so that tests and simulations control it.
//
//   auto clock = std::make_shared<telemetry::ManualClock>(/*now_millis=*/0);
//   config.clock = clock;              // The recorder, the pings, the collector...
//   clock->Advance(24 * 60 * 60 * 1000);  // ...see a day pass, without sleeping.
//
// Every time the library records or schedules is UTC milliseconds since the Unix epoch, read
// from the Clock given in the configuration. SystemClock reads the real time; ManualClock
// only moves when told, so a test can run weeks of simulated time without sleeping. Both are
// safe to call from any thread.
#ifndef TELEMETRY_BASE_CLOCK_H_
#define TELEMETRY_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace telemetry {

class Clock {
 public:
  virtual ~Clock() = default;
  // UTC milliseconds since the Unix epoch.
  virtual int64_t NowMillis() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_millis = 0) : now_(now_millis) {}
  int64_t NowMillis() const override { return now_.load(std::memory_order_acquire); }
  void Set(int64_t now_millis) { now_.store(now_millis, std::memory_order_release); }
  void Advance(int64_t millis) { now_.fetch_add(millis, std::memory_order_acq_rel); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace telemetry

#endif  // TELEMETRY_BASE_CLOCK_H_
