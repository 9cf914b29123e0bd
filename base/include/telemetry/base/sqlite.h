// A thin RAII layer over SQLite: a connection and prepared statements, errors as Status. The one
// SQLite layer of the project: the client database, the collector's storage and the KPI job.
//
//   auto db = telemetry::sqlite::Database::Open(path, Database::Mode::kReadWrite);
//   if (!db.ok()) return db.status();
//   auto insert = (*db)->Prepare("INSERT INTO t(a, b) VALUES(?, ?)");
//   if (Status s = (*insert)->Bind(1, int64_t{7}).Bind(2, "seven").Run(); !s.ok()) return s;
//
// A Database owns its connection; a Statement borrows its Database, which must outlive it.
// Not thread-safe: one thread uses a Database (and its statements) at a time. Errors are
// values: Corruption for damaged files, IoError for full, read-only, locked or missing ones.
#ifndef TELEMETRY_BASE_SQLITE_H_
#define TELEMETRY_BASE_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "telemetry/base/status.h"

namespace telemetry::sqlite {

class Statement;

// Turns off SQLite's allocation statistics for the whole process. They take one process-wide
// mutex on every allocation, which threads working on different connections then contend for
// (the KPI job reads, folds and writes on three). Takes effect only before SQLite's first use in
// the process (false otherwise, changing nothing), so a program calls it at its start; a library
// embedded in someone else's program leaves that choice to the program.
bool DisableMemoryStatistics();

class Database {
 public:
  // kImmutable reads a file nobody can be writing (a read-only copy or mount): no locks, no
  // WAL index.
  enum class Mode { kReadWrite, kReadOnly, kImmutable };

  // Opens (and with kReadWrite, creates) the database at `path`. A busy database is waited
  // for up to `busy_timeout_ms` before a statement fails with IoError.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, Mode mode,
                                                int busy_timeout_ms = 2000);
  ~Database();

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL without results (schema, pragmas, BEGIN/COMMIT).
  Status Execute(const std::string& sql);
  Result<std::unique_ptr<Statement>> Prepare(const std::string& sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;

  // A Status for the connection's last error: Corruption for SQLITE_CORRUPT/NOTADB, IoError for
  // full disks, read-only files and other I/O, Internal otherwise.
  Status Error(int code, std::string_view context) const;
  const std::string& path() const { return path_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  friend class Statement;
};

// A prepared statement. Bind parameters are 1-based, like SQLite's.
class Statement {
 public:
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, int64_t value);
  Statement& BindReal(int index, double value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);

  // Steps once: true when a row is ready, false when done; an error as Status.
  Result<bool> Step();
  // Steps to the end (for statements without rows) and resets.
  Status Run();
  // Clears bindings and rewinds, ready for reuse.
  void Reset();

  int64_t Int(int column) const;
  double Real(int column) const;
  std::string Text(int column) const;
  // The same without a copy: valid until the next Step, Reset or column read of this row.
  std::string_view TextView(int column) const;
  bool IsNull(int column) const;

 private:
  friend class Database;
  Statement(Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Database* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace telemetry::sqlite

#endif  // TELEMETRY_BASE_SQLITE_H_
