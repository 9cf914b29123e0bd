// Clocks: where every part reads the time, and waits for it, so that tests and simulations
// control it.
//
//   auto clock = std::make_shared<telemetry::ManualClock>(/*now_millis=*/0);
//   config.clock = clock;              // The recorder, the pings, the collector...
//   clock->Advance(24 * 60 * 60 * 1000);  // ...see a day pass, without sleeping.
//
// Every time the library records or schedules is UTC milliseconds since the Unix epoch, read
// from the Clock given in the configuration. SystemClock reads the real time; ManualClock
// only moves when told, so a test can run weeks of simulated time without sleeping. Both are
// safe to call from any thread.
//
// Background threads (the recorder's checkpoints, the ping scheduler) wait on the same clock:
//
//   std::atomic<bool> stopping{false};
//   while (!clock.WaitUntil(clock.NowMillis() + interval_ms, [&] { return stopping.load(); })) {
//     DoPeriodicWork();
//   }
//   // Elsewhere, to stop:  stopping = true; clock.Wake();
//
// so under a ManualClock the work happens when the test moves the clock past the deadline,
// and never before.
#ifndef TELEMETRY_BASE_CLOCK_H_
#define TELEMETRY_BASE_CLOCK_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace telemetry {

class Clock {
 public:
  virtual ~Clock() = default;
  // UTC milliseconds since the Unix epoch.
  virtual int64_t NowMillis() const = 0;

  // Blocks until the clock reads `deadline_ms` or later, the clock goes backwards (so that the
  // caller can start its interval again), or `stop()` returns true; returns stop()'s last
  // value. `stop` is called with the clock's wait lock held: it must be quick, must not block
  // and must not call into the clock (reading atomics is right). Whoever makes it true must then
  // call Wake(); a Wake() after the change is never missed. Spurious returns do not happen.
  //
  // This default re-reads NowMillis() at least every 100 ms of real time, for any clock that
  // moves by itself; SystemClock and ManualClock do better.
  virtual bool WaitUntil(int64_t deadline_ms, const std::function<bool()>& stop) const;
  // Makes every WaitUntil on this clock look at its `stop` again.
  void Wake() const;

 protected:
  // WaitUntil that re-reads the clock at least every `max_slice_ms` of real time.
  bool PollUntil(int64_t deadline_ms, const std::function<bool()>& stop,
                 int64_t max_slice_ms) const;

  mutable std::mutex wait_mu_;
  mutable std::condition_variable wait_cv_;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
  // A real timed wait; it re-reads the wall clock at least once a second, so that the wall
  // clock being set forwards or backwards is seen within a second.
  bool WaitUntil(int64_t deadline_ms, const std::function<bool()>& stop) const override;
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_millis = 0) : now_(now_millis) {}
  int64_t NowMillis() const override { return now_.load(std::memory_order_acquire); }
  // Both wake every WaitUntil, which returns once its deadline is reached.
  void Set(int64_t now_millis);
  void Advance(int64_t millis);
  // Waits on a condition variable that Set, Advance and Wake notify: no real time passes
  // for it.
  bool WaitUntil(int64_t deadline_ms, const std::function<bool()>& stop) const override;

 private:
  std::atomic<int64_t> now_;
};

}  // namespace telemetry

#endif  // TELEMETRY_BASE_CLOCK_H_
