// The client's SQLite database: store contents between checkpoints, client identity, ping
// state, the pending-ping queue and the archive. One file, <data_dir>/telemetry.db, in WAL mode.
//
// Opening for writing takes an exclusive lock on <data_dir>/telemetry.lock for the life of the
// object, so a second process (or a second instance in this one) gets a clear error instead of
// a shared file; read-only opening (inspection) takes no lock. A file that is not a database or
// is corrupt is moved aside to telemetry.db.corrupt-<epoch ms> and a new one started; a file
// written by a newer schema is refused and left untouched.
//
// Not thread-safe: the owner serialises calls.
#ifndef TELEMETRY_SRC_STORAGE_CLIENT_DATABASE_H_
#define TELEMETRY_SRC_STORAGE_CLIENT_DATABASE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "telemetry/base/sqlite.h"
#include "telemetry/base/status.h"
#include "telemetry/data_directory.h"
#include "telemetry/ping_storage.h"
#include "telemetry/snapshot.h"

namespace telemetry::internal {

inline constexpr int kSchemaVersion = 2;

struct ClientState {
  std::string client_id;       // UUIDv4, made on first run.
  std::string first_run_date;  // YYYY-MM-DD (UTC).
};

using sqlite::Database;
using sqlite::Statement;
using telemetry::ArchivedPing;
using telemetry::PendingPing;
using telemetry::PingState;
using telemetry::StoredStore;

// What one checkpoint writes for one store: every scalar (replacing what was there) and the
// events recorded since the last checkpoint, numbered from `first_event`.
struct StoreCheckpoint {
  std::string store;
  const StoreSnapshot* contents = nullptr;
  size_t first_event = 0;
  bool rewrite_events = false;  // Delete the store's events on disk first.
};

class ClientDatabase {
 public:
  struct Opened {
    std::unique_ptr<ClientDatabase> database;
    std::string moved_aside;  // Where a corrupt file went; empty when none was found.
  };

  // Creates the directory and database as needed. FailedPrecondition: in use by another
  // process, or written by a newer schema. IoError: the directory or file cannot be written.
  static Result<Opened> Open(const std::string& data_dir, int64_t now_ms);
  // For inspection: no lock, no writes, no recovery. NotFound when there is no database.
  static Result<std::unique_ptr<ClientDatabase>> OpenReadOnly(const std::string& data_dir);
  ~ClientDatabase();

  static std::string PathIn(const std::string& data_dir);

  Result<ClientState> LoadOrCreateClientState(int64_t now_ms);
  Result<std::vector<StoredStore>> LoadStores();
  // One transaction for all stores.
  Status WriteCheckpoint(const std::vector<StoreCheckpoint>& stores);
  // One transaction: `store`'s contents are deleted and, when given, `ping` joins the queue and
  // `state` is saved.
  Status ClearStore(const std::string& store, const PendingPing* ping,
                    const PingState* state = nullptr);
  Status EnqueuePings(const std::vector<PendingPing>& pings);
  Result<std::vector<PendingPing>> PendingPings();
  Result<int> SchemaVersion();

  // Ping state and the queue, for the schedulers and the uploader.
  Result<std::vector<PingState>> LoadPingStates();
  Status SavePingState(const PingState& state);
  // Pending pings whose next attempt is due at `now_ms`, oldest first (bodies included).
  Result<std::vector<PendingPing>> DuePings(int64_t now_ms, int limit);
  // Moves a sent ping from the queue to the archive.
  Status ArchivePing(const std::string& document_id, int64_t sent_ms);
  Status DeletePending(const std::string& document_id);
  // Every pending ping but those kept until sent.
  Status DeleteAllPending();
  Status DeleteArchive();
  Status RescheduleAttempt(const std::string& document_id, int64_t attempts,
                           int64_t next_attempt_ms);
  // Evicts the oldest pending pings until at most `max_count` pings of at most `max_bytes`
  // bytes remain, none older than `max_age_ms`. Returns how many were evicted. Pings kept until
  // sent are neither evicted nor counted.
  Result<int> EnforceQuota(int64_t max_count, int64_t max_bytes, int64_t max_age_ms,
                           int64_t now_ms);
  // Deletes archived pings sent before `before_ms`.
  Status PurgeArchive(int64_t before_ms);
  Result<std::vector<ArchivedPing>> ArchivedPings();
  Status SetClientValue(const std::string& key, const std::string& value);
  Result<std::optional<std::string>> ClientValue(const std::string& key);

 private:
  ClientDatabase(std::unique_ptr<Database> db, int lock_fd);
  Status Migrate();
  Status InsertPing(const PendingPing& ping);

  std::unique_ptr<Database> db_;
  int lock_fd_;  // -1 when read-only.
};

}  // namespace telemetry::internal

#endif  // TELEMETRY_SRC_STORAGE_CLIENT_DATABASE_H_
