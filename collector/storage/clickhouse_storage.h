// ClickHouseStorage: the collector's tables on a ClickHouse cluster (clickhouse/schema.h).
//
//   Result<std::unique_ptr<ClickHouseStorage>> store =
//       ClickHouseStorage::Open(*url, hasher.Fingerprint());   // Checks servers and schema.
//   (*store)->Forward(spool.instance_id(), batch);   // The forwarder's batches (spool.h).
//   (*store)->AppendActivity(rows);                  // Imports.
//
// Every document's rows go to its account's shard, in one insert per table per shard per
// batch (ClickHouse wants few, large inserts). Writes are idempotent rather than transactional:
// a failed Forward may have stored part of its batch, and the retry stores it again, which the
// tables' keys collapse; readers count with FINAL, per shard. So Commit() and AppendActivity()
// cannot tell a duplicate from a new row: Commit reports every document as stored, and
// AppendActivity returns the number of rows sent.
//
// Thread-compatible: one caller at a time (it owns one connection per shard).
#ifndef TELEMETRY_COLLECTOR_STORAGE_CLICKHOUSE_STORAGE_H_
#define TELEMETRY_COLLECTOR_STORAGE_CLICKHOUSE_STORAGE_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "collector/clickhouse/cluster.h"
#include "collector/clickhouse/store_url.h"
#include "collector/storage/spool.h"
#include "collector/storage/storage.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

class ClickHouseStorage final : public Storage, public SpoolSink {
 public:
  // Connects to every shard and creates or checks the schema (clickhouse::EnsureSchema; an
  // empty fingerprint skips the key check).
  // `timeout` bounds every request (clickhouse::Cluster::Connect).
  static Result<std::unique_ptr<ClickHouseStorage>> Open(
      const StoreUrl& url, const std::string& key_fingerprint,
      std::chrono::milliseconds timeout = std::chrono::minutes(10));

  Status Forward(const std::string& instance_id, const SpoolBatch& batch) override;
  Status Commit(const WriteBatch& batch, std::vector<bool>* stored) override;
  Result<int64_t> AppendActivity(const std::vector<ActivityEvent>& rows) override;
  Result<Stats> ReadStats() override;
  Result<std::vector<StoredRejection>> ReadRejections(int64_t id) override;

  clickhouse::Cluster& cluster() { return *cluster_; }

 private:
  explicit ClickHouseStorage(std::unique_ptr<clickhouse::Cluster> cluster)
      : cluster_(std::move(cluster)) {}

  std::unique_ptr<clickhouse::Cluster> cluster_;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_STORAGE_CLICKHOUSE_STORAGE_H_
