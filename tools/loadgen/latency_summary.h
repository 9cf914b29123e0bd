// Summarize: the percentiles a load run reports, by nearest rank.
//
//   LatencySummary s = Summarize({1.0f, 2.0f, 3.0f});   // s.p50 == 2, s.max == 3
//
// An empty input gives count 0 and zeros. Pure function.
#ifndef TELEMETRY_TOOLS_LOADGEN_LATENCY_SUMMARY_H_
#define TELEMETRY_TOOLS_LOADGEN_LATENCY_SUMMARY_H_

#include <cstddef>
#include <vector>

namespace telemetry::loadgen {

struct LatencySummary {
  size_t count = 0;
  double p50 = 0, p99 = 0, p999 = 0, max = 0;  // milliseconds
};

LatencySummary Summarize(std::vector<float> latencies_ms);

}  // namespace telemetry::loadgen

#endif  // TELEMETRY_TOOLS_LOADGEN_LATENCY_SUMMARY_H_
