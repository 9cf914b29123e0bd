// The daily account and device KPIs of ../shared/KPI.md, computed incrementally: one day at a
// time, in day order, each day costing O(its events + the users it touches).
//
//   KpiEngine engine;
//   KpiRow row = engine.AddDay(day, events);         // Days in increasing order.
//   Result<std::string> state = engine.SaveState();  // Later: RestoreState(*state), go on.
//
// Ids are interned once to dense integers (per engine), and per-user state lives in flat
// vectors: no allocation per event. State carried from day to day (the pattern of Mozilla's
// *_last_seen tables, kept as the last day rather than a shifted bitmap): per user, the last day
// it was active and the last day it was a multi-device user, and its devices' last days; per day
// of the 28-day window (a ring), how many users have that day as their last active (and last
// multi-device) day. WAU and MAU are then sums over 7 and 28 of those counters: exact distinct
// counts, no HyperLogLog.
//
// Not thread-safe.
#ifndef COLLECTOR_KPI_KPI_ENGINE_H_
#define COLLECTOR_KPI_KPI_ENGINE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collector/kpi/id_interner.h"
#include "telemetry/base/status.h"
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

// An event with its ids interned by one engine (KpiEngine::Compact) and its type classified.
struct CompactEvent {
  static constexpr uint32_t kNone = UINT32_MAX;
  enum Flags : uint8_t {
    kActivity = 1,       // Its type counts as activity.
    kSequenceBegin = 2,  // sequence.begin of the connect service.
    kConnected = 4,      // device.connected of the connect service.
    kNewUser = 8,
    kHasSeqTime = 16,
  };
  int64_t seq_time_ms = 0;
  uint32_t user = kNone;
  uint32_t device = kNone;
  uint8_t flags = 0;
};

class KpiEngine {
 public:
  explicit KpiEngine(KpiConfig config = {}) : config_(std::move(config)) {}

  // Folds in the events of `day` (all of them, any order; events of other days are ignored)
  // and returns that day's KPIs. Days must come in increasing order; a skipped day counts as a
  // day without activity.
  KpiRow AddDay(Day day, const std::vector<ActivityEvent>& events);
  // The same for events already compacted by this engine, all of them on `day`.
  KpiRow AddCompactDay(Day day, std::span<const CompactEvent> events);

  // Interns the ids and classifies the type; the views need only live for the call. Any event
  // with a uid gets its user id; only activity gets a device id.
  CompactEvent Compact(std::string_view type, const std::string_view* uid,
                       const std::string_view* device, bool new_user, const int64_t* seq_time_ms,
                       const std::string_view* service);

  std::optional<Day> last_day() const { return last_day_; }
  // The uid of a user id that Compact gave (any event with a uid has one).
  std::string_view UserName(uint32_t user) const { return user_ids_.Name(user); }
  // A hint that an event of these ids comes soon (a few events ahead): Compact then finds them
  // in the cache.
  void Prefetch(std::string_view uid, std::string_view device) const {
    user_ids_.Prefetch(uid);
    device_ids_.Prefetch(device);
  }
  // Whether `uid` was a multi-device user on the last day added.
  bool MultiDeviceOnLastDay(const std::string& uid) const;
  // Users some later day's window can still reach (what SaveState keeps).
  size_t RememberedUsers() const;

  // The state, for saving between runs (compact: zstd of varints, only the users a later
  // window can reach) and restoring into a fresh engine.
  Result<std::string> SaveState() const;
  Status RestoreState(std::string_view bytes);

 private:
  struct DeviceSlot {
    uint32_t device;
    Day last;
  };
  struct User {
    Day last_active = INT32_MIN;
    Day last_multi_device = INT32_MIN;
    Day device_today = INT32_MIN;  // Last day with an event carrying a device.
    std::vector<DeviceSlot> devices;
  };
  static constexpr int kRing = 28;

  uint8_t TypeFlags(std::string_view type, bool connect_service);
  void Advance(Day day);
  void Count(std::array<int64_t, kRing>& ring, Day from, Day to);
  void FoldEvents(Day day, std::span<const CompactEvent> events, KpiRow& row);
  void TouchUser(Day day, Day window_start, User& user, KpiRow& row);
  Status RestoreUser(class StateReader& in, Day last);
  int64_t Sum(const std::array<int64_t, kRing>& ring, Day day, int days) const;
  bool Remembered(const User& user) const;

  KpiConfig config_;
  std::optional<Day> last_day_;
  IdInterner user_ids_, device_ids_;
  struct TypeFlagsEntry {
    std::string type;
    bool connect_service;
    uint8_t flags;
  };
  std::vector<TypeFlagsEntry> type_flags_;  // The few types seen, most recent first.
  std::vector<User> users_;
  std::array<int64_t, kRing> last_active_count_{};  // Index: day mod 28.
  std::array<int64_t, kRing> last_md_count_{};
  std::vector<uint32_t> active_;  // Today's active users (scratch).
  std::vector<double> ttc_new_, ttc_existing_;
  std::vector<CompactEvent> compact_;
  std::vector<int64_t> recent_dau_;  // The last 7 DAU and md_dau, oldest first.
  std::vector<int64_t> recent_md_dau_;
};

}  // namespace telemetry::collector::kpi

#endif  // COLLECTOR_KPI_KPI_ENGINE_H_
