#include "tools/simulate/reference_kpis.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "telemetry/base/utc_date.h"

namespace telemetry::simulate {
namespace {

using Users = std::set<std::string>;
using UserDevice = std::pair<std::string, std::string>;

// What KPI.md's windows read of one day.
struct DayActivity {
  Users active_users;                         // A uid with an event of any type.
  std::set<UserDevice> active_devices;        // A deviceId on an event that carries a uid.
  int64_t sequences_begun = 0;                // service = 'sync' only.
  int64_t devices_connected = 0;              // service = 'sync' only.
  std::vector<double> ttc_new, ttc_existing;  // seconds, by newUser.
};

std::map<int64_t, DayActivity> ReadDays(const std::vector<ActivityEvent>& events) {
  std::map<int64_t, DayActivity> days;
  for (const ActivityEvent& e : events) {
    DayActivity& day = days[UtcDayOf(e.timestamp_ms)];
    if (e.uid) {
      day.active_users.insert(*e.uid);
      if (e.device_id) day.active_devices.insert({*e.uid, *e.device_id});
    }
    if (e.service != "sync") continue;
    if (e.type == "sequence.begin") ++day.sequences_begun;
    if (e.type == "device.connected") {
      ++day.devices_connected;
      if (e.seq_time_ms) {
        (e.new_user ? day.ttc_new : day.ttc_existing).push_back(*e.seq_time_ms / 1000.0);
      }
    }
  }
  return days;
}

class Reading {
 public:
  explicit Reading(const std::vector<ActivityEvent>& events) : days_(ReadDays(events)) {}

  const DayActivity& On(int64_t day) const {
    static const DayActivity kNothing;
    auto it = days_.find(day);
    return it == days_.end() ? kNothing : it->second;
  }

  // Distinct uids active on some day of [from, to].
  Users ActiveIn(int64_t from, int64_t to) const {
    Users users;
    for (int64_t day = from; day <= to; ++day) {
      users.insert(On(day).active_users.begin(), On(day).active_users.end());
    }
    return users;
  }

  // Users with an active device d on `day` and an active device d' != d on a day of
  // [day-5, day].
  Users MultiDeviceOn(int64_t day) const {
    Users users;
    for (const auto& [uid, device] : On(day).active_devices) {
      for (int64_t other_day = day - 5; other_day <= day; ++other_day) {
        for (const auto& [other_uid, other_device] : On(other_day).active_devices) {
          if (other_uid == uid && other_device != device) users.insert(uid);
        }
      }
    }
    return users;
  }

  Users MultiDeviceIn(int64_t from, int64_t to) const {
    Users users;
    for (int64_t day = from; day <= to; ++day) {
      Users that_day = MultiDeviceOn(day);
      users.insert(that_day.begin(), that_day.end());
    }
    return users;
  }

