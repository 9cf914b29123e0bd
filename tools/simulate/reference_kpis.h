// The KPIs of ../shared/KPI.md computed a second time, independently of the collector: a plain,
// set-based reading of the text (one set of users and of (user, device) pairs per day, brute
// force over every window), sharing no code with collector/kpi. The fleet simulator's expected
// table comes from here, so the end-to-end comparison checks the collector's definitions, not
// only its plumbing. Slow on purpose (each day rescans its windows): for demo-sized records.
//
// Pure functions: thread-safe.
#ifndef TELEMETRY_TOOLS_SIMULATE_REFERENCE_KPIS_H_
#define TELEMETRY_TOOLS_SIMULATE_REFERENCE_KPIS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace telemetry::simulate {

// One activity event of the simulator's record: the columns of KPI.md's event table that
// the KPIs read.
struct ActivityEvent {
  int64_t timestamp_ms = 0;
  std::string type;
  std::optional<std::string> uid;
  std::optional<std::string> device_id;
  bool new_user = false;
  std::optional<int64_t> seq_time_ms;
  std::optional<std::string> service;
};

// One row of `telemetry-collector kpis`; nullopt is NULL.
struct ReferenceKpiRow {
  int64_t day = 0;  // Days since 1970-01-01, UTC.
  int64_t dau = 0, wau = 0, mau = 0;
  std::optional<double> engagement_ratio;
  int64_t md_dau = 0, md_mau = 0;
  std::optional<double> md_engagement_ratio;
  int64_t ttc_new_n = 0;
  std::optional<double> ttc_new_p25, ttc_new_p50, ttc_new_p75;
  int64_t ttc_existing_n = 0;
  std::optional<double> ttc_existing_p25, ttc_existing_p50, ttc_existing_p75;
  int64_t sequences_begun = 0, devices_connected = 0;
  std::optional<double> completion_rate;
};

// The rows of the days [first_day, last_day] from all of `events` (any order, any days: events
// before first_day fill the windows).
std::vector<ReferenceKpiRow> ReferenceKpis(const std::vector<ActivityEvent>& events,
                                           int64_t first_day, int64_t last_day);

// The rows as `telemetry-collector kpis` prints them: KPI.md's header line, then one line per
// row; numbers with 10 significant digits, NULL as an empty field.
std::string ReferenceKpisCsv(const std::vector<ReferenceKpiRow>& rows);

}  // namespace telemetry::simulate

#endif  // TELEMETRY_TOOLS_SIMULATE_REFERENCE_KPIS_H_
