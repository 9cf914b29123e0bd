// A thin RAII layer over SQLite: a connection and prepared statements, errors as Status.
//
// Not thread-safe: one thread uses a Database (and its statements) at a time.
#ifndef TELEMETRY_SRC_STORAGE_SQLITE_H_
#define TELEMETRY_SRC_STORAGE_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "telemetry/status.h"

namespace telemetry::internal {

class Statement;

class Database {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens (and with kReadWrite, creates) the database at `path`.
  static Result<std::unique_ptr<Database>> Open(const std::string& path, Mode mode);
  ~Database();

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs SQL without results (schema, pragmas, BEGIN/COMMIT).
  Status Execute(const std::string& sql);
  Result<std::unique_ptr<Statement>> Prepare(const std::string& sql);

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
  bool IsNull(int column) const;

 private:
  friend class Database;
  Statement(Database* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Database* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace telemetry::internal

#endif  // TELEMETRY_SRC_STORAGE_SQLITE_H_
