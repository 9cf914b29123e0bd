#include "storage/persistence.h"

#include "telemetry/base/uuid.h"

namespace telemetry::internal {

Persistence::Persistence(const TelemetryConfig& config, Recorder* recorder)
    : config_(config), recorder_(recorder) {}

Result<std::unique_ptr<Persistence>> Persistence::Open(const TelemetryConfig& config,
                                                       Recorder* recorder) {
  std::unique_ptr<Persistence> persistence(new Persistence(config, recorder));
  const int64_t now = recorder->clock().NowMillis();
  Result<ClientDatabase::Opened> opened = ClientDatabase::Open(config.data_dir, now);
  if (!opened.ok() && opened.status().code() == Status::Code::kFailedPrecondition) {
    return opened.status();  // Another instance's, or a newer schema's: refuse.
  }
  if (opened.ok()) {
    if (!opened->moved_aside.empty()) recorder->Count(Health::kCorruptDatabases);
    persistence->db_ = std::move(opened->database);
    Result<ClientState> client = persistence->db_->LoadOrCreateClientState(now);
    Result<std::vector<StoredStore>> stores = persistence->db_->LoadStores();
    if (client.ok() && stores.ok()) {
      persistence->client_ = *client;
      for (const StoredStore& stored : *stores) {
        recorder->Restore(stored.store, stored.contents);
        persistence->rewrite_events_[stored.store] = true;  // Renumber on the next checkpoint.
      }
    } else {
      recorder->Count(Health::kStorageErrors);
      persistence->db_.reset();
    }
  } else {
    recorder->Count(Health::kStorageErrors);
  }
  if (persistence->client_.client_id.empty()) {
    // No disk: a client id for this run; it becomes durable when the disk recovers.
    persistence->client_.client_id = NewUuid();
  }
  if (config.checkpoint_interval_ms > 0) {
    // The first deadline is fixed here, not when the thread gets going: time that passes on
    // the clock from now on counts.
    const int64_t first = recorder->clock().NowMillis() + config.checkpoint_interval_ms;
    persistence->thread_ = std::thread([p = persistence.get(), first] { p->Run(first); });
  }
  return persistence;
}

Persistence::~Persistence() { Shutdown(); }

bool Persistence::EnsureDatabase() {
  if (db_) return true;
  Result<ClientDatabase::Opened> opened =
      ClientDatabase::Open(config_.data_dir, recorder_->clock().NowMillis());
  if (!opened.ok()) return false;
  db_ = std::move(opened->database);
  if (!opened->moved_aside.empty()) recorder_->Count(Health::kCorruptDatabases);
  (void)db_->LoadOrCreateClientState(recorder_->clock().NowMillis());
  for (auto& [store, rewrite] : rewrite_events_) rewrite = true;
  persisted_events_.clear();
  return true;
}

Status Persistence::Checkpoint() {
  std::lock_guard lock(mu_);
  return CheckpointLocked();
}

Status Persistence::CheckpointLocked() {
  if (!EnsureDatabase()) {
    recorder_->Count(Health::kStorageErrors);
    return Status::IoError("the client database cannot be opened in " + config_.data_dir);
  }
  std::vector<std::string> stores = recorder_->Stores();
  std::vector<StoreSnapshot> contents(stores.size());
  std::vector<StoreCheckpoint> checkpoints;
  std::vector<size_t> event_counts(stores.size());
  for (size_t i = 0; i < stores.size(); ++i) {
    const std::string& store = stores[i];
    const bool rewrite = rewrite_events_[store] || persisted_events_.count(store) == 0;
    const size_t first = rewrite ? 0 : persisted_events_[store];
    Result<StoreSnapshot> snapshot = recorder_->CheckpointSnapshot(store, first, &event_counts[i]);
    if (!snapshot.ok()) return snapshot.status();
    contents[i] = std::move(snapshot).value();
    checkpoints.push_back({store, &contents[i], first, rewrite});
  }
  Status status = db_->WriteCheckpoint(checkpoints);
  if (status.ok() && !unsaved_pings_.empty()) {
    status = db_->EnqueuePings(unsaved_pings_);
    if (status.ok()) unsaved_pings_.clear();
  }
  if (!status.ok()) {
    recorder_->Count(Health::kStorageErrors);
    if (status.code() == Status::Code::kCorruption) db_.reset();  // Reopen: moves it aside.
    return status;
  }
  for (size_t i = 0; i < stores.size(); ++i) {
    persisted_events_[stores[i]] = event_counts[i];
    rewrite_events_[stores[i]] = false;
  }
  return Status::Ok();
}

Result<StoreSnapshot> Persistence::TakeSnapshot(std::string_view store) {
  std::lock_guard lock(mu_);
  Result<StoreSnapshot> snapshot = recorder_->Snapshot(store, /*clear=*/true);
  if (!snapshot.ok()) return snapshot;
  const std::string name(store);
  persisted_events_[name] = 0;
  if (!EnsureDatabase() || !db_->ClearStore(name, nullptr).ok()) {
    recorder_->Count(Health::kStorageErrors);
    rewrite_events_[name] = true;
  }
  return snapshot;
}

Status Persistence::SubmitStore(
    std::string_view store, PendingPing ping,
    const std::function<Result<std::string>(const StoreSnapshot&)>& build, const PingState* state) {
  std::lock_guard lock(mu_);
  Result<StoreSnapshot> snapshot = recorder_->Snapshot(store, /*clear=*/true);
  if (!snapshot.ok()) return snapshot.status();
  Result<std::string> body = build(*snapshot);
  if (body.ok() && body->empty()) body = Status::Internal("the ping's body came out empty");
  const std::string name(store);
  persisted_events_[name] = 0;
  if (!body.ok()) {
    // A ping that cannot be built (or came out empty) is never queued: it is counted and its
    // values are discarded, in memory above and on disk here, so that neither a restart nor a
    // crash brings them back into a later ping.
    recorder_->Count(Health::kDiscardedPings);
    if (!EnsureDatabase() || !db_->ClearStore(name, nullptr).ok()) {
      recorder_->Count(Health::kStorageErrors);
      rewrite_events_[name] = true;  // The next checkpoint overwrites them.
    }
    return body.status();
  }
  ping.store = name;
  ping.body = std::move(body).value();
  if (EnsureDatabase()) {
    if (db_->ClearStore(name, &ping, state).ok()) return Status::Ok();
  }
  recorder_->Count(Health::kStorageErrors);
  rewrite_events_[name] = true;
  unsaved_pings_.push_back(std::move(ping));  // Written with the next checkpoint.
  return Status::Ok();
}

Status Persistence::SetClientId(const std::string& client_id) {
  std::lock_guard lock(mu_);
  client_.client_id = client_id;
  if (!EnsureDatabase()) return Status::IoError("the client database cannot be opened");
  return db_->SetClientValue("client_id", client_id);
}

Result<std::vector<PendingPing>> Persistence::PendingPings() {
  std::lock_guard lock(mu_);
  std::vector<PendingPing> pings;
  if (EnsureDatabase()) {
    Result<std::vector<PendingPing>> stored = db_->PendingPings();
    if (!stored.ok()) return stored.status();
    pings = std::move(stored).value();
  }
  pings.insert(pings.end(), unsaved_pings_.begin(), unsaved_pings_.end());
  return pings;
}

Status Persistence::DeleteAllPending() {
  std::lock_guard lock(mu_);
  std::erase_if(unsaved_pings_, [](const PendingPing& ping) { return !ping.keep_until_sent; });
  if (!EnsureDatabase()) {
    recorder_->Count(Health::kStorageErrors);
    return Status::IoError("the client database cannot be opened in " + config_.data_dir);
  }
  return db_->DeleteAllPending();
}

void Persistence::Run(int64_t deadline_ms) {
  // On the configured clock: a ManualClock moved past the deadline checkpoints, real time
  // does not. A clock set backwards ends the wait early: the interval starts again.
  const Clock& clock = recorder_->clock();
  const auto stop = [this] { return stopping_.load(); };
  while (!clock.WaitUntil(deadline_ms, stop)) {
    const int64_t now = clock.NowMillis();
    if (now >= deadline_ms) (void)Checkpoint();
    deadline_ms = now + config_.checkpoint_interval_ms;
  }
}

void Persistence::Shutdown() {
  if (stopping_.exchange(true)) return;
  recorder_->clock().Wake();  // Ends the checkpoint thread's wait, whatever the clock does.
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  (void)CheckpointLocked();
}

}  // namespace telemetry::internal
