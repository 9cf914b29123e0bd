#include "storage/client_database.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "telemetry/base/utc_date.h"
#include "telemetry/base/uuid.h"

namespace telemetry::internal {
namespace {

// Forward migrations: entry i takes the schema from version i to i + 1.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE client_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE scalar_values (
  store TEXT NOT NULL, name TEXT NOT NULL, keyed INTEGER NOT NULL, key TEXT NOT NULL,
  kind INTEGER NOT NULL, value INTEGER, text TEXT,
  PRIMARY KEY (store, name, key));
CREATE TABLE event_values (
  store TEXT NOT NULL, seq INTEGER NOT NULL, timestamp_ms INTEGER NOT NULL,
  category TEXT NOT NULL, method TEXT NOT NULL, object TEXT NOT NULL, value TEXT,
  extras TEXT NOT NULL,
  PRIMARY KEY (store, seq));
CREATE TABLE ping_state (
  ping TEXT PRIMARY KEY, next_sequence INTEGER NOT NULL DEFAULT 0, last_fire_ms INTEGER,
  last_ping_ms INTEGER);
CREATE TABLE pending_pings (
  document_id TEXT PRIMARY KEY, ping TEXT NOT NULL, store TEXT NOT NULL,
  created_ms INTEGER NOT NULL, body BLOB NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL DEFAULT 0);
CREATE TABLE archived_pings (
  document_id TEXT PRIMARY KEY, ping TEXT NOT NULL, created_ms INTEGER NOT NULL,
  sent_ms INTEGER NOT NULL, body BLOB NOT NULL);
)sql",
    // v2: pings kept until sent (deletion requests): DeleteAllPending and EnforceQuota leave
    // them. The deletion requests a v1 database holds (only the pings library queued them,
    // under this name) become such pings.
    R"sql(
ALTER TABLE pending_pings ADD COLUMN keep_until_sent INTEGER NOT NULL DEFAULT 0;
UPDATE pending_pings SET keep_until_sent = 1 WHERE ping = 'deletion-request';
)sql",
};
constexpr int kMigrationCount = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kMigrationCount == kSchemaVersion);

// A pending_pings row selected as document_id, ping, store, created_ms, body, attempts,
// next_attempt_ms, keep_until_sent.
PendingPing PendingRow(Statement& s) {
  return {s.Text(0), s.Text(1), s.Text(2), s.Int(3), s.Text(4), s.Int(5), s.Int(6), s.Int(7) != 0};
}

enum ScalarKindCode { kUintCode = 0, kBoolCode = 1, kStringCode = 2 };

// Runs `body` inside BEGIN IMMEDIATE ... COMMIT, rolling back on error.
template <typename Body>
Status InTransaction(Database& db, Body body) {
  if (Status s = db.Execute("BEGIN IMMEDIATE"); !s.ok()) return s;
  Status status = body();
  if (status.ok()) status = db.Execute("COMMIT");
  if (!status.ok()) (void)db.Execute("ROLLBACK");
  return status;
}

// Is the file at `path` a healthy database? Corruption when it is not one or is damaged.
Status CheckHealthy(Database& db) {
  Result<std::unique_ptr<Statement>> check = db.Prepare("PRAGMA quick_check");
  if (!check.ok()) return check.status();
  Result<bool> row = (*check)->Step();
  if (!row.ok()) return row.status();
  if (*row && (*check)->Text(0) != "ok") {
    return Status::Corruption("quick_check: " + (*check)->Text(0));
  }
  return Status::Ok();
}

void BindValue(Statement& insert, const ScalarValue& value) {
  if (const uint32_t* u = std::get_if<uint32_t>(&value)) {
    insert.Bind(5, int64_t{kUintCode}).Bind(6, int64_t{*u}).BindNull(7);
  } else if (const bool* b = std::get_if<bool>(&value)) {
    insert.Bind(5, int64_t{kBoolCode}).Bind(6, int64_t{*b ? 1 : 0}).BindNull(7);
  } else {
    insert.Bind(5, int64_t{kStringCode}).BindNull(6).Bind(7, std::get<std::string>(value));
  }
}