 private:
  std::map<int64_t, DayActivity> days_;
};

// 100 x (the mean of `daily` over its 7 days) / `monthly`; NULL when monthly is 0.
std::optional<double> EngagementRatio(const std::vector<int64_t>& daily, int64_t monthly) {
  if (monthly == 0) return std::nullopt;
  double sum = 0;
  for (int64_t value : daily) sum += static_cast<double>(value);
  const double mean = sum / 7.0;
  return 100.0 * mean / static_cast<double>(monthly);
}

// PERCENTILE_CONT as KPI.md words it.
std::optional<double> Percentile(std::vector<double> x, double p) {
  if (x.empty()) return std::nullopt;
  std::sort(x.begin(), x.end());
  const double r = p * static_cast<double>(x.size() - 1);
  const double below = x[static_cast<size_t>(std::floor(r))];
  const double above = x[static_cast<size_t>(std::ceil(r))];
  return below + (r - std::floor(r)) * (above - below);
}

void AddUserKpis(const Reading& reading, int64_t d, ReferenceKpiRow& row) {
  row.dau = static_cast<int64_t>(reading.On(d).active_users.size());
  row.wau = static_cast<int64_t>(reading.ActiveIn(d - 6, d).size());
  row.mau = static_cast<int64_t>(reading.ActiveIn(d - 27, d).size());
  row.md_dau = static_cast<int64_t>(reading.MultiDeviceOn(d).size());
  row.md_mau = static_cast<int64_t>(reading.MultiDeviceIn(d - 27, d).size());
  std::vector<int64_t> dau_week, md_dau_week;
  for (int64_t day = d - 6; day <= d; ++day) {
    dau_week.push_back(static_cast<int64_t>(reading.On(day).active_users.size()));
    md_dau_week.push_back(static_cast<int64_t>(reading.MultiDeviceOn(day).size()));
  }
  row.engagement_ratio = EngagementRatio(dau_week, row.mau);
  row.md_engagement_ratio = EngagementRatio(md_dau_week, row.md_mau);
}

void AddConnectionKpis(const DayActivity& day, ReferenceKpiRow& row) {
  row.ttc_new_n = static_cast<int64_t>(day.ttc_new.size());
  row.ttc_new_p25 = Percentile(day.ttc_new, 0.25);
  row.ttc_new_p50 = Percentile(day.ttc_new, 0.50);
  row.ttc_new_p75 = Percentile(day.ttc_new, 0.75);
  row.ttc_existing_n = static_cast<int64_t>(day.ttc_existing.size());
  row.ttc_existing_p25 = Percentile(day.ttc_existing, 0.25);
  row.ttc_existing_p50 = Percentile(day.ttc_existing, 0.50);
  row.ttc_existing_p75 = Percentile(day.ttc_existing, 0.75);
  row.sequences_begun = day.sequences_begun;
  row.devices_connected = day.devices_connected;
  if (day.sequences_begun > 0) {
    row.completion_rate = 100.0 * static_cast<double>(day.devices_connected) /
                          static_cast<double>(day.sequences_begun);
  }
}

// One CSV field: integers as they are, doubles with 10 significant digits, NULL empty.
std::string Field(int64_t value) { return std::to_string(value); }
std::string Field(const std::optional<double>& value) {
  if (!value) return "";
  std::ostringstream text;
  text << std::setprecision(10) << *value;
  return text.str();
}

}  // namespace

std::vector<ReferenceKpiRow> ReferenceKpis(const std::vector<ActivityEvent>& events,
                                           int64_t first_day, int64_t last_day) {
  const Reading reading(events);
  std::vector<ReferenceKpiRow> rows;
  for (int64_t d = first_day; d <= last_day; ++d) {
    ReferenceKpiRow row;
    row.day = d;
    AddUserKpis(reading, d, row);
    AddConnectionKpis(reading.On(d), row);
    rows.push_back(row);
  }
  return rows;
}

std::string ReferenceKpisCsv(const std::vector<ReferenceKpiRow>& rows) {
  std::string csv =
      "date,dau,wau,mau,engagement_ratio,md_dau,md_mau,md_engagement_ratio,ttc_new_n,"
      "ttc_new_p25,ttc_new_p50,ttc_new_p75,ttc_existing_n,ttc_existing_p25,ttc_existing_p50,"
      "ttc_existing_p75,sequences_begun,devices_connected,completion_rate\n";
  for (const ReferenceKpiRow& r : rows) {
    const std::vector<std::string> fields = {UtcDateOfDay(r.day),
                                             Field(r.dau),
                                             Field(r.wau),
                                             Field(r.mau),
                                             Field(r.engagement_ratio),
                                             Field(r.md_dau),
                                             Field(r.md_mau),
                                             Field(r.md_engagement_ratio),
                                             Field(r.ttc_new_n),
                                             Field(r.ttc_new_p25),
                                             Field(r.ttc_new_p50),
                                             Field(r.ttc_new_p75),
                                             Field(r.ttc_existing_n),
                                             Field(r.ttc_existing_p25),
                                             Field(r.ttc_existing_p50),
                                             Field(r.ttc_existing_p75),
                                             Field(r.sequences_begun),
                                             Field(r.devices_connected),
                                             Field(r.completion_rate)};
    for (size_t i = 0; i < fields.size(); ++i) csv += (i == 0 ? "" : ",") + fields[i];
    csv += "\n";
  }
  return csv;
}

}  // namespace telemetry::simulate
