#include "collector/http/metrics.h"

#include <cstdio>

namespace telemetry::collector {
namespace {

std::string Number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.9g", value);
  return buffer;
}

}  // namespace

Metrics::Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1) {}

void Metrics::Histogram::Observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(value * 1e6), std::memory_order_relaxed);
}

void Metrics::Histogram::Render(std::string_view name, std::string_view help,
                                std::string* out) const {
  const std::string n(name);
  *out += "# HELP " + n + " " + std::string(help) + "\n# TYPE " + n + " histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    const std::string le = i < bounds_.size() ? Number(bounds_[i]) : "+Inf";
    *out += n + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  *out += n + "_sum " + Number(static_cast<double>(sum_micros_.load()) / 1e6) + "\n";
  *out += n + "_count " + std::to_string(count_.load()) + "\n";
}

Metrics::Metrics()
    : ingest_seconds_({0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}),
      batch_sizes_({1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096}) {}

void Metrics::CountRequest(int http_status) {
  std::lock_guard lock(mutex_);
  ++requests_[http_status];
}

void Metrics::CountRejection(std::string_view reason) {
  std::lock_guard lock(mutex_);
  auto it = rejections_.find(reason);
  if (it == rejections_.end()) it = rejections_.emplace(std::string(reason), 0).first;
  ++it->second;
}

void Metrics::AddBytesIn(uint64_t bytes) { bytes_in_.fetch_add(bytes, std::memory_order_relaxed); }
void Metrics::AddOpenConnections(int64_t delta) {
  open_connections_.fetch_add(delta, std::memory_order_relaxed);
}
void Metrics::ObserveIngestSeconds(double seconds) { ingest_seconds_.Observe(seconds); }
void Metrics::ObserveCommitBatch(size_t records) {
  batch_sizes_.Observe(static_cast<double>(records));
}
void Metrics::CountStored(bool duplicate) {
  (duplicate ? duplicates_ : stored_).fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::RenderPrometheus() const {
  std::string out;
  {
    std::lock_guard lock(mutex_);
    out += "# HELP collector_requests_total HTTP responses by status.\n";
    out += "# TYPE collector_requests_total counter\n";
    for (const auto& [status, count] : requests_) {
      out += "collector_requests_total{status=\"" + std::to_string(status) + "\"} " +
             std::to_string(count) + "\n";
    }
    out += "# HELP collector_rejections_total Refused requests by reason.\n";
    out += "# TYPE collector_rejections_total counter\n";
    for (const auto& [reason, count] : rejections_) {
      out +=
          "collector_rejections_total{reason=\"" + reason + "\"} " + std::to_string(count) + "\n";
    }
  }
  out += "# HELP collector_bytes_in_total Request body bytes received.\n";
  out += "# TYPE collector_bytes_in_total counter\n";
  out += "collector_bytes_in_total " + std::to_string(bytes_in_.load()) + "\n";
  out += "# HELP collector_open_connections Connections open now.\n";
  out += "# TYPE collector_open_connections gauge\n";
  out += "collector_open_connections " + std::to_string(open_connections_.load()) + "\n";
  out += "# HELP collector_pings_stored_total Pings stored.\n";
  out += "# TYPE collector_pings_stored_total counter\n";
  out += "collector_pings_stored_total " + std::to_string(stored_.load()) + "\n";
  out += "# HELP collector_pings_duplicate_total Pings acknowledged as already stored.\n";
  out += "# TYPE collector_pings_duplicate_total counter\n";
  out += "collector_pings_duplicate_total " + std::to_string(duplicates_.load()) + "\n";
  ingest_seconds_.Render("collector_ingest_seconds",
                         "Time from a submission's arrival to its answer.", &out);
  batch_sizes_.Render("collector_commit_batch_size", "Records per storage transaction.", &out);
  return out;
}

}  // namespace telemetry::collector
