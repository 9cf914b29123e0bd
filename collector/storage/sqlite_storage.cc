#include "collector/storage/sqlite_storage.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

namespace telemetry::collector {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS pings(
  document_id TEXT NOT NULL UNIQUE,
  namespace TEXT NOT NULL,
  doc_type TEXT NOT NULL,
  doc_version TEXT NOT NULL,
  uri TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  submission_date TEXT NOT NULL,
  content_type TEXT NOT NULL,
  content_encoding TEXT NOT NULL,
  redacted INTEGER NOT NULL,
  body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS activity_events(
  document_id TEXT,
  timestamp INTEGER NOT NULL,
  seqId TEXT,
  seqTime INTEGER,
  type TEXT NOT NULL,
  uid TEXT,
  deviceId TEXT,
  newUser INTEGER NOT NULL,
  userAgentBrowser TEXT,
  userAgentVersion TEXT,
  userAgentOS TEXT,
  service TEXT,
  context TEXT,
  entrypoint TEXT,
  campaign TEXT,
  migration TEXT,
  sample_id INTEGER);
CREATE TABLE IF NOT EXISTS scalars(
  document_id TEXT NOT NULL,
  process TEXT NOT NULL,
  probe TEXT NOT NULL,
  key TEXT,
  kind TEXT NOT NULL,
  value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rejections(
  id INTEGER PRIMARY KEY,
  received_ms INTEGER NOT NULL,
  path TEXT NOT NULL,
  http_status INTEGER NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  headers TEXT NOT NULL,
  body BLOB NOT NULL);
PRAGMA user_version = 1;
)sql";

// A prepared statement, finalized on destruction.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept {
    std::swap(stmt_, other.stmt_);
    return *this;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class Binder {
 public:
  explicit Binder(sqlite3_stmt* stmt) : stmt_(stmt) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Binder& Text(const std::string& value) {
    sqlite3_bind_text(stmt_, ++index_, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    return *this;
  }
  Binder& Text(const std::optional<std::string>& value) {
    if (value) return Text(*value);
    sqlite3_bind_null(stmt_, ++index_);
    return *this;
  }
  Binder& Blob(const std::string& value) {
    sqlite3_bind_blob(stmt_, ++index_, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    return *this;
  }
  Binder& Int(int64_t value) {
    sqlite3_bind_int64(stmt_, ++index_, value);
    return *this;
  }
  template <typename T>
  Binder& Int(const std::optional<T>& value) {
    if (value) return Int(static_cast<int64_t>(*value));
    sqlite3_bind_null(stmt_, ++index_);
    return *this;
  }

 private:
  sqlite3_stmt* stmt_;
  int index_ = 0;
};

class SqliteStorage final : public Storage {
 public:
  SqliteStorage(sqlite3* db, bool sync_every_commit)
      : db_(db), sync_every_commit_(sync_every_commit) {}
  ~SqliteStorage() override {
    // Finalize every statement before closing (they are members of this object).
    begin_ = {};
    commit_ = {};
    rollback_ = {};
    insert_ping_ = {};
    insert_event_ = {};
    insert_scalar_ = {};
    insert_rejection_ = {};
    sqlite3_close(db_);
  }

  Status Init() {
    if (Status s =
            ExecScript(sync_every_commit_ ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                          : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        !s.ok()) {
      return s;
    }
    sqlite3_busy_timeout(db_, 10000);
    if (Status s = ExecScript(kSchema); !s.ok()) return s;
    for (auto [target, sql] : std::initializer_list<std::pair<Statement*, const char*>>{
             {&begin_, "BEGIN IMMEDIATE"},
             {&commit_, "COMMIT"},
             {&rollback_, "ROLLBACK"},
             {&insert_ping_,
              "INSERT OR IGNORE INTO pings(document_id, namespace, doc_type, doc_version, uri, "
              "received_ms, submission_date, content_type, content_encoding, redacted, body) "
              "VALUES(?,?,?,?,?,?,?,?,?,?,?)"},
             {&insert_event_,
              "INSERT INTO activity_events(document_id, timestamp, seqId, seqTime, type, uid, "
              "deviceId, newUser, userAgentBrowser, userAgentVersion, userAgentOS, service, "
              "context, entrypoint, campaign, migration, sample_id) "
              "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"},
             {&insert_scalar_,
              "INSERT INTO scalars(document_id, process, probe, key, kind, value) "
              "VALUES(?,?,?,?,?,?)"},
             {&insert_rejection_,
              "INSERT INTO rejections(received_ms, path, http_status, reason, detail, headers, "
              "body) VALUES(?,?,?,?,?,?,?)"}}) {
      Result<Statement> stmt = Prepare(sql);
      if (!stmt.ok()) return stmt.status();
      *target = std::move(*stmt);
    }
    return Status::Ok();
  }

  Status Commit(const WriteBatch& batch, std::vector<bool>* stored) override {
    stored->assign(batch.documents.size(), false);
    if (Status s = Step(begin_.get()); !s.ok()) return s;
    Status status = WriteAll(batch, stored);
    if (status.ok()) status = Step(commit_.get());
    if (!status.ok()) {
      Step(rollback_.get());
      stored->assign(batch.documents.size(), false);
    }
    return status;
  }

  Status AppendActivity(const std::vector<ActivityEvent>& rows) override {
    if (Status s = Step(begin_.get()); !s.ok()) return s;
    Status status = Status::Ok();
    for (const ActivityEvent& row : rows) {
      status = InsertEvent(std::nullopt, row);
      if (!status.ok()) break;
    }
    if (status.ok()) status = Step(commit_.get());
    if (!status.ok()) Step(rollback_.get());
    return status;
  }

  Result<Stats> ReadStats() override {
    Stats stats;
    Result<Statement> pings = Prepare(
        "SELECT namespace, doc_type, submission_date, COUNT(*) FROM pings "
        "GROUP BY 1, 2, 3 ORDER BY 3, 1, 2");
    if (!pings.ok()) return pings.status();
    while (sqlite3_step(pings->get()) == SQLITE_ROW) {
      stats.pings.push_back({Column(pings->get(), 0), Column(pings->get(), 1),
                             Column(pings->get(), 2), sqlite3_column_int64(pings->get(), 3)});
    }
    Result<Statement> events = Prepare(
        "SELECT type, date(timestamp / 1000, 'unixepoch'), COUNT(*) FROM activity_events "
        "GROUP BY 1, 2 ORDER BY 2, 1");
    if (!events.ok()) return events.status();
    while (sqlite3_step(events->get()) == SQLITE_ROW) {
      stats.activity.push_back({Column(events->get(), 0), Column(events->get(), 1),
                                sqlite3_column_int64(events->get(), 2)});
    }
    Result<Statement> rejections =
        Prepare("SELECT reason, COUNT(*) FROM rejections GROUP BY 1 ORDER BY 2 DESC, 1");
    if (!rejections.ok()) return rejections.status();
    while (sqlite3_step(rejections->get()) == SQLITE_ROW) {
      stats.rejections.push_back(
          {Column(rejections->get(), 0), sqlite3_column_int64(rejections->get(), 1)});
    }
    return stats;
  }

 private:
  static std::string Column(sqlite3_stmt* stmt, int index) {
    const unsigned char* text = sqlite3_column_text(stmt, index);
    return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
  }

  Status Error(const char* what) const {
    return Status::IoError(std::string("sqlite: ") + what + ": " + sqlite3_errmsg(db_));
  }

  Result<Statement> Prepare(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) return Error("prepare");
    return Statement(stmt);
  }

  // Runs every statement of a constant script, one prepared statement at a time.
  Status ExecScript(const char* sql) {
    const char* rest = sql;
    while (rest != nullptr && *rest != '\0') {
      sqlite3_stmt* raw = nullptr;
      if (sqlite3_prepare_v2(db_, rest, -1, &raw, &rest) != SQLITE_OK) return Error("prepare");
      if (raw == nullptr) break;  // Only whitespace was left.
      Statement stmt(raw);
      int rc;
      while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
      }
      if (rc != SQLITE_DONE) return Error("schema");
    }
    return Status::Ok();
  }

  Status Step(sqlite3_stmt* stmt) {
    const int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Error("step");
    return Status::Ok();
  }

  Status InsertEvent(const std::optional<std::string>& document_id, const ActivityEvent& e) {
    Binder(insert_event_.get())
        .Text(document_id)
        .Int(e.timestamp_ms)
        .Text(e.seq_id)
        .Int(e.seq_time_ms)
        .Text(e.type)
        .Text(e.uid)
        .Text(e.device_id)
        .Int(e.new_user ? 1 : 0)
        .Text(e.ua_browser)
        .Text(e.ua_version)
        .Text(e.ua_os)
        .Text(e.service)
        .Text(e.context)
        .Text(e.entrypoint)
        .Text(e.campaign)
        .Text(e.migration)
        .Int(e.sample_id);
    return Step(insert_event_.get());
  }

  Status WriteAll(const WriteBatch& batch, std::vector<bool>* stored) {
    for (size_t i = 0; i < batch.documents.size(); ++i) {
      const Document& doc = *batch.documents[i];
      const StoredPing& p = doc.ping;
      Binder(insert_ping_.get())
          .Text(p.document_id)
          .Text(p.namespace_name)
          .Text(p.doc_type)
          .Text(p.doc_version)
          .Text(p.uri)
          .Int(p.received_ms)
          .Text(p.submission_date)
          .Text(p.content_type)
          .Text(p.content_encoding)
          .Int(p.redacted ? 1 : 0)
          .Blob(p.body);
      if (Status s = Step(insert_ping_.get()); !s.ok()) return s;
      if (sqlite3_changes(db_) == 0) continue;  // A duplicate: stored before, keep nothing.
      (*stored)[i] = true;
      for (const ActivityEvent& event : doc.activity) {
        if (Status s = InsertEvent(p.document_id, event); !s.ok()) return s;
      }
      for (const ScalarRow& scalar : doc.scalars) {
        Binder(insert_scalar_.get())
            .Text(p.document_id)
            .Text(scalar.process)
            .Text(scalar.probe)
            .Text(scalar.key)
            .Text(scalar.kind)
            .Text(scalar.value);
        if (Status s = Step(insert_scalar_.get()); !s.ok()) return s;
      }
    }
    for (const Rejection* r : batch.rejections) {
      nlohmann::json headers = nlohmann::json::object();
      for (const auto& [name, value] : r->headers) headers[name] = value;
      const std::string headers_text =
          headers.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      Binder(insert_rejection_.get())
          .Int(r->received_ms)
          .Text(r->path)
          .Int(r->http_status)
          .Text(r->reason)
          .Text(r->detail)
          .Text(headers_text)
          .Blob(r->body);
      if (Status s = Step(insert_rejection_.get()); !s.ok()) return s;
    }
    return Status::Ok();
  }

  sqlite3* db_;
  bool sync_every_commit_;
  Statement begin_, commit_, rollback_, insert_ping_, insert_event_, insert_scalar_,
      insert_rejection_;
};

}  // namespace

Result<std::unique_ptr<Storage>> OpenSqliteStorage(const std::string& path,
                                                   const SqliteOptions& options) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (options.create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    std::string message = "cannot open the database " + path + ": " +
                          (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return Status::IoError(std::move(message));
  }
  auto storage = std::make_unique<SqliteStorage>(db, options.sync_every_commit);
  if (Status s = storage->Init(); !s.ok()) {
    return Status::IoError("cannot use the database " + path + ": " + s.message());
  }
  return std::unique_ptr<Storage>(std::move(storage));
}

}  // namespace telemetry::collector
