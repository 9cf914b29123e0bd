#include "collector/clickhouse/schema.h"

#include <utility>
#include <vector>

#include "collector/clickhouse/tsv.h"

namespace telemetry::collector::clickhouse {

const char kPingColumns[] =
    "document_id, namespace, doc_type, doc_version, uri, received_ms, submission_date, "
    "content_type, content_encoding, redacted, body";
const char kActivityColumns[] =
    "day, event_key, document_id, timestamp, seqId, seqTime, type, uid, deviceId, newUser, "
    "userAgentBrowser, userAgentVersion, userAgentOS, service, context, entrypoint, campaign, "
    "migration, sample_id, import_key";
const char kScalarColumns[] = "day, document_id, row, process, probe, key, kind, value";
const char kRejectionColumns[] =
    "day, instance, id, received_ms, path, http_status, reason, detail, headers, body";

namespace {

// name, columns and engine of each local table. `day` is days since 1970-01-01 UTC (an Int32,
// so no timestamp can fall outside a Date's range); uid and deviceId are '' for NULL (they are
// 64-hex HMACs otherwise, never empty), as sorting keys cannot be Nullable.
const std::vector<std::pair<const char*, const char*>>& LocalTables() {
  static const std::vector<std::pair<const char*, const char*>> tables = {
      {"pings",
       "(document_id String, namespace String, doc_type String, doc_version String, uri String, "
       "received_ms Int64, submission_date String, content_type String, "
       "content_encoding String, redacted UInt8, body String) "
       "ENGINE = ReplacingMergeTree PARTITION BY submission_date ORDER BY document_id"},
      {"activity_events",
       "(day Int32, event_key String, document_id Nullable(String), timestamp Int64, "
       "seqId Nullable(String), seqTime Nullable(Int64), type String, uid String, "
       "deviceId String, newUser UInt8, userAgentBrowser Nullable(String), "
       "userAgentVersion Nullable(String), userAgentOS Nullable(String), "
       "service Nullable(String), context Nullable(String), entrypoint Nullable(String), "
       "campaign Nullable(String), migration Nullable(String), sample_id Nullable(Int32), "
       "import_key Nullable(String)) "
       "ENGINE = ReplacingMergeTree PARTITION BY day ORDER BY (uid, event_key)"},
      {"scalars",
       "(day Int32, document_id String, row UInt32, process String, probe String, "
       "key Nullable(String), kind String, value String) "
       "ENGINE = ReplacingMergeTree PARTITION BY day ORDER BY (document_id, row)"},
      {"rejections",
       "(day Int32, instance String, id Int64, received_ms Int64, path String, "
       "http_status Int32, reason String, detail String, headers String, body String) "
       "ENGINE = ReplacingMergeTree PARTITION BY day ORDER BY (instance, id)"},
  };
  return tables;
}

Result<std::string> ReadMeta(ClickHouseClient& shard, const std::string& key) {
  Result<std::string> out =
      shard.Query("SELECT value FROM telemetry_meta FINAL WHERE key = " + SqlQuote(key) +
                  " FORMAT TabSeparated");
  if (!out.ok()) return out.status();
  Result<std::vector<TsvRow>> rows = ParseTsv(*out);
  if (!rows.ok()) return rows.status();
  if (rows->empty() || rows->front().empty() || !rows->front()[0]) return std::string();
  return *rows->front()[0];
}

// The stored value of `key`, or `value` stored now when there is none; FailedPrecondition
// naming `what` when they differ.
Status CheckOrRecord(ClickHouseClient& shard, const std::string& key, const std::string& value,
                     const std::string& what) {
  Result<std::string> stored = ReadMeta(shard, key);
  if (!stored.ok()) return stored.status();
  if (stored->empty()) {
    TsvWriter row;
    row.Text(key).Text(value).EndRow();
    return shard.Insert("telemetry_meta", "key, value", row.data());
  }
  if (*stored == value) return Status::Ok();
  return Status::FailedPrecondition("the ClickHouse database on " + shard.endpoint().ToString() +
                                    " " + what + " (stored " + *stored + ", this collector " +
                                    value + ")");
}

Status EnsureShard(Cluster& cluster, int i, const std::string& key_fingerprint) {
  ClickHouseClient& shard = cluster.shard(i);
  const StoreUrl& url = cluster.url();
  if (Result<std::string> r =
          shard.QueryWithoutDatabase("CREATE DATABASE IF NOT EXISTS " + url.database);
      !r.ok()) {
    return r.status();
  }
  if (Result<std::string> r =
          shard.Query("CREATE TABLE IF NOT EXISTS telemetry_meta (key String, value String) "
                      "ENGINE = ReplacingMergeTree ORDER BY key");
      !r.ok()) {
    return r.status();
  }
  if (Status s = CheckOrRecord(shard, "schema_version", std::to_string(kSchemaVersion),
                               "has another schema version");
      !s.ok()) {
    return s;
  }
  if (!key_fingerprint.empty()) {
    if (Status s = CheckOrRecord(shard, "key_fingerprint", key_fingerprint,
                                 "was written with another HMAC key: every collector instance "
                                 "must use the same --hmac-key-file");
        !s.ok()) {
      return s;
    }
  }
  for (const auto& [name, definition] : LocalTables()) {
    const std::string local = Cluster::Local(name);
    if (Result<std::string> r =
            shard.Query("CREATE TABLE IF NOT EXISTS " + local + " " + definition);
        !r.ok()) {
      return r.status();
    }
    if (url.cluster.empty()) continue;
    if (Result<std::string> r = shard.Query("CREATE TABLE IF NOT EXISTS " + std::string(name) +
                                            " AS " + local + " ENGINE = Distributed(" +
                                            url.cluster + ", " + url.database + ", " + local + ")");
        !r.ok()) {
      return r.status();
    }
  }
  return Status::Ok();
}

}  // namespace

Status EnsureSchema(Cluster& cluster, const std::string& key_fingerprint) {
  for (int i = 0; i < cluster.shards(); ++i) {
    if (Status s = EnsureShard(cluster, i, key_fingerprint); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace telemetry::collector::clickhouse
