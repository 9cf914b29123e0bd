#include "collector/kpi/kpi_engine.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace telemetry::collector::kpi {
namespace {

constexpr Day kMauDays = 28;
constexpr Day kWauDays = 7;

// Appends `value`, keeping the last 7.
void Push(std::vector<int64_t>& recent, int64_t value) {
  recent.push_back(value);
  if (recent.size() > static_cast<size_t>(kWauDays)) recent.erase(recent.begin());
}

// 100 * mean of the last 7 values (missing days count 0) / denominator.
std::optional<double> Ratio(const std::vector<int64_t>& recent, int64_t denominator) {
  if (denominator == 0) return std::nullopt;
  double sum = 0;
  for (int64_t v : recent) sum += static_cast<double>(v);
  return 100.0 * (sum / kWauDays) / static_cast<double>(denominator);
}

}  // namespace

std::optional<double> PercentileCont(std::vector<double> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const double rank = p * static_cast<double>(values.size() - 1);
  const size_t low = static_cast<size_t>(std::floor(rank));
  const size_t high = static_cast<size_t>(std::ceil(rank));
  return values[low] + (rank - static_cast<double>(low)) * (values[high] - values[low]);
}

int64_t KpiEngine::CountSince(const std::map<Day, int64_t>& by_day, Day first) const {
  int64_t total = 0;
  for (auto it = by_day.lower_bound(first); it != by_day.end(); ++it) total += it->second;
  return total;
}

void KpiEngine::Move(std::map<Day, int64_t>& by_day, Day from, Day to) {
  if (from != INT32_MIN) {
    auto it = by_day.find(from);
    if (it != by_day.end() && --it->second == 0) by_day.erase(it);
  }
  ++by_day[to];
}

void KpiEngine::Prune(Day day) {
  // Days that can no longer be in any window.
  const Day oldest = day - kMauDays + 1;
  last_active_count_.erase(last_active_count_.begin(), last_active_count_.lower_bound(oldest));
  last_md_count_.erase(last_md_count_.begin(), last_md_count_.lower_bound(oldest));
}

KpiRow KpiEngine::AddDay(Day day, const std::vector<ActivityEvent>& events) {
  // Days skipped since the last call had no activity.
  if (last_day_) {
    for (Day skipped = *last_day_ + 1; skipped < day && skipped <= *last_day_ + kWauDays;
         ++skipped) {
      Push(recent_dau_, 0);
      Push(recent_md_dau_, 0);
    }
  }
  KpiRow row;
  row.day = day;
  const Day window_start = day - config_.multi_device_window_days + 1;

  std::unordered_set<std::string> active_users;
  std::unordered_set<std::string> users_with_device_today;
  md_users_.clear();
  std::vector<double> ttc_new, ttc_existing;
  for (const ActivityEvent& event : events) {
    if (UtcDayOf(event.timestamp_ms) != day) continue;
    const bool connect_service = event.service && *event.service == config_.connect_service;
    if (connect_service && event.type == "sequence.begin") ++row.sequences_begun;
    if (connect_service && event.type == "device.connected") {
      ++row.devices_connected;
      if (event.seq_time_ms) {
        (event.new_user ? ttc_new : ttc_existing).push_back(*event.seq_time_ms / 1000.0);
      }
    }
    if (!event.uid || !IsActivity(event.type)) continue;
    active_users.insert(*event.uid);
    if (event.device_id) {
      users_[*event.uid].devices[*event.device_id] = day;
      users_with_device_today.insert(*event.uid);
    }
  }

  for (const std::string& uid : active_users) {
    UserState& user = users_[uid];
    std::erase_if(user.devices, [&](const auto& d) { return d.second < window_start; });
    if (user.last_active != day) {
      Move(last_active_count_, user.last_active, day);
      user.last_active = day;
    }
    if (users_with_device_today.count(uid) == 0) continue;
    // Multi-device: a device active today and another active within the window.
    int devices_in_window = 0;
    for (const auto& [device, last] : user.devices) {
      if (last >= window_start) ++devices_in_window;
    }
    if (devices_in_window >= 2) {
      ++row.md_dau;
      md_users_.insert(uid);
      if (user.last_multi_device != day) {
        Move(last_md_count_, user.last_multi_device, day);
        user.last_multi_device = day;
      }
    }
  }
  row.dau = static_cast<int64_t>(active_users.size());
  row.wau = CountSince(last_active_count_, day - kWauDays + 1);
  row.mau = CountSince(last_active_count_, day - kMauDays + 1);
  row.md_mau = CountSince(last_md_count_, day - kMauDays + 1);
  Push(recent_dau_, row.dau);
  Push(recent_md_dau_, row.md_dau);
  row.engagement_ratio = Ratio(recent_dau_, row.mau);
  row.md_engagement_ratio = Ratio(recent_md_dau_, row.md_mau);

  row.ttc_new_n = static_cast<int64_t>(ttc_new.size());
  row.ttc_new_p25 = PercentileCont(ttc_new, 0.25);
  row.ttc_new_p50 = PercentileCont(ttc_new, 0.50);
  row.ttc_new_p75 = PercentileCont(ttc_new, 0.75);
  row.ttc_existing_n = static_cast<int64_t>(ttc_existing.size());
  row.ttc_existing_p25 = PercentileCont(ttc_existing, 0.25);
  row.ttc_existing_p50 = PercentileCont(ttc_existing, 0.50);
  row.ttc_existing_p75 = PercentileCont(ttc_existing, 0.75);
  if (row.sequences_begun > 0) {
    row.completion_rate = 100.0 * static_cast<double>(row.devices_connected) /
                          static_cast<double>(row.sequences_begun);
  }

  // Forget users no window can reach any more: those last active on the day that just left
  // the 28-day window (and silent since). Costs what that day cost, not a scan of all users.
  for (const std::string& uid : active_users) touched_on_[day].push_back(uid);
  while (!touched_on_.empty() && touched_on_.begin()->first < day - kMauDays + 1) {
    const Day expired = touched_on_.begin()->first;
    for (const std::string& uid : touched_on_.begin()->second) {
      auto it = users_.find(uid);
      if (it != users_.end() && it->second.last_active == expired) users_.erase(it);
    }
    touched_on_.erase(touched_on_.begin());
  }
  Prune(day);
  last_day_ = day;
  return row;
}

void KpiEngine::Restore(Day last_day, std::unordered_map<std::string, UserState> users,
                        std::vector<int64_t> recent_dau, std::vector<int64_t> recent_md_dau) {
  last_day_ = last_day;
  users_ = std::move(users);
  recent_dau_ = std::move(recent_dau);
  recent_md_dau_ = std::move(recent_md_dau);
  last_active_count_.clear();
  last_md_count_.clear();
  touched_on_.clear();
  for (const auto& [uid, user] : users_) {
    if (user.last_active != INT32_MIN) touched_on_[user.last_active].push_back(uid);
    if (user.last_active != INT32_MIN) ++last_active_count_[user.last_active];
    if (user.last_multi_device != INT32_MIN) ++last_md_count_[user.last_multi_device];
  }
  Prune(last_day);
}

}  // namespace telemetry::collector::kpi
