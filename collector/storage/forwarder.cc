#include "collector/storage/forwarder.h"

#include <algorithm>

#include "telemetry/base/clock.h"

namespace telemetry::collector {

Forwarder::Forwarder(Spool* spool, SpoolSink* sink, ForwarderOptions options)
    : spool_(spool), sink_(sink), options_(std::move(options)), thread_([this] { Run(); }) {}

Forwarder::~Forwarder() { Stop(); }

void Forwarder::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ForwarderHealth Forwarder::Health() const {
  std::lock_guard lock(mutex_);
  ForwarderHealth health = health_;
  health.pending = spool_->pending();
  health.max_records = spool_->max_records();
  if (attempting_) {
    health.waiting_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - attempt_started_)
                            .count();
  }
  return health;
}

void Forwarder::Log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

void Forwarder::Run() {
  while (true) {
    const bool full = Round();
    std::unique_lock lock(mutex_);
    if (stopping_) break;
    const std::chrono::milliseconds pause =
        !health_.remote_up ? backoff_ : (full ? std::chrono::milliseconds(0) : options_.interval);
    if (pause.count() > 0) wake_.wait_for(lock, pause, [this] { return stopping_; });
    if (stopping_) break;
  }
  // The last attempt: empty the spool while the remote store takes it and time is left.
  const auto deadline = std::chrono::steady_clock::now() + options_.drain_timeout;
  while (std::chrono::steady_clock::now() < deadline && spool_->pending() > 0) {
    Round();
    std::lock_guard lock(mutex_);
    if (!health_.remote_up) break;
  }
}

bool Forwarder::Round() {
  Result<SpoolBatch> batch =
      spool_->ReadBatch(options_.max_batch_documents, options_.max_batch_bytes);
  if (!batch.ok()) {
    Failed(Status(batch.status().code(), "reading the spool: " + batch.status().message()));
    return false;
  }
  if (batch->empty()) return false;
  {
    std::lock_guard lock(mutex_);
    attempting_ = true;
    attempt_started_ = std::chrono::steady_clock::now();
  }
  const Status forwarded = sink_->Forward(spool_->instance_id(), *batch);
  {
    std::lock_guard lock(mutex_);
    attempting_ = false;
  }
  if (!forwarded.ok()) {
    Failed(forwarded);
    return false;
  }
  // Forwarded: from here a crash only means sending this batch again.
  if (Status s = spool_->Forget(*batch); !s.ok()) {
    Failed(Status(s.code(), "forgetting forwarded records in the spool: " + s.message()));
    return false;
  }
  Succeeded(*batch);
  return batch->documents.size() >= options_.max_batch_documents;
}

void Forwarder::Failed(const Status& status) {
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    first = health_.remote_up;
    health_.remote_up = false;
    health_.last_error = status.message();
    if (first) health_.down_since_ms = SystemClock().NowMillis();
    backoff_ = first ? options_.min_backoff : std::min(backoff_ * 2, options_.max_backoff);
  }
  if (first) {
    Log("forward: cannot forward (" + status.message() + "); " + std::to_string(spool_->pending()) +
        " records wait in the spool, retrying");
  }
}

void Forwarder::Succeeded(const SpoolBatch& batch) {
  bool recovered = false;
  {
    std::lock_guard lock(mutex_);
    recovered = !health_.remote_up;
    health_.remote_up = true;
    health_.down_since_ms = 0;
    health_.forwarded_records += static_cast<int64_t>(batch.records());
    health_.forwarded_rows += static_cast<int64_t>(batch.Rows());
    ++health_.batches;
  }
  if (recovered) {
    Log("forward: forwarding again; " + std::to_string(spool_->pending()) +
        " records wait in the spool");
  }
}

}  // namespace telemetry::collector
