// The embedded storage: one SQLite database file in WAL mode, prepared statements only.
//
// Tables (docs/COLLECTOR.md): pings, activity_events, scalars, rejections. A commit is durable
// when Commit() returns (synchronous=FULL): it survives a crash of the process and of the
// machine (with sync_every_commit; see SqliteOptions). Other processes may read the file while a
// server writes it (WAL).
#ifndef TELEMETRY_COLLECTOR_STORAGE_SQLITE_STORAGE_H_
#define TELEMETRY_COLLECTOR_STORAGE_SQLITE_STORAGE_H_

#include <memory>
#include <string>

#include "collector/storage/storage.h"
#include "telemetry/base/sqlite.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

struct SqliteOptions {
  bool create = true;  // Create the file and tables when missing; otherwise a missing file fails.
  // true: synchronous=FULL, a commit survives a crash of the machine (power loss included).
  // false: synchronous=NORMAL, a commit survives a crash (kill -9) of the process but the last
  // commits before a power loss may be lost; no fsync per commit.
  bool sync_every_commit = true;
  // How long a commit waits for a lock another process holds before it fails (Unavailable).
  int busy_timeout_ms = 10000;
};

// The rejections columns a SELECT names for ReadRejectionRow, which reads them in this order.
inline constexpr char kSqliteRejectionColumns[] =
    "id, received_ms, path, http_status, reason, detail, headers, body";
StoredRejection ReadRejectionRow(const sqlite::Statement& row);

// Opens (and creates or upgrades the tables of) the database at `path`.
Result<std::unique_ptr<Storage>> OpenSqliteStorage(const std::string& path,
                                                   const SqliteOptions& options = {});

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_STORAGE_SQLITE_STORAGE_H_
