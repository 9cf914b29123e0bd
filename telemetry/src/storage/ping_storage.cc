// PingStorage: each call is one transaction on the client database, under the Persistence lock.
#include "telemetry/ping_storage.h"

#include "recorder.h"
#include "storage/persistence.h"

namespace telemetry {

using internal::ClientDatabase;
using internal::Health;

Status PingStorage::SubmitStore(std::string_view store, PendingPing ping, const BodyBuilder& build,
                                const PingState* state) {
  if (recorder_->is_shut_down()) return Status::FailedPrecondition("telemetry is shut down");
  if (ping.created_ms == 0) ping.created_ms = recorder_->clock().NowMillis();
  return persistence_->SubmitStore(store, std::move(ping), build, state);
}

Status PingStorage::Enqueue(const PendingPing& ping, const PingState* state) {
  if (ping.body.empty()) {
    recorder_->Count(Health::kDiscardedPings);
    return Status::InvalidArgument("a ping with an empty body is not queued");
  }
  return persistence_->WithDatabase([&](ClientDatabase& db) {
    if (Status s = db.EnqueuePings({ping}); !s.ok()) return s;
    return state != nullptr ? db.SavePingState(*state) : Status::Ok();
  });
}

Result<std::vector<PendingPing>> PingStorage::PendingPings() {
  return persistence_->PendingPings();
}

Result<std::vector<PendingPing>> PingStorage::DuePings(int64_t now_ms, int limit) {
  return persistence_->WithDatabase([&](ClientDatabase& db) { return db.DuePings(now_ms, limit); });
}

Status PingStorage::ArchivePing(const std::string& document_id, int64_t sent_ms) {
  return persistence_->WithDatabase(
      [&](ClientDatabase& db) { return db.ArchivePing(document_id, sent_ms); });
}

Status PingStorage::DiscardPending(const std::string& document_id) {
  recorder_->Count(Health::kDiscardedPings);
  return persistence_->WithDatabase(
      [&](ClientDatabase& db) { return db.DeletePending(document_id); });
}

Status PingStorage::DeleteAllPending() { return persistence_->DeleteAllPending(); }

Status PingStorage::DeleteArchive() {
  return persistence_->WithDatabase([](ClientDatabase& db) { return db.DeleteArchive(); });
}

Status PingStorage::RescheduleAttempt(const std::string& document_id, int64_t attempts,
                                      int64_t next_attempt_ms) {
  return persistence_->WithDatabase([&](ClientDatabase& db) {
    return db.RescheduleAttempt(document_id, attempts, next_attempt_ms);
  });
}

Result<int> PingStorage::EnforceQuota(const PendingQuota& quota, int64_t now_ms) {
  Result<int> evicted = persistence_->WithDatabase([&](ClientDatabase& db) {
    return db.EnforceQuota(quota.max_count, quota.max_bytes, quota.max_age_ms, now_ms);
  });
  if (evicted.ok() && *evicted > 0) {
    recorder_->Count(Health::kDiscardedPings, static_cast<uint32_t>(*evicted));
  }
  return evicted;
}

Result<std::vector<ArchivedPing>> PingStorage::ArchivedPings() {
  return persistence_->WithDatabase([](ClientDatabase& db) { return db.ArchivedPings(); });
}

Status PingStorage::PurgeArchive(int64_t before_ms) {
  return persistence_->WithDatabase([&](ClientDatabase& db) { return db.PurgeArchive(before_ms); });
}

Result<std::vector<PingState>> PingStorage::PingStates() {
  return persistence_->WithDatabase([](ClientDatabase& db) { return db.LoadPingStates(); });
}

Status PingStorage::SavePingState(const PingState& state) {
  return persistence_->WithDatabase([&](ClientDatabase& db) { return db.SavePingState(state); });
}

Result<std::optional<std::string>> PingStorage::ClientValue(const std::string& key) {
  return persistence_->WithDatabase([&](ClientDatabase& db) { return db.ClientValue(key); });
}

Status PingStorage::SetClientValue(const std::string& key, const std::string& value) {
  return persistence_->WithDatabase(
      [&](ClientDatabase& db) { return db.SetClientValue(key, value); });
}

}  // namespace telemetry
