// Durable stores: checkpoints of the recorder's stores to the client database, restoring them
// at open, and the transactional hand-over of a store's contents to the pending-ping queue.
//
// Promise: a crash loses at most what was recorded since the last completed checkpoint
// (TelemetryConfig.checkpoint_interval_ms, 5 s by default) and never makes anything count
// twice. Checkpoints and clears of a store are serialised, and a clear that feeds a ping
// deletes the store's values on disk in the same transaction that queues the ping.
//
// When the disk fails (full, read-only, gone), recording goes on in memory; every failed write
// is counted in telemetry.recorder.storage_errors and retried at the next checkpoint; pings
// that could not be queued on disk wait in memory. If the process then dies before a write
// succeeds, a cleared store's old values could be restored and sent again: the one window
// where the promise above does not hold, and only after a disk fault.
//
// Thread-safe.
#ifndef TELEMETRY_SRC_STORAGE_PERSISTENCE_H_
#define TELEMETRY_SRC_STORAGE_PERSISTENCE_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "recorder.h"
#include "storage/client_database.h"
#include "telemetry/base/status.h"
#include "telemetry/telemetry.h"

namespace telemetry::internal {

class Persistence {
 public:
  // Opens the database in config.data_dir and restores its stores into `recorder`. Fails only
  // when the directory belongs to another instance or to a newer schema; an unwritable disk
  // gives a Persistence that keeps retrying.
  static Result<std::unique_ptr<Persistence>> Open(const TelemetryConfig& config,
                                                   Recorder* recorder);
  ~Persistence();

  // Writes every store's changes since the last checkpoint.
  Status Checkpoint();
  // Snapshot-and-clear of `store`, cleared on disk in the same step.
  Result<StoreSnapshot> TakeSnapshot(std::string_view store);
  // Snapshot-and-clear of `store`; `build` turns the snapshot into the ping's body, which is
  // queued in the same transaction that clears the store on disk.
  // `state`, when given, is saved in the same transaction (a ping's sequence number).
  Status SubmitStore(std::string_view store, PendingPing ping,
                     const std::function<Result<std::string>(const StoreSnapshot&)>& build,
                     const PingState* state = nullptr);

  // Runs `fn` on the database under the lock; IoError when the database cannot be opened.
  template <typename Fn>
  auto WithDatabase(Fn fn) -> decltype(fn(std::declval<ClientDatabase&>())) {
    std::lock_guard lock(mu_);
    if (!EnsureDatabase()) {
      recorder_->Count(Health::kStorageErrors);
      return Status::IoError("the client database cannot be opened in " + config_.data_dir);
    }
    return fn(*db_);
  }
  // Replaces the client id (a new one after consent is given again).
  Status SetClientId(const std::string& client_id);
  Result<std::vector<PendingPing>> PendingPings();
  // Deletes every pending ping, on disk and waiting in memory, but those kept until sent.
  Status DeleteAllPending();

  // Stops the checkpoint thread, then writes a last checkpoint. Idempotent.
  void Shutdown();

  ClientState client() const {
    std::lock_guard lock(mu_);
    return client_;
  }

 private:
  Persistence(const TelemetryConfig& config, Recorder* recorder);
  bool EnsureDatabase();  // Under mu_: (re)opens the database if it is not open.
  Status CheckpointLocked();
  void Run(int64_t deadline_ms);  // The checkpoint thread; its first deadline on the clock.

  const TelemetryConfig config_;
  Recorder* const recorder_;
  ClientState client_;

  mutable std::mutex mu_;  // Serialises checkpoints, clears and database access.
  std::unique_ptr<ClientDatabase> db_;
  std::map<std::string, size_t> persisted_events_;  // Per store: events already on disk.
  std::map<std::string, bool> rewrite_events_;      // Per store: disk events are stale.
  std::vector<PendingPing> unsaved_pings_;          // Queued while the disk failed.

  std::atomic<bool> stopping_{false};  // The checkpoint thread waits on the clock for it.
  std::thread thread_;
};

}  // namespace telemetry::internal

#endif  // TELEMETRY_SRC_STORAGE_PERSISTENCE_H_
