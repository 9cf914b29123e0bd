#include "collector/clickhouse/cluster.h"

#include "collector/clickhouse/tsv.h"

namespace telemetry::collector::clickhouse {

Result<std::unique_ptr<Cluster>> Cluster::Connect(const StoreUrl& url,
                                                  std::chrono::milliseconds timeout) {
  if (!url.clickhouse() || url.hosts.empty()) {
    return Status::InvalidArgument("not a clickhouse:// store: " + url.ToString());
  }
  std::unique_ptr<Cluster> cluster(new Cluster(url));
  for (const Endpoint& host : url.hosts) {
    cluster->clients_.push_back(std::make_unique<ClickHouseClient>(host, url.database, timeout));
    Result<std::string> version =
        cluster->clients_.back()->QueryWithoutDatabase("SELECT version() FORMAT TabSeparated");
    if (!version.ok()) return version.status();
  }
  if (url.cluster.empty()) return cluster;
  Result<std::string> shards = cluster->coordinator().QueryWithoutDatabase(
      "SELECT count(DISTINCT shard_num) FROM system.clusters WHERE cluster = " +
      SqlQuote(url.cluster) + " FORMAT TabSeparated");
  if (!shards.ok()) return shards.status();
  const std::string count = shards->substr(0, shards->find('\n'));
  if (count == "0") {
    return Status::FailedPrecondition("ClickHouse at " + url.hosts[0].ToString() +
                                      " has no cluster '" + url.cluster +
                                      "' in its remote_servers config");
  }
  if (count != std::to_string(url.hosts.size())) {
    return Status::FailedPrecondition("cluster '" + url.cluster + "' has " + count +
                                      " shards in the servers' config, the URL names " +
                                      std::to_string(url.hosts.size()) + " hosts");
  }
  return cluster;
}

int Cluster::ShardOf(std::string_view key, int shards) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return static_cast<int>(hash % static_cast<uint64_t>(shards));
}

int Cluster::ShardOf(std::string_view key) const { return ShardOf(key, shards()); }

std::string Cluster::Across(const std::string& table) const {
  return url_.cluster.empty() ? Local(table) : table;
}

}  // namespace telemetry::collector::clickhouse
