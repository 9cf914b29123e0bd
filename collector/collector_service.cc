#include "collector/collector_service.h"

#include "collector/storage/clickhouse_storage.h"
#include "collector/storage/sqlite_storage.h"
#include "telemetry/base/clock.h"

namespace telemetry::collector {
namespace {

const Clock& DefaultClock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace

CollectorService::CollectorService(CollectorConfig config, IdHasher hasher)
    : config_(std::move(config)), hasher_(std::move(hasher)) {}

CollectorService::~CollectorService() {
  if (server_ != nullptr) server_->Stop();
  // Commits still in flight answer connections of the server: finish them first.
  if (committer_ != nullptr) committer_->Shutdown();
  if (forwarder_ != nullptr) forwarder_->Stop();
  server_.reset();
}

namespace {

// The health of forwarding as a load balancer and a person read it: 200 while submissions are
// taken (into the spool, also while ClickHouse is down), 503 once the spool is full.
HttpResponse HealthOf(const ForwarderHealth& h) {
  HttpResponse response;
  const bool full = h.pending >= h.max_records;
  // An insert that hangs is not a failure yet, but it is not health either.
  const bool slow = h.waiting_ms >= 5000;
  response.status = full ? 503 : 200;
  response.body = full ? "spool full\n" : (h.remote_up && !slow ? "ok\n" : "degraded\n");
  response.body += std::string("clickhouse: ") + (h.remote_up ? "up" : "down");
  if (slow)
    response.body += " (an insert has waited " + std::to_string(h.waiting_ms / 1000) + " s)";
  if (!h.remote_up)
    response.body += " since " + std::to_string(h.down_since_ms) + ": " + h.last_error;
  response.body +=
      "\nspool: " + std::to_string(h.pending) + " of " + std::to_string(h.max_records) +
      " records waiting\nforwarded: " + std::to_string(h.forwarded_records) + " records, " +
      std::to_string(h.forwarded_rows) + " rows in " + std::to_string(h.batches) + " batches\n";
  if (full) response.headers.emplace_back("Retry-After", "5");
  return response;
}

}  // namespace

Status CollectorService::OpenStorage() {
  if (!config_.clickhouse) {
    Result<std::unique_ptr<Storage>> storage =
        OpenSqliteStorage(config_.db_path, {.sync_every_commit = config_.sync_every_commit,
                                            .busy_timeout_ms = config_.storage_busy_timeout_ms});
    if (!storage.ok()) return storage.status();
    storage_ = std::move(*storage);
    committed_to_ = storage_.get();
    return Status::Ok();
  }
  Result<std::unique_ptr<ClickHouseStorage>> remote =
      ClickHouseStorage::Open(*config_.clickhouse, hasher_.Fingerprint(),
                              // A hung server must not hold the forwarder (and a SIGTERM).
                              std::chrono::seconds(30));
  if (!remote.ok()) return remote.status();
  remote_ = std::move(*remote);
  Result<std::unique_ptr<Spool>> spool =
      Spool::Open(config_.spool_path, {.max_records = config_.spool_max_records,
                                       .sync_every_commit = config_.sync_every_commit,
                                       .busy_timeout_ms = config_.storage_busy_timeout_ms});
  if (!spool.ok()) return spool.status();
  spool_ = std::move(*spool);
  committed_to_ = &spool_->storage();
  forwarder_ = std::make_unique<Forwarder>(spool_.get(), remote_.get(), config_.forward);
  return Status::Ok();
}

std::optional<ForwarderHealth> CollectorService::forwarding() const {
  if (forwarder_ == nullptr) return std::nullopt;
  return forwarder_->Health();
}

Result<std::unique_ptr<CollectorService>> CollectorService::Create(CollectorConfig config,
                                                                   IdHasher hasher) {
  std::unique_ptr<CollectorService> service(
      new CollectorService(std::move(config), std::move(hasher)));
  CollectorService& s = *service;
  if (!s.config_.glean_schema_path.empty()) {
    Result<std::unique_ptr<GleanSchema>> schema = GleanSchema::Load(s.config_.glean_schema_path);
    if (!schema.ok()) return schema.status();
    s.schema_ = std::move(*schema);
  } else {
    s.schema_ = GleanSchema::BuiltIn();
  }
  if (Status opened = s.OpenStorage(); !opened.ok()) return opened;
  GroupCommitOptions commit_options;
  commit_options.max_queued = s.config_.max_queued_records;
  Metrics* metrics = &s.metrics_;
  commit_options.on_commit = [metrics](size_t records) { metrics->ObserveCommitBatch(records); };
  s.committer_ = std::make_unique<GroupCommitter>(s.committed_to_, std::move(commit_options));
  s.ingester_ = std::make_unique<Ingester>(&s.hasher_, s.schema_.get(), s.config_.ingest);
  const Clock* clock = s.config_.clock != nullptr ? s.config_.clock : &DefaultClock();
  s.server_ = std::make_unique<HttpServer>(s.config_.server, &s.metrics_, clock, s.ingester_.get(),
                                           s.committer_.get());
  if (s.forwarder_ != nullptr) {
    const Forwarder* forwarder = s.forwarder_.get();
    s.server_->AddRoute("/health",
                        [forwarder](const HttpRequest&) { return HealthOf(forwarder->Health()); });
  }
  Result<int> port = s.server_->Bind();
  if (!port.ok()) return port.status();
  s.port_ = *port;
  return service;
}

void CollectorService::AddRoute(std::string prefix, RouteHandler handler) {
  server_->AddRoute(std::move(prefix), std::move(handler));
}

void CollectorService::Run() {
  server_->Run();
  // Every request is answered; commit what they queued (nothing, normally) and stop writing.
  committer_->Shutdown();
  if (forwarder_ != nullptr) forwarder_->Stop();  // A last attempt to empty the spool.
}

void CollectorService::Stop() { server_->Stop(); }

}  // namespace telemetry::collector
