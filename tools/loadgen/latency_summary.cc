#include "tools/loadgen/latency_summary.h"

#include <algorithm>
#include <cmath>

namespace telemetry::loadgen {

LatencySummary Summarize(std::vector<float> latencies_ms) {
  LatencySummary summary;
  summary.count = latencies_ms.size();
  if (latencies_ms.empty()) return summary;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  // Nearest rank: the smallest value with at least p of the values at or below it.
  auto rank = [&](double p) {
    const double n = static_cast<double>(latencies_ms.size());
    const size_t index = static_cast<size_t>(std::max(1.0, std::ceil(p * n))) - 1;
    return static_cast<double>(latencies_ms[index]);
  };
  summary.p50 = rank(0.5);
  summary.p99 = rank(0.99);
  summary.p999 = rank(0.999);
  summary.max = latencies_ms.back();
  return summary;
}

}  // namespace telemetry::loadgen
