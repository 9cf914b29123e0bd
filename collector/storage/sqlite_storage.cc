#include "collector/storage/sqlite_storage.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "collector/storage/wal_checkpointer.h"
#include "telemetry/base/sqlite.h"

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
  sample_id INTEGER,
  import_key TEXT);
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

// Version 2: imported rows carry an identity (import_key), unique where set; a database made
// before gets the column, its earlier imports keep NULL.
constexpr const char* kAddImportKey = "ALTER TABLE activity_events ADD COLUMN import_key TEXT";
constexpr const char* kImportKeyIndex = R"sql(
CREATE UNIQUE INDEX IF NOT EXISTS activity_events_import_key
  ON activity_events(import_key) WHERE import_key IS NOT NULL;
PRAGMA user_version = 2;
)sql";

using sqlite::Database;
using sqlite::Statement;

// Binds the parameters of a statement in order, from 1.
class Binder {
 public:
  explicit Binder(Statement& stmt) : stmt_(stmt) { stmt_.Reset(); }
  Binder& Text(const std::string& value) {
    stmt_.Bind(++index_, std::string_view(value));
    return *this;
  }
  Binder& Text(const std::optional<std::string>& value) {
    if (value) return Text(*value);
    stmt_.BindNull(++index_);
    return *this;
  }
  Binder& Blob(const std::string& value) {
    stmt_.BindBlob(++index_, value);
    return *this;
  }
  Binder& Int(int64_t value) {
    stmt_.Bind(++index_, value);
    return *this;
  }
  template <typename T>
  Binder& Int(const std::optional<T>& value) {
    if (value) return Int(static_cast<int64_t>(*value));
    stmt_.BindNull(++index_);
    return *this;
  }
  Status Run() { return stmt_.Run(); }

 private:
  Statement& stmt_;
  int index_ = 0;
};

class SqliteStorage final : public Storage {
 public:
  SqliteStorage(std::unique_ptr<Database> db, bool sync_every_commit)
      : db_(std::move(db)), sync_every_commit_(sync_every_commit) {}

  Status Init() {
    if (Status s = db_->Execute(sync_every_commit_
                                    ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                    : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        !s.ok()) {
      return s;
    }
    // Document ids are random, so each insert lands on a random leaf of their unique index: a
    // page cache that holds the index (64 MiB: about a million ids) saves a read per insert.
    if (Status s = db_->Execute("PRAGMA cache_size=-65536;"); !s.ok()) return s;
    // Checkpoints run beside the writer (wal_checkpointer.h), never inside one of its commits;
    // a log reset leaves at most 64 MiB of file behind.
    if (Status s = db_->Execute("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;");
        !s.ok()) {
      return s;
    }
    Result<std::unique_ptr<WalCheckpointer>> checkpointer = WalCheckpointer::Start(db_->path());
    if (!checkpointer.ok()) return checkpointer.status();
    checkpointer_ = std::move(*checkpointer);
    if (Status s = db_->Execute(kSchema); !s.ok()) return s;
    if (Status s = AddImportKey(); !s.ok()) return s;
    for (auto [target, sql] :
         std::initializer_list<std::pair<std::unique_ptr<Statement>*, const char*>>{
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
              "context, entrypoint, campaign, migration, sample_id, import_key) "
              "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"},
             {&insert_imported_,
              "INSERT OR IGNORE INTO activity_events(document_id, timestamp, seqId, seqTime, "
              "type, uid, deviceId, newUser, userAgentBrowser, userAgentVersion, userAgentOS, "
              "service, context, entrypoint, campaign, migration, sample_id, import_key) "
              "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"},
             {&insert_scalar_,
              "INSERT INTO scalars(document_id, process, probe, key, kind, value) "
              "VALUES(?,?,?,?,?,?)"},
             {&insert_rejection_,
              "INSERT INTO rejections(received_ms, path, http_status, reason, detail, headers, "
              "body) VALUES(?,?,?,?,?,?,?)"}}) {
      Result<std::unique_ptr<Statement>> stmt = db_->Prepare(sql);
      if (!stmt.ok()) return stmt.status();
      *target = std::move(*stmt);
    }
    return Status::Ok();
  }

