// The ClickHouse servers of one `clickhouse://` store URL: one client per shard, which shard an
// account lives on, and the names to read the whole cluster through.
//
//   Result<std::unique_ptr<Cluster>> cluster = Cluster::Connect(*url);   // Checks every host.
//   Status s = EnsureSchema(**cluster, hasher.Fingerprint());           // schema.h
//   (*cluster)->shard((*cluster)->ShardOf(uid)).Insert("activity_events_local", ...);
//   (*cluster)->coordinator().Query("SELECT count() FROM " + (*cluster)->Across("pings"));
//
// Rows are placed by the collector itself, each into its shard's local table (`<name>_local`):
// no insert goes through a Distributed table, so an insert that succeeded is on its shard's
// disk. Reads of the whole cluster go through the Distributed table `<name>` (with a
// `cluster=`) on the coordinator, shard 0, which also holds the KPI tables.
//
// Thread-compatible: one thread at a time (each client keeps one connection).
#ifndef TELEMETRY_COLLECTOR_CLICKHOUSE_CLUSTER_H_
#define TELEMETRY_COLLECTOR_CLICKHOUSE_CLUSTER_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collector/clickhouse/client.h"
#include "collector/clickhouse/store_url.h"
#include "telemetry/base/status.h"

namespace telemetry::collector::clickhouse {

class Cluster {
 public:
  // Connects to every host and checks that it answers, and that `cluster=` (if given) is a
  // cluster of as many shards as the URL has hosts. Unavailable when a host cannot be reached,
  // FailedPrecondition for a cluster that does not match.
  // Every request of the cluster's clients fails after `timeout` (a hung server is a down one).
  static Result<std::unique_ptr<Cluster>> Connect(
      const StoreUrl& url, std::chrono::milliseconds timeout = std::chrono::minutes(10));

  int shards() const { return static_cast<int>(clients_.size()); }
  ClickHouseClient& shard(int i) { return *clients_[i]; }
  ClickHouseClient& coordinator() { return *clients_[0]; }
  const StoreUrl& url() const { return url_; }

  // The shard of a placement key: the account's HMACed uid, or, for rows without one, the
  // document id (or import key). FNV-1a of the key modulo the shard count: every collector
  // instance, of any version, places a key on the same shard.
  int ShardOf(std::string_view key) const;
  static int ShardOf(std::string_view key, int shards);

  // What to read the whole cluster's `table` through: the Distributed table, or the local
  // table itself for a single host without a cluster.
  std::string Across(const std::string& table) const;
  static std::string Local(const std::string& table) { return table + "_local"; }

 private:
  explicit Cluster(StoreUrl url) : url_(std::move(url)) {}

  StoreUrl url_;
  std::vector<std::unique_ptr<ClickHouseClient>> clients_;
};

}  // namespace telemetry::collector::clickhouse

#endif  // TELEMETRY_COLLECTOR_CLICKHOUSE_CLUSTER_H_
