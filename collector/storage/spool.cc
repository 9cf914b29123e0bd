#include "collector/storage/spool.h"

#include <unordered_map>
#include <utility>

#include "collector/storage/sqlite_storage.h"
#include "telemetry/base/uuid.h"

namespace telemetry::collector {
namespace {

using sqlite::Database;
using sqlite::Statement;

// The spool's own addition to a collector database: the instance id, and the offset that keeps
// forwarded rejection ids unique (below). No index by document: one writer inserts a ping and
// then its events and scalars, so in rowid order the rows of the oldest pings come first in
// every table, and the forwarder reads and deletes rowid ranges (an index of random document
// ids cost a third of the spool's commit rate).
constexpr const char* kSpoolSchema = R"sql(
CREATE TABLE IF NOT EXISTS spool_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql";

// The group committer's storage, refusing commits once the spool holds its bound.
class BoundedStorage final : public Storage {
 public:
  BoundedStorage(std::unique_ptr<Storage> inner, std::shared_ptr<std::atomic<int64_t>> pending,
                 int64_t max_records)
      : inner_(std::move(inner)), pending_(std::move(pending)), max_records_(max_records) {}

  Status Commit(const WriteBatch& batch, std::vector<bool>* stored) override {
    const int64_t waiting = pending_->load();
    if (waiting >= max_records_) {
      stored->assign(batch.documents.size(), false);
      return Status::Unavailable("the spool is full: " + std::to_string(waiting) +
                                 " records wait for the remote store");
    }
    Status status = inner_->Commit(batch, stored);
    if (!status.ok()) return status;
    int64_t added = static_cast<int64_t>(batch.rejections.size());
    for (bool now : *stored) added += now ? 1 : 0;
    pending_->fetch_add(added);
    return status;
  }
  Result<int64_t> AppendActivity(const std::vector<ActivityEvent>&) override {
    return Status::FailedPrecondition("imports go to the store itself, not through a spool");
  }
  Result<Stats> ReadStats() override { return inner_->ReadStats(); }
  Result<std::vector<StoredRejection>> ReadRejections(int64_t id) override {
    return inner_->ReadRejections(id);
  }

