// A bounded queue between two threads of the KPI job (the reader of rows, the writer of days):
// Push blocks while it is full, Pop while it is empty, and Close ends both waits.
//
//   HandOff<Batch> ready(2);
//   // producer:                          // consumer:
//   if (!ready.Push(std::move(b))) stop;  while (std::optional<Batch> b = ready.Pop()) Use(*b);
//   ready.Close();                        ready.Close();  // Also to make the producer stop.
//
// After Close, Push refuses (returns false, dropping its item) and Pop gives what is left, then
// nullopt. Thread-safe; any number of producers and consumers.
#ifndef COLLECTOR_KPI_HAND_OFF_H_
#define COLLECTOR_KPI_HAND_OFF_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace telemetry::collector::kpi {

template <typename T>
class HandOff {
 public:
  explicit HandOff(size_t capacity) : capacity_(capacity) {}

  bool Push(T item) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return items_.size() < capacity_ || closed_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    changed_.notify_all();
    return true;
  }
  std::optional<T> Pop() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return !items_.empty() || closed_; });
    return TakeLocked();
  }
  // The next item if there is one now.
  std::optional<T> TryPop() {
    std::lock_guard lock(mu_);
    return TakeLocked();
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }

 private:
  std::optional<T> TakeLocked() {
    if (items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    changed_.notify_all();
    return item;
  }

  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<T> items_;  // Guarded by mu_.
  bool closed_ = false;  // Guarded by mu_.
};

}  // namespace telemetry::collector::kpi

#endif  // COLLECTOR_KPI_HAND_OFF_H_
