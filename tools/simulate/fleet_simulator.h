// A fleet of simulated accounts and devices on the real library, in simulated time.
//
// Every device is a real Telemetry instance with its own data directory and PingService: it
// records engagement probes, and its main pings go through the real uploader to a real
// collector. A simulated account server embeds the recorder server-side (seed 002) and records
// seed 001's account and device events (sign-up flows with sequence ids and times, logins on
// second devices, sync activity, aborted flows) into its `account-ecosystem` store, submitted as
// a daily `account-ecosystem` ping. All instances share one ManualClock.
//
// The simulator keeps its own record of every activity event it generated, from which the KPIs
// can be computed directly and compared with what the collector computes: by reference_kpis.h,
// an independent reading of KPI.md that shares no code with the collector.
#ifndef TELEMETRY_TOOLS_SIMULATE_FLEET_SIMULATOR_H_
#define TELEMETRY_TOOLS_SIMULATE_FLEET_SIMULATOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "telemetry/base/status.h"
#include "tools/simulate/reference_kpis.h"

namespace telemetry::simulate {

struct SimulationConfig {
  int users = 50;
  int days = 14;
  std::string collector_url;
  uint32_t seed = 1;
  std::string data_dir;   // Each device and the account server get a directory below it.
  int64_t first_day = 0;  // Days since 1970-01-01, UTC.
  std::function<void(int day, int days)> progress;
};

struct SimulationResult {
  int devices = 0;
  int64_t pings_delivered = 0;
  int64_t pings_pending = 0;              // Not delivered by the end (should be 0).
  std::vector<ActivityEvent> activity;    // What the account server recorded.
  std::vector<ReferenceKpiRow> expected;  // KPIs computed from `activity` (ReferenceKpis).
};

Result<SimulationResult> Simulate(const SimulationConfig& config);

}  // namespace telemetry::simulate

#endif  // TELEMETRY_TOOLS_SIMULATE_FLEET_SIMULATOR_H_