 private:
  std::unique_ptr<Storage> inner_;
  std::shared_ptr<std::atomic<int64_t>> pending_;
  int64_t max_records_;
};

Result<std::unique_ptr<Statement>> Bound(Database& db, const std::string& sql, int64_t value) {
  Result<std::unique_ptr<Statement>> stmt = db.Prepare(sql);
  if (stmt.ok()) (*stmt)->Bind(1, value);
  return stmt;
}

template <typename OnRow>
Status EachRow(Statement& stmt, OnRow on_row) {
  while (true) {
    Result<bool> row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    on_row(stmt);
  }
}

// The same while `on_row` returns true.
template <typename OnRow>
Status RowsWhile(Statement& stmt, OnRow on_row) {
  while (true) {
    Result<bool> row = stmt.Step();
    if (!row.ok()) return row.status();
    if (!*row || !on_row(stmt)) return Status::Ok();
  }
}

std::optional<std::string> OptionalText(const Statement& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return row.Text(column);
}

std::optional<int64_t> OptionalInt(const Statement& row, int column) {
  if (row.IsNull(column)) return std::nullopt;
  return row.Int(column);
}

Result<int64_t> SingleInt(Database& db, const std::string& sql) {
  Result<std::unique_ptr<Statement>> stmt = db.Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  int64_t value = 0;
  Status s = EachRow(**stmt, [&](const Statement& row) { value = row.Int(0); });
  if (!s.ok()) return s;
  return value;
}

// Rejection ids are the table's rowids, which SQLite gives again from 1 once the table is
// empty. Forwarded ids must never repeat, so the spool adds an offset that grows by the last id
// whenever Forget() empties the table.
constexpr const char* kRejectionOffset = "rejection_id_offset";

}  // namespace

size_t SpoolBatch::Rows() const {
  size_t rows = rejections.size();
  for (const Document& d : documents) rows += 1 + d.activity.size() + d.scalars.size();
  return rows;
}

Spool::~Spool() = default;

Result<std::unique_ptr<Spool>> Spool::Open(const std::string& path, const SpoolOptions& options) {
  std::unique_ptr<Spool> spool(new Spool(options));
  Result<std::unique_ptr<Storage>> writer =
      OpenSqliteStorage(path, {.create = true,
                               .sync_every_commit = options.sync_every_commit,
                               .busy_timeout_ms = options.busy_timeout_ms});
  if (!writer.ok()) return writer.status();
  Result<std::unique_ptr<Database>> reader =
      Database::Open(path, Database::Mode::kReadWrite, options.busy_timeout_ms);
  if (!reader.ok()) return reader.status();
  spool->reader_ = std::move(*reader);
  Database& db = *spool->reader_;
  if (Status s = db.Execute(kSpoolSchema); !s.ok()) return s;
  if (Status s = db.Execute("INSERT OR IGNORE INTO spool_meta VALUES('instance_id', '" + NewUuid() +
                            "'), ('" + kRejectionOffset + "', '0')");
      !s.ok()) {
    return s;
  }
  Result<std::unique_ptr<Statement>> id =
      db.Prepare("SELECT value FROM spool_meta WHERE key = 'instance_id'");
  if (!id.ok()) return id.status();
  if (Status s = EachRow(**id, [&](const Statement& row) { spool->instance_id_ = row.Text(0); });
      !s.ok()) {
    return s;
  }
  Result<int64_t> waiting =
      SingleInt(db, "SELECT (SELECT count(*) FROM pings) + (SELECT count(*) FROM rejections)");
  if (!waiting.ok()) return waiting.status();
  spool->pending_->store(*waiting);
  spool->bounded_ =
      std::make_unique<BoundedStorage>(std::move(*writer), spool->pending_, options.max_records);
  return spool;
}

Result<SpoolBatch> Spool::ReadBatch(size_t max_documents, size_t max_bytes) {
  SpoolBatch batch;
  if (Status s = reader_->Execute("BEGIN"); !s.ok()) return s;
  Result<std::unique_ptr<Statement>> pings =
      Bound(*reader_,
            "SELECT rowid, document_id, namespace, doc_type, doc_version, uri, received_ms, "
            "submission_date, content_type, content_encoding, redacted, body FROM pings "
            "ORDER BY rowid LIMIT ?",
            static_cast<int64_t>(max_documents));
  Status status = pings.status();
  size_t bytes = 0;
  if (status.ok()) {
    status = EachRow(**pings, [&](const Statement& row) {
      if (bytes >= max_bytes) return;
      Document doc;
      StoredPing& p = doc.ping;
      batch.last_ping_rowid = row.Int(0);
      p.document_id = row.Text(1);
      p.namespace_name = row.Text(2);
      p.doc_type = row.Text(3);
      p.doc_version = row.Text(4);
      p.uri = row.Text(5);
      p.received_ms = row.Int(6);
      p.submission_date = row.Text(7);
      p.content_type = row.Text(8);
      p.content_encoding = row.Text(9);
      p.redacted = row.Int(10) != 0;
      p.body = row.Text(11);
      bytes += p.body.size();
      batch.documents.push_back(std::move(doc));
    });
  }
  if (status.ok() && !batch.documents.empty()) status = ReadDocuments(&batch);
  if (status.ok()) status = ReadRejections(max_documents, &batch);
  (void)reader_->Execute("COMMIT");
  if (!status.ok()) return status;
  return batch;
}

// The events and scalars of the batch's pings: the first rows of their tables, up to the first
// row of a ping the batch does not hold (kSpoolSchema).
Status Spool::ReadDocuments(SpoolBatch* batch) {
  std::unordered_map<std::string_view, Document*> by_id;
  for (Document& doc : batch->documents) by_id[doc.ping.document_id] = &doc;
  Result<std::unique_ptr<Statement>> events = reader_->Prepare(
      "SELECT rowid, document_id, timestamp, seqId, seqTime, type, uid, deviceId, newUser, "
      "userAgentBrowser, userAgentVersion, userAgentOS, service, context, entrypoint, campaign, "
      "migration, sample_id FROM activity_events ORDER BY rowid");
  if (!events.ok()) return events.status();
  Status status = RowsWhile(**events, [&](const Statement& row) {
    auto doc = by_id.find(row.TextView(1));
    if (doc == by_id.end()) return false;
    batch->last_event_rowid = row.Int(0);
    ActivityEvent e;
    e.timestamp_ms = row.Int(2);
    e.seq_id = OptionalText(row, 3);
    e.seq_time_ms = OptionalInt(row, 4);
    e.type = row.Text(5);
    e.uid = OptionalText(row, 6);
    e.device_id = OptionalText(row, 7);
    e.new_user = row.Int(8) != 0;
    e.ua_browser = OptionalText(row, 9);
    e.ua_version = OptionalText(row, 10);
    e.ua_os = OptionalText(row, 11);
    e.service = OptionalText(row, 12);
    e.context = OptionalText(row, 13);
    e.entrypoint = OptionalText(row, 14);
    e.campaign = OptionalText(row, 15);
    e.migration = OptionalText(row, 16);
    if (std::optional<int64_t> sample = OptionalInt(row, 17)) {
      e.sample_id = static_cast<int>(*sample);
    }
    doc->second->activity.push_back(std::move(e));
    return true;
  });
  if (!status.ok()) return status;
  Result<std::unique_ptr<Statement>> scalars = reader_->Prepare(
      "SELECT rowid, document_id, process, probe, key, kind, value FROM scalars ORDER BY rowid");
  if (!scalars.ok()) return scalars.status();
  return RowsWhile(**scalars, [&](const Statement& row) {
    auto doc = by_id.find(row.TextView(1));
    if (doc == by_id.end()) return false;
    batch->last_scalar_rowid = row.Int(0);
    doc->second->scalars.push_back(
        {row.Text(2), row.Text(3), OptionalText(row, 4), row.Text(5), row.Text(6)});
    return true;
  });
}

Status Spool::ReadRejections(size_t limit, SpoolBatch* batch) {
  Result<int64_t> offset = SingleInt(
      *reader_, std::string("SELECT CAST(value AS INTEGER) FROM spool_meta WHERE key = '") +
                    kRejectionOffset + "'");
  if (!offset.ok()) return offset.status();
  Result<std::unique_ptr<Statement>> rows = Bound(
      *reader_,
      std::string("SELECT ") + kSqliteRejectionColumns + " FROM rejections ORDER BY id LIMIT ?",
      static_cast<int64_t>(limit));
  if (!rows.ok()) return rows.status();
  return EachRow(**rows, [&](const Statement& row) {
    StoredRejection r = ReadRejectionRow(row);
    batch->last_rejection_id = r.id;
    r.id += *offset;
    batch->rejections.push_back(std::move(r));
  });
}

Status Spool::Forget(const SpoolBatch& batch) {
  if (batch.empty()) return Status::Ok();
  if (Status s = reader_->Execute("BEGIN IMMEDIATE"); !s.ok()) return s;
  const std::string pings = std::to_string(batch.last_ping_rowid);
  const std::string rejections = std::to_string(batch.last_rejection_id);
  Status status = reader_->Execute(
      "DELETE FROM activity_events WHERE rowid <= " + std::to_string(batch.last_event_rowid) +
      "; DELETE FROM scalars WHERE rowid <= " + std::to_string(batch.last_scalar_rowid) +
      "; DELETE FROM pings WHERE rowid <= " + pings + "; DELETE FROM rejections WHERE id <= " +
      rejections + "; UPDATE spool_meta SET value = CAST(value AS INTEGER) + " + rejections +
      " WHERE key = '" + kRejectionOffset + "' AND NOT EXISTS (SELECT 1 FROM rejections);");
  if (status.ok()) status = reader_->Execute("COMMIT");
  if (!status.ok()) {
    (void)reader_->Execute("ROLLBACK");
    return status;
  }
  pending_->fetch_sub(static_cast<int64_t>(batch.records()));
  return Status::Ok();
}

}  // namespace telemetry::collector
