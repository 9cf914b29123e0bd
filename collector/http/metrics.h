// Metrics: the collector's counters and histograms, rendered in the Prometheus text format
// (GET /metrics).
//
//   collector_requests_total{status}        responses by HTTP status
//   collector_rejections_total{reason}      refused requests by reason (ingest/reasons.h)
//   collector_bytes_in_total                request body bytes received
//   collector_open_connections              gauge: connections open now
//   collector_ingest_seconds                histogram: submission received to answered
//   collector_commit_batch_size             histogram: records per storage transaction
//   collector_pings_stored_total, collector_pings_duplicate_total
//
// Thread safety: every method may be called from any thread.
#ifndef TELEMETRY_COLLECTOR_HTTP_METRICS_H_
#define TELEMETRY_COLLECTOR_HTTP_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace telemetry::collector {

class Metrics {
 public:
  Metrics();

  void CountRequest(int http_status);
  void CountRejection(std::string_view reason);
  void AddBytesIn(uint64_t bytes);
  void AddOpenConnections(int64_t delta);
  void ObserveIngestSeconds(double seconds);
  void ObserveCommitBatch(size_t records);
  void CountStored(bool duplicate);

  std::string RenderPrometheus() const;

 private:
  class Histogram {
   public:
    explicit Histogram(std::vector<double> bounds);
    void Observe(double value);
    void Render(std::string_view name, std::string_view help, std::string* out) const;

   private:
    std::vector<double> bounds_;
    std::vector<std::atomic<uint64_t>> buckets_;  // one per bound, plus +Inf
    std::atomic<uint64_t> count_{0};
    std::atomic<uint64_t> sum_micros_{0};  // sum of observations × 1e6
  };

  mutable std::mutex mutex_;
  std::map<int, uint64_t> requests_;
  std::map<std::string, uint64_t, std::less<>> rejections_;
  std::atomic<uint64_t> bytes_in_{0};
  std::atomic<int64_t> open_connections_{0};
  std::atomic<uint64_t> stored_{0};
  std::atomic<uint64_t> duplicates_{0};
  Histogram ingest_seconds_;
  Histogram batch_sizes_;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_HTTP_METRICS_H_
