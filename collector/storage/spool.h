// Spool: the collector's durable local queue in front of a remote store (ClickHouse).
//
//   Result<std::unique_ptr<Spool>> spool = Spool::Open("collector.spool.db", {.max_records = N});
//   GroupCommitter committer(&(*spool)->storage(), ...);   // Acknowledged = committed here.
//   ...on the forwarder's thread (forwarder.h):
//   Result<SpoolBatch> batch = (*spool)->ReadBatch(50000, 64 << 20);
//   if (sink.Forward((*spool)->instance_id(), *batch).ok()) (*spool)->Forget(*batch);
//
// The spool is a collector SQLite database (sqlite_storage.h, synchronous=FULL): a submission
// is acknowledged once it is durable here, and stays until the remote store has it. Batches are
// rowid ranges (one writer inserts a ping, then its events and scalars), so the spool adds no
// index to the collector's tables and commits as fast as the SQLite store. Forward,
// then Forget, in that order: a crash between the two forwards the batch again, which the
// remote store's keys make harmless (clickhouse/schema.h). Documents already in the spool are
// duplicates as before; a document sent again after its copy was forwarded is spooled again and
// kept once by the remote store.
//
// Bound: once `max_records` documents and rejections wait, storage().Commit() fails with
// Unavailable (the server answers 503 with Retry-After) until the forwarder catches up.
//
// Thread safety: storage() is used by one thread (the group committer's writer); ReadBatch and
// Forget by one other (the forwarder); pending() and instance_id() by any thread.
#ifndef TELEMETRY_COLLECTOR_STORAGE_SPOOL_H_
#define TELEMETRY_COLLECTOR_STORAGE_SPOOL_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "collector/model/records.h"
#include "collector/storage/storage.h"
#include "telemetry/base/sqlite.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

// The oldest spooled records, in the order they were acknowledged.
struct SpoolBatch {
  std::vector<Document> documents;
  std::vector<StoredRejection> rejections;  // `id` is the spool's, unique per instance
  int64_t last_ping_rowid = 0;              // Forget() removes up to these
  int64_t last_event_rowid = 0, last_scalar_rowid = 0;
  int64_t last_rejection_id = 0;
  bool empty() const { return documents.empty() && rejections.empty(); }
  size_t records() const { return documents.size() + rejections.size(); }
  size_t Rows() const;  // pings, events, scalars and rejections
};

// Where a spool forwards to (ClickHouseStorage). Forward must be idempotent: the same batch may
// come again after a crash.
class SpoolSink {
 public:
  virtual ~SpoolSink() = default;
  virtual Status Forward(const std::string& instance_id, const SpoolBatch& batch) = 0;
};

struct SpoolOptions {
  int64_t max_records = 1000000;
  bool sync_every_commit = true;  // SqliteOptions::sync_every_commit
  int busy_timeout_ms = 10000;
};

class Spool {
 public:
  static Result<std::unique_ptr<Spool>> Open(const std::string& path, const SpoolOptions& options);
  ~Spool();

  Storage& storage() { return *bounded_; }

  // At most `max_documents` documents (and as many rejections), stopping early past
  // `max_bytes` of ping bodies. Empty when nothing waits.
  Result<SpoolBatch> ReadBatch(size_t max_documents, size_t max_bytes);
  // Deletes what `batch` read, in one transaction.
  Status Forget(const SpoolBatch& batch);

  int64_t pending() const { return pending_->load(); }
  int64_t max_records() const { return options_.max_records; }
  // A random id made when the spool file was created: it keeps rejection ids of collector
  // instances apart in the remote store.
  const std::string& instance_id() const { return instance_id_; }

 private:
  Spool(SpoolOptions options) : options_(options) {}
  Status ReadDocuments(SpoolBatch* batch);
  Status ReadRejections(size_t limit, SpoolBatch* batch);

  SpoolOptions options_;
  std::shared_ptr<std::atomic<int64_t>> pending_ = std::make_shared<std::atomic<int64_t>>(0);
  std::unique_ptr<Storage> bounded_;          // The writer's connection, behind the bound.
  std::unique_ptr<sqlite::Database> reader_;  // The forwarder's connection.
  std::string instance_id_;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_STORAGE_SPOOL_H_