ScalarValue ReadValue(const Statement& row, int kind_column) {
  switch (row.Int(kind_column)) {
    case kUintCode:
      return static_cast<uint32_t>(row.Int(kind_column + 1));
    case kBoolCode:
      return row.Int(kind_column + 1) != 0;
    default:
      return row.Text(kind_column + 2);
  }
}

}  // namespace

std::string ClientDatabase::PathIn(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / "telemetry.db").string();
}

ClientDatabase::ClientDatabase(std::unique_ptr<Database> db, int lock_fd)
    : db_(std::move(db)), lock_fd_(lock_fd) {}

ClientDatabase::~ClientDatabase() {
  db_.reset();
  if (lock_fd_ >= 0) close(lock_fd_);  // Releases the lock.
}

Result<ClientDatabase::Opened> ClientDatabase::Open(const std::string& data_dir, int64_t now_ms) {
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) return Status::IoError("cannot create " + data_dir + ": " + error.message());

  const std::string lock_path = (std::filesystem::path(data_dir) / "telemetry.lock").string();
  int lock_fd = open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd < 0) return Status::IoError("cannot open " + lock_path + ": " + strerror(errno));
  if (flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    close(lock_fd);
    return Status::FailedPrecondition("the data directory " + data_dir +
                                      " is in use by another telemetry instance or process");
  }
  auto fail = [lock_fd](Status status) -> Result<Opened> {
    close(lock_fd);
    return status;
  };

  const std::string path = PathIn(data_dir);
  Opened opened;
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<std::unique_ptr<Database>> db = Database::Open(path, Database::Mode::kReadWrite);
    if (!db.ok()) return fail(db.status());
    Status healthy = CheckHealthy(**db);
    if (healthy.code() == Status::Code::kCorruption && attempt == 0) {
      db->reset();
      opened.moved_aside = path + ".corrupt-" + std::to_string(now_ms);
      for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::rename(path + suffix, opened.moved_aside + suffix, error);
      }
      continue;
    }
    if (!healthy.ok()) return fail(healthy);
    auto database = std::unique_ptr<ClientDatabase>(new ClientDatabase(std::move(*db), lock_fd));
    // Check the version before anything writes to the file.
    Result<int> version = database->SchemaVersion();
    if (!version.ok()) {
      database->lock_fd_ = -1;
      return fail(version.status());
    }
    if (*version > kSchemaVersion) {
      database->lock_fd_ = -1;
      return fail(Status::FailedPrecondition(
          path + " was written by a newer version of telemetry (schema " +
          std::to_string(*version) + ", this build knows up to " + std::to_string(kSchemaVersion) +
          "); it is left untouched"));
    }
    Status setup = database->db_->Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    if (setup.ok()) setup = database->Migrate();
    if (!setup.ok()) {
      database->lock_fd_ = -1;
      return fail(setup);
    }
    opened.database = std::move(database);
    return opened;
  }
  return fail(Status::Internal("cannot start a fresh database at " + path));
}

Result<std::unique_ptr<ClientDatabase>> ClientDatabase::OpenReadOnly(const std::string& data_dir) {
  const std::string path = PathIn(data_dir);
  std::error_code ec;  // Non-throwing: a path we may not look at is an error value.
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    return Status::NotFound("no telemetry database at " + path);
  }
  if (ec) return Status::IoError("cannot read " + path + ": " + ec.message());
  Result<std::unique_ptr<Database>> db = Database::Open(path, Database::Mode::kReadOnly);
  Status healthy = db.ok() ? CheckHealthy(**db) : db.status();
  if (healthy.code() == Status::Code::kIoError) {
    // A WAL database on a read-only directory or mount cannot make its shared-memory index:
    // nobody can be writing there, so read the file as it stands.
    db = Database::Open(path, Database::Mode::kImmutable);
    healthy = db.ok() ? CheckHealthy(**db) : db.status();
  }
  if (!healthy.ok()) return healthy;
  return std::unique_ptr<ClientDatabase>(new ClientDatabase(std::move(*db), -1));
}

