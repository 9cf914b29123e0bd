// PingStorage: the durable side of pings in a client's data directory — the pending-ping queue,
// each scheduled ping's state, the archive of sent pings and a few client values. The pings
// library builds on it; an application with an uploader of its own may too.
//
//   telemetry::PingStorage* storage = telemetry->ping_storage();  // null without a data dir
//   telemetry::PendingPing ping{.document_id = telemetry::NewUuid(), .ping_type = "custom"};
//   storage->SubmitStore("custom-store", ping, [](const telemetry::StoreSnapshot& s) {
//     return Encode(s);  // the ping's body; an error loses the snapshot (counted)
//   });
//   for (const telemetry::PendingPing& due : *storage->DuePings(now_ms, 100)) Upload(due);
//
// Contract. Every call is one SQLite transaction, serialised with the recorder's checkpoints,
// so a crash leaves each call's effect whole or absent. SubmitStore is the one call that also
// touches a store: its snapshot-and-clear, the ping joining the queue and `state` commit
// together. Errors are values: IoError when the disk fails (also counted in
// telemetry.recorder.storage_errors). Owned by its Telemetry and valid as long as it; safe to
// call from any thread, also after Telemetry::Shutdown() (the database stays readable, while
// SubmitStore returns FailedPrecondition).
#ifndef TELEMETRY_PING_STORAGE_H_
#define TELEMETRY_PING_STORAGE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/base/status.h"
#include "telemetry/snapshot.h"

namespace telemetry {

namespace internal {
class Persistence;
class Recorder;
}  // namespace internal

// A ping waiting in the queue; `body` is the encoded ping, ready to send.
struct PendingPing {
  std::string document_id;
  std::string ping_type;
  std::string store;       // The store it was built from (set by SubmitStore).
  int64_t created_ms = 0;  // SubmitStore sets it from the clock when 0.
  std::string body;
  int64_t attempts = 0;
  int64_t next_attempt_ms = 0;
  // Kept until delivered (a deletion request): DeleteAllPending and EnforceQuota leave it;
  // only ArchivePing and DiscardPending take it out of the queue.
  bool keep_until_sent = false;
};

// A scheduled ping's durable state.
struct PingState {
  std::string ping;
  int64_t next_sequence = 0;
  std::optional<int64_t> last_fire_ms;  // The schedule's last firing.
  std::optional<int64_t> last_ping_ms;  // The end of the last ping of this type, any reason.
};

// A ping that was delivered, kept for inspection until the archive's retention passes.
struct ArchivedPing {
  std::string document_id;
  std::string ping_type;
  int64_t created_ms = 0;
  int64_t sent_ms = 0;
  std::string body;
};

// Limits of the pending queue; EnforceQuota evicts the oldest pings past any of them.
struct PendingQuota {
  int64_t max_count = 500;
  int64_t max_bytes = 50 * 1024 * 1024;
  int64_t max_age_ms = 14LL * 24 * 60 * 60 * 1000;
};

class PingStorage {
 public:
  using BodyBuilder = std::function<Result<std::string>(const StoreSnapshot&)>;

  PingStorage(const PingStorage&) = delete;
  PingStorage& operator=(const PingStorage&) = delete;

  // Snapshot-and-clear of `store`: `build` turns the snapshot into `ping.body`, and the ping
  // joins the queue in the transaction that clears the store on disk (with `state`, when
  // given). A `build` that fails or returns an empty body queues nothing: the ping is counted
  // in discarded_pings, the snapshot's values are discarded (cleared in memory and on disk, so
  // no restart brings them back), `state` is not saved, and the build's error (Internal for an
  // empty body) is returned. NotFound for a store no probe names.
  Status SubmitStore(std::string_view store, PendingPing ping, const BodyBuilder& build,
                     const PingState* state = nullptr);
  // Queues a ping built from no store, with `state` in the same transaction. An empty body is
  // refused (InvalidArgument, counted in discarded_pings, `state` not saved): hand over an
  // empty body when a builder of your own failed, and the ping is counted like SubmitStore's.
  Status Enqueue(const PendingPing& ping, const PingState* state = nullptr);

  // The whole queue, oldest first.
  Result<std::vector<PendingPing>> PendingPings();
  // Pings whose next attempt is due at `now_ms`, oldest first, at most `limit`.
  Result<std::vector<PendingPing>> DuePings(int64_t now_ms, int limit);
  // Moves a delivered ping from the queue to the archive.
  Status ArchivePing(const std::string& document_id, int64_t sent_ms);
  // Deletes a ping that will never be delivered (the server refused it for good); counted in
  // telemetry.recorder.discarded_pings.
  Status DiscardPending(const std::string& document_id);
  // Deletes every pending ping but those kept until sent (keep_until_sent).
  Status DeleteAllPending();
  // Deletes every archived ping (the bodies of pings already sent).
  Status DeleteArchive();
  Status RescheduleAttempt(const std::string& document_id, int64_t attempts,
                           int64_t next_attempt_ms);
  // Evicts the oldest pending pings past `quota`; returns how many went (also counted in
  // telemetry.recorder.discarded_pings). Pings kept until sent are exempt: never evicted, and
  // not counted against the quota.
  Result<int> EnforceQuota(const PendingQuota& quota, int64_t now_ms);

  Result<std::vector<ArchivedPing>> ArchivedPings();
  // Deletes archived pings sent before `before_ms`.
  Status PurgeArchive(int64_t before_ms);

  Result<std::vector<PingState>> PingStates();
  Status SavePingState(const PingState& state);

  // Small named values of the client (the pings library keeps its upload switch here).
  Result<std::optional<std::string>> ClientValue(const std::string& key);
  Status SetClientValue(const std::string& key, const std::string& value);

 private:
  friend class Telemetry;
  PingStorage(internal::Recorder* recorder, internal::Persistence* persistence)
      : recorder_(recorder), persistence_(persistence) {}

  internal::Recorder* const recorder_;
  internal::Persistence* const persistence_;
};

}  // namespace telemetry

#endif  // TELEMETRY_PING_STORAGE_H_
