// Pings: schedulers that snapshot-and-clear their store on durable timers, and an uploader
// that delivers the queued pings to the collector.
//
//   pings::PingServiceConfig config;
//   config.server_url = "https://telemetry.example.org";
//   config.pings = {pings::MainPing(), pings::CustomPing()};  // or PingTypes of your own
//   auto service = pings::PingService::Start(*telemetry, config);  // a Telemetry with data_dir
//   if (!service.ok()) return Report(service.status());
//   (*service)->Submit("custom", "daily");  // now, besides its 24-hour timer
//   (*service)->SetUploadEnabled(false);    // withdrawn consent: clears, sends deletion-request
//
// A PingService runs beside an open Telemetry that has a data directory (timers, sequence
// numbers and the pending queue live in its database). Scheduled pings fire when their interval
// has passed since they last fired, by the Telemetry's clock: restarting does not reset a timer,
// a ping overdue at start fires with reason "overdue", and a clock that jumps backwards restarts
// the timer while one that jumps far forwards fires once (no storm). Each ping is built from its
// store's snapshot (protobuf, zstd), queued in the same transaction that clears the store on
// disk, and uploaded by one background thread with libcurl:
//
//   POST <server>/submit/<app>/<ping>/<version>/<document id>
//   Content-Type: application/x-protobuf, Content-Encoding: zstd, Date, User-Agent
//
// 2xx archives the ping; other 4xx (but 408 and 429) discard it (counted in
// telemetry.recorder.discarded_pings); 408, 429, 5xx and network errors retry with exponential
// backoff and jitter, honouring Retry-After. At most `rate_limit_per_minute` pings go out per
// minute. The queue is bounded by count, bytes and age (oldest evicted first, each counted), the
// archive by a retention period.
//
// Consent: SetUploadEnabled(false) clears every store, the queue and the archive, stops
// recording and scheduling, and queues a deletion-request ping with the client id, which is
// sent although upload is off. SetUploadEnabled(true) starts again with a new client id. Every
// client id's deletion request is delivered exactly once: it survives restarts, the queue's
// quotas and later withdrawals until the collector has it.
//
// Thread-safe. Shutdown (also by the destructor) fires nothing new, gives uploads in flight at
// most `shutdown_deadline_ms`, and never hangs.
#ifndef PINGS_PING_SERVICE_H_
#define PINGS_PING_SERVICE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "pings/ping_type.h"
#include "telemetry/base/status.h"
#include "telemetry/telemetry.h"

namespace pings {

namespace internal {
class HttpClient;
}

struct EnvironmentInfo {
  std::string os, os_version, architecture, locale;
};

struct PingServiceConfig {
  std::string server_url;  // "https://telemetry.example.org" or "http://127.0.0.1:8080".
  std::vector<PingType> pings = {MainPing(), CustomPing()};
  EnvironmentInfo environment;

  int64_t max_pending_count = 500;
  int64_t max_pending_bytes = 50 * 1024 * 1024;
  int64_t max_pending_age_ms = 14 * kDayMillis;
  int64_t archive_retention_ms = 60 * kDayMillis;
  size_t max_ping_bytes = 1024 * 1024;  // Compressed; larger pings are discarded and counted.

  int rate_limit_per_minute = 15;
  int64_t backoff_base_ms = 60 * 1000;
  int64_t backoff_max_ms = 60 * 60 * 1000;
  int64_t connect_timeout_ms = 10 * 1000;
  int64_t request_timeout_ms = 30 * 1000;
  int64_t shutdown_deadline_ms = 2000;

  // Run the scheduler and uploader on a background thread. It waits on the Telemetry's clock
  // until the next scheduled ping is due, or poll_interval_ms of that clock at most (when it
  // also retries uploads); Submit and SetUploadEnabled wake it at once, Shutdown ends it. With
  // a ManualClock it runs when the clock is moved, and never by itself. Tests may leave it off
  // and call Tick() and UploadDue() themselves.
  bool background_thread = true;
  int64_t poll_interval_ms = 1000;
};

struct AccountInfo {
  std::string uid;
  std::string device_id;
};

class PingService {
 public:
  // `telemetry` must outlive the service and have a data directory.
  static telemetry::Result<std::unique_ptr<PingService>> Start(telemetry::Telemetry& telemetry,
                                                               PingServiceConfig config);
  ~PingService();
  PingService(const PingService&) = delete;
  PingService& operator=(const PingService&) = delete;

  // Fires `ping` now with `reason` (one of its reasons). NotFound for an unknown ping.
  telemetry::Status Submit(std::string_view ping, std::string_view reason);
  // The account block of later pings (std::nullopt: signed out).
  void SetAccount(std::optional<AccountInfo> account);

  void SetUploadEnabled(bool enabled);
  bool upload_enabled() const { return upload_enabled_.load(); }

  // One scheduler pass at the clock's time; returns how many pings fired.
  int Tick();
  // One upload pass: sends what is due, within the rate limit; returns how many were
  // acknowledged.
  int UploadDue();

  void Shutdown();

 private:
  PingService(telemetry::Telemetry& telemetry, PingServiceConfig config);
  // Sends (queues) a ping; *sent tells whether one was made (an empty store makes none).
  telemetry::Status Fire(const PingType& type, std::string_view reason, bool scheduled, int64_t now,
                         bool* sent);
  telemetry::Status SaveState(const std::string& ping);
  telemetry::PingStorage& storage() { return *telemetry_.ping_storage(); }
  bool TakeToken(int64_t now);  // The rate limit.
  void Run();
  // Wakes the background thread for a pass now.
  void WakeThread();
  // When the background thread next looks after a pass that began at `pass_ms`: the next
  // scheduled firing after it, at most one poll interval later.
  int64_t NextWakeMs(int64_t pass_ms);

  telemetry::Telemetry& telemetry_;
  const PingServiceConfig config_;
  std::atomic<bool> upload_enabled_{true};
  std::atomic<bool> stopping_{false};

  std::mutex mu_;  // Guards the state below; held while firing.
  struct State {
    int64_t next_sequence = 0;
    std::optional<int64_t> last_fire_ms;  // The schedule's; other reasons leave it alone.
    std::optional<int64_t> last_ping_ms;  // Where the next ping's interval starts.
    bool ticked = false;                  // Has the scheduler looked at it since start?
  };
  std::map<std::string, State> states_;
  std::optional<AccountInfo> account_;

  std::atomic<bool> abort_uploads_{false};  // Set when the shutdown deadline passes.
  std::mutex upload_mu_;                    // One upload pass at a time.
  std::unique_ptr<internal::HttpClient> http_;
  double tokens_ = 0;
  int64_t tokens_at_ms_ = 0;

  std::atomic<bool> wake_requested_{false};  // The thread waits on the clock for it.
  std::mutex thread_mu_;                     // With wake_: Shutdown waits for the thread.
  std::condition_variable wake_;
  bool thread_done_ = false;
  std::thread thread_;
};

}  // namespace pings

#endif  // PINGS_PING_SERVICE_H_
