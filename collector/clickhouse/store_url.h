// Where the collector keeps its data, as `--store URL` names it (docs/SCALE-OUT.md):
//
//   sqlite:PATH                                        the embedded default (`--db PATH`)
//   clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE[?cluster=NAME]
//
//   Result<StoreUrl> store = ParseStoreUrl("clickhouse://10.0.0.1:8123,10.0.0.2:8123/telemetry"
//                                          "?cluster=telemetry");
//   if (store->kind == StoreUrl::Kind::kClickHouse) ... store->hosts ...
//
// ClickHouse ports are HTTP ports (8123 when left out). Several hosts are the shards, in shard
// order, and then `cluster=` must name the `remote_servers` cluster of the servers' own config
// that the Distributed tables use; one host may name one too. Bad input: InvalidArgument saying
// what is wrong and what a good URL looks like.
#ifndef TELEMETRY_COLLECTOR_CLICKHOUSE_STORE_URL_H_
#define TELEMETRY_COLLECTOR_CLICKHOUSE_STORE_URL_H_

#include <string>
#include <string_view>
#include <vector>

#include "collector/clickhouse/client.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

struct StoreUrl {
  enum class Kind { kSqlite, kClickHouse };
  Kind kind = Kind::kSqlite;
  std::string sqlite_path;                  // kSqlite
  std::vector<clickhouse::Endpoint> hosts;  // kClickHouse: the shards, in order
  std::string database;                     // kClickHouse
  std::string cluster;                      // kClickHouse: empty with one host and no cluster
  bool clickhouse() const { return kind == Kind::kClickHouse; }
  std::string ToString() const;  // The URL again, normalised.
};

Result<StoreUrl> ParseStoreUrl(std::string_view text);

// `--store` and its short form `--db PATH`: exactly one of them. InvalidArgument otherwise.
Result<StoreUrl> StoreUrlOf(const std::string& store, const std::string& db);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_CLICKHOUSE_STORE_URL_H_
