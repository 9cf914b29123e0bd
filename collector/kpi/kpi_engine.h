// The daily account and device KPIs of ../shared/KPI.md, computed incrementally: one day at a
// time, in day order, each day costing O(its events + the users and devices it touches).
//
// State carried from day to day (the pattern of Mozilla's *_last_seen tables, kept as the last
// day rather than a shifted bitmap): per user, the last day it was active and the last day it
// was a multi-device user; per (user, device), the last day the device was active; per day,
// how many users have that day as their last active (and last multi-device) day. WAU and MAU
// are then sums over 7 and 28 of those counters: exact distinct counts, no HyperLogLog.
//
// Not thread-safe.
#ifndef COLLECTOR_KPI_KPI_ENGINE_H_
#define COLLECTOR_KPI_KPI_ENGINE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "telemetry/base/utc_date.h"

namespace telemetry::collector::kpi {

// Days since 1970-01-01 (UTC): telemetry::UtcDayOf, UtcDateOfDay and ParseUtcDate.
using Day = int32_t;

// One activity event, as the KPIs need it (ids already HMACed).
struct ActivityEvent {
  int64_t timestamp_ms = 0;
  std::string type;
  std::optional<std::string> uid;
  std::optional<std::string> device_id;
  bool new_user = false;
  std::optional<int64_t> seq_time_ms;
  std::optional<std::string> service;
};

struct KpiConfig {
  int multi_device_window_days = 6;  // D and the five days before it.
  // Event types that count as activity; empty: every type.
  std::set<std::string> activity_types;
  std::string connect_service = "sync";  // Time to connect and completion use this service.
};

struct KpiRow {
  Day day = 0;
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
  bool operator==(const KpiRow&) const = default;
};

// PERCENTILE_CONT: rank p * (n - 1) interpolated between neighbours of the sorted values.
std::optional<double> PercentileCont(std::vector<double> values, double p);

class KpiEngine {
 public:
  explicit KpiEngine(KpiConfig config = {}) : config_(std::move(config)) {}

  // Folds in the events of `day` (all of them, any order; events of other days are ignored)
  // and returns that day's KPIs. Days must come in increasing order; a skipped day counts as a
  // day without activity.
  KpiRow AddDay(Day day, const std::vector<ActivityEvent>& events);

  // The state, for saving between runs and restoring (see kpi_store.h).
  struct UserState {
    Day last_active = INT32_MIN;
    Day last_multi_device = INT32_MIN;
    std::map<std::string, Day> devices;  // Device -> last day active with this user.
  };
  const std::unordered_map<std::string, UserState>& users() const { return users_; }
  // Recent DAU and md_dau (for the 7-day means), oldest first, ending at last_day().
  const std::vector<int64_t>& recent_dau() const { return recent_dau_; }
  const std::vector<int64_t>& recent_md_dau() const { return recent_md_dau_; }
  std::optional<Day> last_day() const { return last_day_; }
  // The users that were multi-device users on the last day added.
  const std::unordered_set<std::string>& multi_device_users() const { return md_users_; }
  void Restore(Day last_day, std::unordered_map<std::string, UserState> users,
               std::vector<int64_t> recent_dau, std::vector<int64_t> recent_md_dau);

 private:
  bool IsActivity(const std::string& type) const {
    return config_.activity_types.empty() || config_.activity_types.count(type) > 0;
  }
  // Users whose last (multi-device) day is each day of the window; older days are dropped.
  int64_t CountSince(const std::map<Day, int64_t>& by_day, Day first) const;
  void Move(std::map<Day, int64_t>& by_day, Day from, Day to);
  void Prune(Day day);

  KpiConfig config_;
  std::optional<Day> last_day_;
  std::unordered_map<std::string, UserState> users_;
  std::map<Day, int64_t> last_active_count_;
  std::map<Day, int64_t> last_md_count_;
  std::map<Day, std::vector<std::string>> touched_on_;
  std::unordered_set<std::string> md_users_;  // Users active each day of the window.
  std::vector<int64_t> recent_dau_;
  std::vector<int64_t> recent_md_dau_;
};

}  // namespace telemetry::collector::kpi

#endif  // COLLECTOR_KPI_KPI_ENGINE_H_