Result<int> ClientDatabase::SchemaVersion() {
  Result<std::unique_ptr<Statement>> exists = db_->Prepare(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (!exists.ok()) return exists.status();
  Result<bool> row = (*exists)->Step();
  if (!row.ok()) return row.status();
  if ((*exists)->Int(0) == 0) return 0;
  Result<std::unique_ptr<Statement>> version =
      db_->Prepare("SELECT max(version) FROM schema_version");
  if (!version.ok()) return version.status();
  row = (*version)->Step();
  if (!row.ok()) return row.status();
  return static_cast<int>((*version)->Int(0));
}

Status ClientDatabase::Migrate() {
  Result<int> version = SchemaVersion();
  if (!version.ok()) return version.status();
  for (int v = *version; v < kSchemaVersion; ++v) {
    Status status = InTransaction(*db_, [&] {
      if (v == 0) {
        if (Status s = db_->Execute("CREATE TABLE schema_version (version INTEGER NOT NULL)");
            !s.ok()) {
          return s;
        }
      }
      if (Status s = db_->Execute(kMigrations[v]); !s.ok()) return s;
      return db_->Execute("INSERT INTO schema_version VALUES (" + std::to_string(v + 1) + ")");
    });
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Result<ClientState> ClientDatabase::LoadOrCreateClientState(int64_t now_ms) {
  ClientState state;
  Result<std::unique_ptr<Statement>> select = db_->Prepare("SELECT key, value FROM client_state");
  if (!select.ok()) return select.status();
  for (Result<bool> row = (*select)->Step(); row.ok() && *row; row = (*select)->Step()) {
    if ((*select)->Text(0) == "client_id") state.client_id = (*select)->Text(1);
    if ((*select)->Text(0) == "first_run_date") state.first_run_date = (*select)->Text(1);
  }
  if (!state.client_id.empty() && !state.first_run_date.empty()) return state;
  if (state.client_id.empty()) state.client_id = NewUuid();
  if (state.first_run_date.empty()) state.first_run_date = UtcDate(now_ms);
  Result<std::unique_ptr<Statement>> insert =
      db_->Prepare("INSERT OR REPLACE INTO client_state (key, value) VALUES (?, ?)");
  if (!insert.ok()) return insert.status();
  Status status = InTransaction(*db_, [&] {
    if (Status s = (*insert)->Bind(1, "client_id").Bind(2, state.client_id).Run(); !s.ok()) {
      return s;
    }
    return (*insert)->Bind(1, "first_run_date").Bind(2, state.first_run_date).Run();
  });
  if (!status.ok()) return status;
  return state;
}

Result<std::vector<StoredStore>> ClientDatabase::LoadStores() {
  std::map<std::string, StoreSnapshot> stores;
  Result<std::unique_ptr<Statement>> scalars = db_->Prepare(
      "SELECT store, name, keyed, key, kind, value, text FROM scalar_values "
      "ORDER BY store, name, key");
  if (!scalars.ok()) return scalars.status();
  Statement& s = **scalars;
  Result<bool> row = s.Step();
  for (; row.ok() && *row; row = s.Step()) {
    StoreSnapshot& snapshot = stores[s.Text(0)];
    ScalarValue value = ReadValue(s, 4);
    if (s.Int(2) == 0) {
      snapshot.scalars.push_back({s.Text(1), std::move(value)});
      continue;
    }
    if (snapshot.keyed_scalars.empty() || snapshot.keyed_scalars.back().name != s.Text(1)) {
      snapshot.keyed_scalars.push_back({s.Text(1), {}});
    }
    snapshot.keyed_scalars.back().values.emplace_back(s.Text(3), std::move(value));
  }
  if (!row.ok()) return row.status();

  Result<std::unique_ptr<Statement>> events = db_->Prepare(
      "SELECT store, timestamp_ms, category, method, object, value, extras FROM event_values "
      "ORDER BY store, seq");
  if (!events.ok()) return events.status();
  Statement& e = **events;
  for (row = e.Step(); row.ok() && *row; row = e.Step()) {
    EventEntry event{e.Int(1), e.Text(2), e.Text(3), e.Text(4), std::nullopt, {}};
    if (!e.IsNull(5)) event.value = e.Text(5);
    nlohmann::json extras = nlohmann::json::parse(e.Text(6), nullptr, /*allow_exceptions=*/false);
    if (extras.is_array()) {
      for (const auto& pair : extras) {
        if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string()) {
          event.extras.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
        }
      }
    }
    stores[e.Text(0)].events.push_back(std::move(event));
  }
  if (!row.ok()) return row.status();

  std::vector<StoredStore> out;
  for (auto& [name, contents] : stores) out.push_back({name, std::move(contents)});
  return out;
}

Status ClientDatabase::WriteCheckpoint(const std::vector<StoreCheckpoint>& stores) {
  Result<std::unique_ptr<Statement>> clear_scalars =
      db_->Prepare("DELETE FROM scalar_values WHERE store = ?");
  Result<std::unique_ptr<Statement>> clear_events =
      db_->Prepare("DELETE FROM event_values WHERE store = ?");
  Result<std::unique_ptr<Statement>> insert_scalar = db_->Prepare(
      "INSERT INTO scalar_values (store, name, keyed, key, kind, value, text) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)");
  Result<std::unique_ptr<Statement>> insert_event = db_->Prepare(
      "INSERT OR REPLACE INTO event_values "
      "(store, seq, timestamp_ms, category, method, object, value, extras) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for (auto* prepared : {&clear_scalars, &clear_events, &insert_scalar, &insert_event}) {
    if (!prepared->ok()) return prepared->status();
  }
  return InTransaction(*db_, [&]() -> Status {
    for (const StoreCheckpoint& checkpoint : stores) {
      const StoreSnapshot& contents = *checkpoint.contents;
      if (Status s = (*clear_scalars)->Bind(1, checkpoint.store).Run(); !s.ok()) return s;
      if (checkpoint.rewrite_events) {
        if (Status s = (*clear_events)->Bind(1, checkpoint.store).Run(); !s.ok()) return s;
      }
      Statement& scalar = **insert_scalar;
      for (const ScalarEntry& entry : contents.scalars) {
        scalar.Bind(1, checkpoint.store).Bind(2, entry.name).Bind(3, int64_t{0}).Bind(4, "");
        BindValue(scalar, entry.value);
        if (Status s = scalar.Run(); !s.ok()) return s;
      }
      for (const KeyedScalarEntry& entry : contents.keyed_scalars) {
        for (const auto& [key, value] : entry.values) {
          scalar.Bind(1, checkpoint.store).Bind(2, entry.name).Bind(3, int64_t{1}).Bind(4, key);
          BindValue(scalar, value);
          if (Status s = scalar.Run(); !s.ok()) return s;
        }
      }
      Statement& event = **insert_event;
      int64_t seq = static_cast<int64_t>(checkpoint.first_event);
      for (const EventEntry& entry : contents.events) {
        nlohmann::json extras = nlohmann::json::array();
        for (const auto& [key, value] : entry.extras) extras.push_back({key, value});
        event.Bind(1, checkpoint.store).Bind(2, seq++).Bind(3, entry.timestamp_ms);
        event.Bind(4, entry.category).Bind(5, entry.method).Bind(6, entry.object);
        if (entry.value) {
          event.Bind(7, *entry.value);
        } else {
          event.BindNull(7);
        }
        event.Bind(8, extras.dump());
        if (Status s = event.Run(); !s.ok()) return s;
      }
    }
    return Status::Ok();
  });
}

Status ClientDatabase::InsertPing(const PendingPing& ping) {
  Result<std::unique_ptr<Statement>> insert = db_->Prepare(
      "INSERT INTO pending_pings "
      "(document_id, ping, store, created_ms, body, attempts, next_attempt_ms, keep_until_sent) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  return (*insert)
      ->Bind(1, ping.document_id)
      .Bind(2, ping.ping_type)
      .Bind(3, ping.store)
      .Bind(4, ping.created_ms)
      .BindBlob(5, ping.body)
      .Bind(6, ping.attempts)
      .Bind(7, ping.next_attempt_ms)
      .Bind(8, int64_t{ping.keep_until_sent ? 1 : 0})
      .Run();
}

Status ClientDatabase::ClearStore(const std::string& store, const PendingPing* ping,
                                  const PingState* state) {
  return InTransaction(*db_, [&]() -> Status {
    for (const char* table : {"scalar_values", "event_values"}) {
      Result<std::unique_ptr<Statement>> clear =
          db_->Prepare(std::string("DELETE FROM ") + table + " WHERE store = ?");
      if (!clear.ok()) return clear.status();
      if (Status s = (*clear)->Bind(1, store).Run(); !s.ok()) return s;
    }
    if (state != nullptr) {
      if (Status s = SavePingState(*state); !s.ok()) return s;
    }
    return ping != nullptr ? InsertPing(*ping) : Status::Ok();
  });
}

Result<std::vector<PingState>> ClientDatabase::LoadPingStates() {
  Result<std::unique_ptr<Statement>> select =
      db_->Prepare("SELECT ping, next_sequence, last_fire_ms, last_ping_ms FROM ping_state");
  if (!select.ok()) return select.status();
  Statement& s = **select;
  std::vector<PingState> states;
  Result<bool> row = s.Step();
  for (; row.ok() && *row; row = s.Step()) {
    PingState state{s.Text(0), s.Int(1), std::nullopt, std::nullopt};
    if (!s.IsNull(2)) state.last_fire_ms = s.Int(2);
    if (!s.IsNull(3)) state.last_ping_ms = s.Int(3);
    states.push_back(std::move(state));
  }
  if (!row.ok()) return row.status();
  return states;
}

Status ClientDatabase::SavePingState(const PingState& state) {
  Result<std::unique_ptr<Statement>> upsert = db_->Prepare(
      "INSERT OR REPLACE INTO ping_state (ping, next_sequence, last_fire_ms, last_ping_ms) "
      "VALUES (?, ?, ?, ?)");
  if (!upsert.ok()) return upsert.status();
  (*upsert)->Bind(1, state.ping).Bind(2, state.next_sequence);
  int column = 3;
  for (const std::optional<int64_t>& time : {state.last_fire_ms, state.last_ping_ms}) {
    if (time) {
      (*upsert)->Bind(column++, *time);
    } else {
      (*upsert)->BindNull(column++);
    }
  }
  return (*upsert)->Run();
}

Result<std::vector<PendingPing>> ClientDatabase::DuePings(int64_t now_ms, int limit) {
  Result<std::unique_ptr<Statement>> select = db_->Prepare(
      "SELECT document_id, ping, store, created_ms, body, attempts, next_attempt_ms, "
      "keep_until_sent FROM pending_pings WHERE next_attempt_ms <= ? "
      "ORDER BY created_ms, rowid LIMIT ?");
  if (!select.ok()) return select.status();
  Statement& s = **select;
  s.Bind(1, now_ms).Bind(2, int64_t{limit});
  std::vector<PendingPing> pings;
  Result<bool> row = s.Step();
  for (; row.ok() && *row; row = s.Step()) {
    pings.push_back(PendingRow(s));
  }
  if (!row.ok()) return row.status();
  return pings;
}

Status ClientDatabase::ArchivePing(const std::string& document_id, int64_t sent_ms) {
  return InTransaction(*db_, [&]() -> Status {
    Result<std::unique_ptr<Statement>> copy = db_->Prepare(
        "INSERT OR REPLACE INTO archived_pings (document_id, ping, created_ms, sent_ms, body) "
        "SELECT document_id, ping, created_ms, ?, body FROM pending_pings WHERE document_id = ?");
    if (!copy.ok()) return copy.status();
    if (Status s = (*copy)->Bind(1, sent_ms).Bind(2, document_id).Run(); !s.ok()) return s;
    return DeletePending(document_id);
  });
}

Status ClientDatabase::DeletePending(const std::string& document_id) {
  Result<std::unique_ptr<Statement>> remove =
      db_->Prepare("DELETE FROM pending_pings WHERE document_id = ?");
  if (!remove.ok()) return remove.status();
  return (*remove)->Bind(1, document_id).Run();
}

Status ClientDatabase::DeleteAllPending() {
  return db_->Execute("DELETE FROM pending_pings WHERE keep_until_sent = 0");
}

Status ClientDatabase::DeleteArchive() { return db_->Execute("DELETE FROM archived_pings"); }

Status ClientDatabase::RescheduleAttempt(const std::string& document_id, int64_t attempts,
                                         int64_t next_attempt_ms) {
  Result<std::unique_ptr<Statement>> update = db_->Prepare(
      "UPDATE pending_pings SET attempts = ?, next_attempt_ms = ? WHERE document_id = ?");
  if (!update.ok()) return update.status();
  return (*update)->Bind(1, attempts).Bind(2, next_attempt_ms).Bind(3, document_id).Run();
}

Result<int> ClientDatabase::EnforceQuota(int64_t max_count, int64_t max_bytes, int64_t max_age_ms,
                                         int64_t now_ms) {
  // Newest first: keep pings while they fit, evict the rest (the oldest).
  Result<std::unique_ptr<Statement>> select = db_->Prepare(
      "SELECT document_id, created_ms, length(body) FROM pending_pings "
      "WHERE keep_until_sent = 0 ORDER BY created_ms DESC, rowid DESC");
  if (!select.ok()) return select.status();
  std::vector<std::string> evict;
  int64_t count = 0;
  int64_t bytes = 0;
  Statement& s = **select;
  Result<bool> row = s.Step();
  for (; row.ok() && *row; row = s.Step()) {
    ++count;
    bytes += s.Int(2);
    if (count > max_count || bytes > max_bytes || now_ms - s.Int(1) > max_age_ms) {
      evict.push_back(s.Text(0));
    }
  }
  if (!row.ok()) return row.status();
  if (evict.empty()) return 0;
  Status status = InTransaction(*db_, [&]() -> Status {
    for (const std::string& id : evict) {
      if (Status s2 = DeletePending(id); !s2.ok()) return s2;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return static_cast<int>(evict.size());
}

Status ClientDatabase::PurgeArchive(int64_t before_ms) {
  Result<std::unique_ptr<Statement>> purge =
      db_->Prepare("DELETE FROM archived_pings WHERE sent_ms < ?");
  if (!purge.ok()) return purge.status();
  return (*purge)->Bind(1, before_ms).Run();
}

Result<std::vector<ArchivedPing>> ClientDatabase::ArchivedPings() {
  Result<std::unique_ptr<Statement>> select = db_->Prepare(
      "SELECT document_id, ping, created_ms, sent_ms, body FROM archived_pings "
      "ORDER BY sent_ms DESC, rowid DESC");
  if (!select.ok()) return select.status();
  Statement& s = **select;
  std::vector<ArchivedPing> pings;
  Result<bool> row = s.Step();
  for (; row.ok() && *row; row = s.Step()) {
    pings.push_back({s.Text(0), s.Text(1), s.Int(2), s.Int(3), s.Text(4)});
  }
  if (!row.ok()) return row.status();
  return pings;
}

Status ClientDatabase::SetClientValue(const std::string& key, const std::string& value) {
  Result<std::unique_ptr<Statement>> upsert =
      db_->Prepare("INSERT OR REPLACE INTO client_state (key, value) VALUES (?, ?)");
  if (!upsert.ok()) return upsert.status();
  return (*upsert)->Bind(1, key).Bind(2, value).Run();
}

Result<std::optional<std::string>> ClientDatabase::ClientValue(const std::string& key) {
  Result<std::unique_ptr<Statement>> select =
      db_->Prepare("SELECT value FROM client_state WHERE key = ?");
  if (!select.ok()) return select.status();
  (*select)->Bind(1, key);
  Result<bool> row = (*select)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>((*select)->Text(0));
}

Status ClientDatabase::EnqueuePings(const std::vector<PendingPing>& pings) {
  return InTransaction(*db_, [&]() -> Status {
    for (const PendingPing& ping : pings) {
      if (Status s = InsertPing(ping); !s.ok()) return s;
    }
    return Status::Ok();
  });
}

Result<std::vector<PendingPing>> ClientDatabase::PendingPings() {
  Result<std::unique_ptr<Statement>> select = db_->Prepare(
      "SELECT document_id, ping, store, created_ms, body, attempts, next_attempt_ms, "
      "keep_until_sent FROM pending_pings ORDER BY created_ms, rowid");
  if (!select.ok()) return select.status();
  Statement& s = **select;
  std::vector<PendingPing> pings;
  Result<bool> row = s.Step();
  for (; row.ok() && *row; row = s.Step()) {
    pings.push_back(PendingRow(s));
  }
  if (!row.ok()) return row.status();
  return pings;
}

}  // namespace telemetry::internal
