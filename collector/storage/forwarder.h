// Forwarder: one thread that moves the spool's records to the remote store in large batches.
//
//   Forwarder forwarder(spool.get(), clickhouse.get(), {.log = [](const std::string& line) {
//     std::cerr << line << "\n";
//   }});
//   ...
//   ForwarderHealth health = forwarder.Health();  // For /health.
//   forwarder.Stop();                             // Before the spool and sink go away.
//
// Each round reads the oldest records (up to max_batch_documents), forwards them (one insert
// per table per shard) and then forgets them (spool.h: a crash in between forwards them again,
// harmlessly). A round that found less than a full batch waits `interval` before the next, so a
// trickle of pings still makes about one insert per table per second, as ClickHouse wants. When
// forwarding fails the records stay in the spool and the thread retries with a backoff that
// doubles up to `max_backoff`; Health() says the remote store is down, since when, and why.
//
// Stop() makes a last attempt to empty the spool (while forwarding succeeds and
// `drain_timeout` has not passed), then joins; what is left goes at the next start.
// Thread safety: Health() and Stop() may be called from any thread.
#ifndef TELEMETRY_COLLECTOR_STORAGE_FORWARDER_H_
#define TELEMETRY_COLLECTOR_STORAGE_FORWARDER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "collector/storage/spool.h"

namespace telemetry::collector {

struct ForwarderOptions {
  std::chrono::milliseconds interval{1000};
  size_t max_batch_documents = 50000;
  size_t max_batch_bytes = 64 << 20;
  std::chrono::milliseconds min_backoff{250};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds drain_timeout{5000};
  std::function<void(const std::string&)> log;  // State changes, one line each; may be empty.
};

struct ForwarderHealth {
  bool remote_up = true;      // The last attempt succeeded (or none was needed yet).
  std::string last_error;     // Of the last failed attempt.
  int64_t down_since_ms = 0;  // Unix ms of the first failure in a row; 0 when up.
  int64_t waiting_ms = 0;     // How long the attempt in progress has waited; 0 when none.
  int64_t pending = 0;        // Records waiting in the spool.
  int64_t max_records = 0;    // The spool's bound.
  int64_t forwarded_records = 0, forwarded_rows = 0, batches = 0;  // Since start.
};

class Forwarder {
 public:
  // Both must outlive the forwarder (or its Stop()).
  Forwarder(Spool* spool, SpoolSink* sink, ForwarderOptions options);
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  ForwarderHealth Health() const;
  void Stop();

 private:
  void Run();
  // One batch: true when it forwarded a full batch (go on at once).
  bool Round();
  void Failed(const Status& status);
  void Succeeded(const SpoolBatch& batch);
  void Log(const std::string& line) const;

  Spool* spool_;
  SpoolSink* sink_;
  ForwarderOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  ForwarderHealth health_;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point attempt_started_{};  // Of the Forward in progress.
  bool attempting_ = false;
  std::thread thread_;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_STORAGE_FORWARDER_H_
