#include "collector/collector_service.h"

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
  server_.reset();
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
  Result<std::unique_ptr<Storage>> storage =
      OpenSqliteStorage(s.config_.db_path, {.sync_every_commit = s.config_.sync_every_commit,
                                            .busy_timeout_ms = s.config_.storage_busy_timeout_ms});
  if (!storage.ok()) return storage.status();
  s.storage_ = std::move(*storage);
  GroupCommitOptions commit_options;
  commit_options.max_queued = s.config_.max_queued_records;
  Metrics* metrics = &s.metrics_;
  commit_options.on_commit = [metrics](size_t records) { metrics->ObserveCommitBatch(records); };
  s.committer_ = std::make_unique<GroupCommitter>(s.storage_.get(), std::move(commit_options));
  s.ingester_ = std::make_unique<Ingester>(&s.hasher_, s.schema_.get(), s.config_.ingest);
  const Clock* clock = s.config_.clock != nullptr ? s.config_.clock : &DefaultClock();
  s.server_ = std::make_unique<HttpServer>(s.config_.server, &s.metrics_, clock, s.ingester_.get(),
                                           s.committer_.get());
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
}

void CollectorService::Stop() { server_->Stop(); }

}  // namespace telemetry::collector
