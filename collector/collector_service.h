// CollectorService: the ingestion server assembled: storage, group committer, ingester, metrics
// and HTTP server. `telemetry-collector serve` runs one; tests start one in-process.
//
// Lifecycle: Create() opens the database, loads the Glean schema and binds the port; Run()
// serves until Stop(), then finishes the requests in flight, commits everything queued, closes
// storage and returns. Stop() may be called from any thread at any time, also before Run().
// Destroying the service before Run() returned (on another thread) is a bug.
#ifndef TELEMETRY_COLLECTOR_COLLECTOR_SERVICE_H_
#define TELEMETRY_COLLECTOR_COLLECTOR_SERVICE_H_

#include <memory>
#include <optional>
#include <string>

#include "collector/clickhouse/store_url.h"
#include "collector/http/metrics.h"
#include "collector/http/server.h"
#include "collector/ingest/ingester.h"
#include "collector/privacy/id_hasher.h"
#include "collector/storage/forwarder.h"
#include "telemetry/base/clock.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

struct CollectorConfig {
  std::string db_path;  // The SQLite store; unused with `clickhouse`.
  // A ClickHouse store (docs/SCALE-OUT.md): submissions are acknowledged once durable in the
  // spool at `spool_path` and forwarded in batches; /health reports the forwarding.
  std::optional<StoreUrl> clickhouse;
  std::string spool_path;
  int64_t spool_max_records = 1000000;  // SpoolOptions::max_records: past it, 503
  ForwarderOptions forward;
  std::string glean_schema_path;  // Empty: the built-in Glean rules (glean_rules.h).
  ServerOptions server;
  IngestOptions ingest;
  bool sync_every_commit = true;        // SqliteOptions::sync_every_commit
  size_t max_queued_records = 20000;    // GroupCommitOptions::max_queued: past it, 503
  int storage_busy_timeout_ms = 10000;  // SqliteOptions::busy_timeout_ms
  const Clock* clock = nullptr;         // Null: the wall clock. Must outlive the service.
};

class ClickHouseStorage;

class CollectorService {
 public:
  static Result<std::unique_ptr<CollectorService>> Create(CollectorConfig config, IdHasher hasher);
  ~CollectorService();

  int port() const { return port_; }
  // Serves `handler` beside ingestion (HttpServer::AddRoute). Before Run().
  void AddRoute(std::string prefix, RouteHandler handler);
  const Metrics& metrics() const { return metrics_; }
  // With a ClickHouse store: the forwarder's state (else nullopt).
  std::optional<ForwarderHealth> forwarding() const;

  void Run();
  void Stop();

 private:
  CollectorService(CollectorConfig config, IdHasher hasher);
  Status OpenStorage();  // Sets committed_to_.

  CollectorConfig config_;
  IdHasher hasher_;
  std::unique_ptr<GleanSchema> schema_;
  std::unique_ptr<Storage> storage_;  // SQLite, or nothing with a spool
  std::unique_ptr<ClickHouseStorage> remote_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<Forwarder> forwarder_;  // Stops before the spool and remote_ go.
  Storage* committed_to_ = nullptr;       // What the group committer writes.
  Metrics metrics_;
  std::unique_ptr<GroupCommitter> committer_;
  std::unique_ptr<Ingester> ingester_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_COLLECTOR_SERVICE_H_