  Status Commit(const WriteBatch& batch, std::vector<bool>* stored) override {
    stored->assign(batch.documents.size(), false);
    Status status = InTransaction([&] {
      Status written = WriteAll(batch, stored);
      if (!written.ok()) stored->assign(batch.documents.size(), false);
      return written;
    });
    if (status.ok()) checkpointer_->Nudge();
    return status;
  }

  Result<int64_t> AppendActivity(const std::vector<ActivityEvent>& rows) override {
    int64_t stored = 0;
    Status status = InTransaction([&] {
      for (const ActivityEvent& row : rows) {
        if (Status s = InsertEvent(*insert_imported_, std::nullopt, row); !s.ok()) return s;
        stored += db_->Changes();
      }
      return Status::Ok();
    });
    if (!status.ok()) return status;
    checkpointer_->Nudge();
    return stored;
  }

  Result<Stats> ReadStats() override {
    Stats stats;
    Status status = Query(
        "SELECT namespace, doc_type, submission_date, COUNT(*) FROM pings "
        "GROUP BY 1, 2, 3 ORDER BY 3, 1, 2",
        [&](const Statement& row) {
          stats.pings.push_back({row.Text(0), row.Text(1), row.Text(2), row.Int(3)});
        });
    if (status.ok()) {
      status = Query(
          "SELECT type, date(timestamp / 1000, 'unixepoch'), COUNT(*) FROM activity_events "
          "GROUP BY 1, 2 ORDER BY 2, 1",
          [&](const Statement& row) {
            stats.activity.push_back({row.Text(0), row.Text(1), row.Int(2)});
          });
    }
    if (status.ok()) {
      status = Query("SELECT reason, COUNT(*) FROM rejections GROUP BY 1 ORDER BY 2 DESC, 1",
                     [&](const Statement& row) {
                       stats.rejections.push_back({row.Text(0), row.Int(1)});
                     });
    }
    if (!status.ok()) return status;
    return stats;
  }

  Result<std::vector<StoredRejection>> ReadRejections(int64_t id) override {
    std::vector<StoredRejection> out;
    const std::string sql = std::string("SELECT ") + kSqliteRejectionColumns + " FROM rejections" +
                            (id > 0 ? " WHERE id = " + std::to_string(id) : std::string()) +
                            " ORDER BY id";
    Status status =
        Query(sql.c_str(), [&](const Statement& row) { out.push_back(ReadRejectionRow(row)); });
    if (!status.ok()) return status;
    return out;
  }

 private:
  template <typename Body>
  Status InTransaction(Body body) {
    if (Status s = begin_->Run(); !s.ok()) return s;
    Status status = body();
    if (status.ok()) status = commit_->Run();
    if (!status.ok()) (void)rollback_->Run();
    return status;
  }

  template <typename OnRow>
  Status Query(const char* sql, OnRow on_row) {
    Result<std::unique_ptr<Statement>> stmt = db_->Prepare(sql);
    if (!stmt.ok()) return stmt.status();
    while (true) {
      Result<bool> row = (*stmt)->Step();
      if (!row.ok()) return row.status();
      if (!*row) return Status::Ok();
      on_row(**stmt);
    }
  }

  Status AddImportKey() {
    bool present = false;
    Status status =
        Query("SELECT count(*) FROM pragma_table_info('activity_events') WHERE name = 'import_key'",
              [&](const Statement& row) { present = row.Int(0) > 0; });
    if (!status.ok()) return status;
    if (!present) {
      if (Status s = db_->Execute(kAddImportKey); !s.ok()) return s;
    }
    return db_->Execute(kImportKeyIndex);
  }

