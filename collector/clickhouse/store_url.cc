#include "collector/clickhouse/store_url.h"

#include <algorithm>
#include <cctype>

namespace telemetry::collector {
namespace {

constexpr const char kShape[] =
    " (expected sqlite:PATH or clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE[?cluster=NAME])";

Status Bad(const std::string& what) { return Status::InvalidArgument(what + kShape); }

// ClickHouse identifiers the collector writes unquoted.
bool IsName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

Result<clickhouse::Endpoint> ParseHost(std::string_view text) {
  clickhouse::Endpoint endpoint;
  const size_t colon = text.rfind(':');
  endpoint.host = std::string(text.substr(0, colon));
  if (colon != std::string_view::npos) {
    const std::string_view port = text.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Bad("'" + std::string(port) + "' is not a port");
    }
    endpoint.port = std::stoi(std::string(port));
    if (endpoint.port == 0 || endpoint.port > 65535) {
      return Bad("port " + std::string(port) + " is out of range");
    }
  }
  const bool host_ok =
      !endpoint.host.empty() && std::all_of(endpoint.host.begin(), endpoint.host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
      });
  if (!host_ok) return Bad("'" + std::string(text) + "' is not HOST:PORT");
  return endpoint;
}

Result<StoreUrl> ParseClickHouse(std::string_view rest) {
  StoreUrl url;
  url.kind = StoreUrl::Kind::kClickHouse;
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return Bad("the URL names no database");
  std::string_view hosts = rest.substr(0, slash);
  std::string_view path = rest.substr(slash + 1);
  std::string_view query;
  if (size_t q = path.find('?'); q != std::string_view::npos) {
    query = path.substr(q + 1);
    path = path.substr(0, q);
  }
  while (true) {
    const size_t comma = hosts.find(',');
    Result<clickhouse::Endpoint> host = ParseHost(hosts.substr(0, comma));
    if (!host.ok()) return host.status();
    for (const clickhouse::Endpoint& seen : url.hosts) {
      if (seen.host == host->host && seen.port == host->port) {
        return Bad(host->ToString() + " is named twice");
      }
    }
    url.hosts.push_back(std::move(*host));
    if (comma == std::string_view::npos) break;
    hosts = hosts.substr(comma + 1);
  }
  if (!IsName(path)) {
    return Bad("'" + std::string(path) + "' is not a database name (letters, digits, _)");
  }
  url.database = std::string(path);
  if (!query.empty()) {
    if (query.substr(0, 8) != "cluster=") {
      return Bad("unknown parameter '" + std::string(query) + "'");
    }
    url.cluster = std::string(query.substr(8));
    if (!IsName(url.cluster)) return Bad("'" + url.cluster + "' is not a cluster name");
  }
  if (url.hosts.size() > 1 && url.cluster.empty()) {
    return Bad("several hosts are shards of a cluster: name it with ?cluster=NAME");
  }
  return url;
}

}  // namespace

std::string StoreUrl::ToString() const {
  if (kind == Kind::kSqlite) return "sqlite:" + sqlite_path;
  std::string out = "clickhouse://";
  for (size_t i = 0; i < hosts.size(); ++i) out += (i ? "," : "") + hosts[i].ToString();
  out += "/" + database;
  if (!cluster.empty()) out += "?cluster=" + cluster;
  return out;
}

Result<StoreUrl> ParseStoreUrl(std::string_view text) {
  if (text.substr(0, 13) == "clickhouse://") return ParseClickHouse(text.substr(13));
  if (text.substr(0, 7) == "sqlite:") {
    StoreUrl url;
    url.sqlite_path = std::string(text.substr(7));
    if (url.sqlite_path.empty()) return Bad("sqlite: names no file");
    return url;
  }
  return Bad("'" + std::string(text.substr(0, 80)) + "' is not a store URL");
}

Result<StoreUrl> StoreUrlOf(const std::string& store, const std::string& db) {
  if (!store.empty() && !db.empty()) {
    return Status::InvalidArgument("give --store or --db, not both");
  }
  if (store.empty() && db.empty()) {
    return Status::InvalidArgument("give --store URL or --db PATH");
  }
  if (!db.empty()) return ParseStoreUrl("sqlite:" + db);
  return ParseStoreUrl(store);
}

}  // namespace telemetry::collector