  Status InsertEvent(Statement& insert, const std::optional<std::string>& document_id,
                     const ActivityEvent& e) {
    return Binder(insert)
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
        .Int(e.sample_id)
        .Text(e.import_key)
        .Run();
  }

  Status WriteDocument(const Document& doc, bool* stored) {
    const StoredPing& p = doc.ping;
    Status status = Binder(*insert_ping_)
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
                        .Blob(p.body)
                        .Run();
    if (!status.ok()) return status;
    *stored = db_->Changes() != 0;  // 0: a duplicate, stored before; keep nothing of it.
    if (!*stored) return Status::Ok();
    for (const ActivityEvent& event : doc.activity) {
      if (Status s = InsertEvent(*insert_event_, p.document_id, event); !s.ok()) return s;
    }
    for (const ScalarRow& scalar : doc.scalars) {
      if (Status s = Binder(*insert_scalar_)
                         .Text(p.document_id)
                         .Text(scalar.process)
                         .Text(scalar.probe)
                         .Text(scalar.key)
                         .Text(scalar.kind)
                         .Text(scalar.value)
                         .Run();
          !s.ok()) {
        return s;
      }
    }
    return Status::Ok();
  }

  Status WriteAll(const WriteBatch& batch, std::vector<bool>* stored) {
    for (size_t i = 0; i < batch.documents.size(); ++i) {
      bool was_stored = false;
      if (Status s = WriteDocument(*batch.documents[i], &was_stored); !s.ok()) return s;
      (*stored)[i] = was_stored;
    }
    for (const Rejection* r : batch.rejections) {
      const std::string headers_text = HeadersJson(*r);
      if (Status s = Binder(*insert_rejection_)
                         .Int(r->received_ms)
                         .Text(r->path)
                         .Int(r->http_status)
                         .Text(r->reason)
                         .Text(r->detail)
                         .Text(headers_text)
                         .Blob(r->body)
                         .Run();
          !s.ok()) {
        return s;
      }
    }
    return Status::Ok();
  }

  // Statements are declared after the database, so they are finalized before it closes.
  std::unique_ptr<Database> db_;
  // Declared after the database: closed first, so the writer's connection is the last one and
  // SQLite's own final checkpoint runs there.
  std::unique_ptr<WalCheckpointer> checkpointer_;
  bool sync_every_commit_;
  std::unique_ptr<Statement> begin_, commit_, rollback_, insert_ping_, insert_event_,
      insert_imported_, insert_scalar_, insert_rejection_;
};

}  // namespace

StoredRejection ReadRejectionRow(const sqlite::Statement& row) {
  StoredRejection r;
  r.id = row.Int(0);
  r.rejection.received_ms = row.Int(1);
  r.rejection.path = row.Text(2);
  r.rejection.http_status = static_cast<int>(row.Int(3));
  r.rejection.reason = row.Text(4);
  r.rejection.detail = row.Text(5);
  r.headers_json = row.Text(6);
  r.rejection.body = row.Text(7);
  return r;
}

std::string HeadersJson(const Rejection& rejection) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [name, value] : rejection.headers) headers[name] = value;
  return headers.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::unique_ptr<Storage>> OpenSqliteStorage(const std::string& path,
                                                   const SqliteOptions& options) {
  if (!options.create && !std::filesystem::exists(path)) {
    return Status::NotFound("no database at " + path);
  }
  Result<std::unique_ptr<Database>> db =
      Database::Open(path, Database::Mode::kReadWrite, options.busy_timeout_ms);
  if (!db.ok()) return db.status();
  auto storage = std::make_unique<SqliteStorage>(std::move(*db), options.sync_every_commit);
  if (Status s = storage->Init(); !s.ok()) {
    return Status::IoError("cannot use the database " + path + ": " + s.message());
  }
  return std::unique_ptr<Storage>(std::move(storage));
}

}  // namespace telemetry::collector
