#include "collector/kpi/kpi_engine.h"

#include <algorithm>
#include <cmath>

#include "telemetry/base/zstd.h"

namespace telemetry::collector::kpi {
namespace {

constexpr Day kMauDays = 28;
constexpr Day kWauDays = 7;
// 2: the counts of users and devices, and their ids' bytes, come first (a restore sizes its
// tables once instead of growing them). 1 is still read.
constexpr uint32_t kStateVersion = 2;
constexpr size_t kMaxStateBytes = size_t{1} << 32;

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

size_t Slot(Day day) { return static_cast<size_t>(((day % kMauDays) + kMauDays) % kMauDays); }

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void PutString(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

}  // namespace

// Reads the state back; any truncation or overflow makes it fail, never read past the end.
class StateReader {
 public:
  explicit StateReader(std::string_view bytes) : in_(bytes) {}
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && pos_ < in_.size(); shift += 7) {
      const auto byte = static_cast<uint8_t>(in_[pos_++]);
      *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }
  bool String(std::string_view* s) {
    uint64_t n = 0;
    if (!Varint(&n) || n > in_.size() - pos_) return false;
    *s = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

std::optional<double> PercentileCont(std::vector<double> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const double rank = p * static_cast<double>(values.size() - 1);
  const size_t low = static_cast<size_t>(std::floor(rank));
  const size_t high = static_cast<size_t>(std::ceil(rank));
  return values[low] + (rank - static_cast<double>(low)) * (values[high] - values[low]);
}

// Event types are few: a short list, each match swapped to the front, beats hashing a string
// per event.
uint8_t KpiEngine::TypeFlags(std::string_view type, bool connect_service) {
  for (size_t i = 0; i < type_flags_.size(); ++i) {
    if (type_flags_[i].connect_service != connect_service || type_flags_[i].type != type) continue;
    if (i > 0) std::swap(type_flags_[i], type_flags_[0]);
    return type_flags_[0].flags;
  }
  uint8_t flags = 0;
  if (config_.activity_types.empty() || config_.activity_types.count(std::string(type)) > 0) {
    flags |= CompactEvent::kActivity;
  }
  if (connect_service && type == "sequence.begin") flags |= CompactEvent::kSequenceBegin;
  if (connect_service && type == "device.connected") flags |= CompactEvent::kConnected;
  type_flags_.insert(type_flags_.begin(), {std::string(type), connect_service, flags});
  return flags;
}

CompactEvent KpiEngine::Compact(std::string_view type, const std::string_view* uid,
                                const std::string_view* device, bool new_user,
                                const int64_t* seq_time_ms, const std::string_view* service) {
  CompactEvent event;
  event.flags = TypeFlags(type, service != nullptr && *service == config_.connect_service);
  if (new_user) event.flags |= CompactEvent::kNewUser;
  if (seq_time_ms != nullptr) {
    event.flags |= CompactEvent::kHasSeqTime;
    event.seq_time_ms = *seq_time_ms;
  }
  // Every uid gets its id (users_services_daily counts all rows); a device matters only for
  // activity, and belongs to that uid.
  if (uid != nullptr) {
    event.user = user_ids_.Intern(*uid);
    if (users_.size() <= event.user) users_.resize(event.user + 1);
    if (device != nullptr && (event.flags & CompactEvent::kActivity) != 0) {
      event.device = device_ids_.Intern(*device);
    }
  }
  return event;
}

KpiRow KpiEngine::AddDay(Day day, const std::vector<ActivityEvent>& events) {
  compact_.clear();
  for (const ActivityEvent& e : events) {
    if (UtcDayOf(e.timestamp_ms) != day) continue;
    std::string_view uid, device, service;
    if (e.uid) uid = *e.uid;
    if (e.device_id) device = *e.device_id;
    if (e.service) service = *e.service;
    compact_.push_back(Compact(e.type, e.uid ? &uid : nullptr, e.device_id ? &device : nullptr,
                               e.new_user, e.seq_time_ms ? &*e.seq_time_ms : nullptr,
                               e.service ? &service : nullptr));
  }
  return AddCompactDay(day, compact_);
}

// Moves the rings to `day`: the slots of the days that just entered the window start empty.
void KpiEngine::Advance(Day day) {
  if (!last_day_ || day - *last_day_ >= kMauDays) {
    last_active_count_.fill(0);
    last_md_count_.fill(0);
  } else {
    for (Day d = *last_day_ + 1; d <= day; ++d) {
      last_active_count_[Slot(d)] = 0;
      last_md_count_[Slot(d)] = 0;
    }
  }
  if (last_day_) {
    // Days skipped since the last call had no activity.
    for (Day skipped = *last_day_ + 1; skipped < day && skipped <= *last_day_ + kWauDays;
         ++skipped) {
      Push(recent_dau_, 0);
      Push(recent_md_dau_, 0);
    }
  }
}

// A user's last day moves from `from` to `to` (today); `from` counts only while in the window.
void KpiEngine::Count(std::array<int64_t, kRing>& ring, Day from, Day to) {
  if (from != INT32_MIN && from > to - kMauDays) --ring[Slot(from)];
  ++ring[Slot(to)];
}

int64_t KpiEngine::Sum(const std::array<int64_t, kRing>& ring, Day day, int days) const {
  int64_t total = 0;
  for (Day d = day - days + 1; d <= day; ++d) total += ring[Slot(d)];
  return total;
}

// After the day's events: the multi-device test for a user active today.
void KpiEngine::TouchUser(Day day, Day window_start, User& user, KpiRow& row) {
  std::erase_if(user.devices, [&](const DeviceSlot& d) { return d.last < window_start; });
  // Multi-device: a device active today and another active within the window.
  if (user.device_today != day || user.devices.size() < 2) return;
  ++row.md_dau;
  if (user.last_multi_device != day) {
    Count(last_md_count_, user.last_multi_device, day);
    user.last_multi_device = day;
  }
}

void KpiEngine::FoldEvents(Day day, std::span<const CompactEvent> events, KpiRow& row) {
  for (const CompactEvent& event : events) {
    if (event.flags & CompactEvent::kSequenceBegin) ++row.sequences_begun;
    if (event.flags & CompactEvent::kConnected) {
      ++row.devices_connected;
      if (event.flags & CompactEvent::kHasSeqTime) {
        (event.flags & CompactEvent::kNewUser ? ttc_new_ : ttc_existing_)
            .push_back(static_cast<double>(event.seq_time_ms) / 1000.0);
      }
    }
    if (event.user == CompactEvent::kNone || (event.flags & CompactEvent::kActivity) == 0) {
      continue;
    }
    User& user = users_[event.user];
    if (user.last_active != day) {  // First event of this user today.
      Count(last_active_count_, user.last_active, day);
      user.last_active = day;
      active_.push_back(event.user);
    }
    if (event.device == CompactEvent::kNone) continue;
    user.device_today = day;
    auto it = std::find_if(user.devices.begin(), user.devices.end(),
                           [&](const DeviceSlot& d) { return d.device == event.device; });
    if (it == user.devices.end()) {
      user.devices.push_back({event.device, day});
    } else {
      it->last = day;
    }
  }
}

KpiRow KpiEngine::AddCompactDay(Day day, std::span<const CompactEvent> events) {
  Advance(day);
  KpiRow row;
  row.day = day;
  const Day window_start = day - config_.multi_device_window_days + 1;
  active_.clear();
  ttc_new_.clear();
  ttc_existing_.clear();
  FoldEvents(day, events, row);
  for (uint32_t id : active_) TouchUser(day, window_start, users_[id], row);
  row.dau = static_cast<int64_t>(active_.size());
  row.wau = Sum(last_active_count_, day, kWauDays);
  row.mau = Sum(last_active_count_, day, kMauDays);
  row.md_mau = Sum(last_md_count_, day, kMauDays);
  Push(recent_dau_, row.dau);
  Push(recent_md_dau_, row.md_dau);
  row.engagement_ratio = Ratio(recent_dau_, row.mau);
  row.md_engagement_ratio = Ratio(recent_md_dau_, row.md_mau);
  row.ttc_new_n = static_cast<int64_t>(ttc_new_.size());
  row.ttc_new_p25 = PercentileCont(ttc_new_, 0.25);
  row.ttc_new_p50 = PercentileCont(ttc_new_, 0.50);
  row.ttc_new_p75 = PercentileCont(ttc_new_, 0.75);
  row.ttc_existing_n = static_cast<int64_t>(ttc_existing_.size());
  row.ttc_existing_p25 = PercentileCont(ttc_existing_, 0.25);
  row.ttc_existing_p50 = PercentileCont(ttc_existing_, 0.50);
  row.ttc_existing_p75 = PercentileCont(ttc_existing_, 0.75);
  if (row.sequences_begun > 0) {
    row.completion_rate = 100.0 * static_cast<double>(row.devices_connected) /
                          static_cast<double>(row.sequences_begun);
  }
  last_day_ = day;
  return row;
}

bool KpiEngine::MultiDeviceOnLastDay(const std::string& uid) const {
  const uint32_t id = user_ids_.Find(uid);
  return last_day_ && id < users_.size() && users_[id].last_multi_device == *last_day_;
}

// A user no later window reaches: last active before the 28 days ending at the last day.
bool KpiEngine::Remembered(const User& user) const {
  return last_day_ && user.last_active != INT32_MIN && user.last_active > *last_day_ - kMauDays;
}

size_t KpiEngine::RememberedUsers() const {
  return static_cast<size_t>(
      std::count_if(users_.begin(), users_.end(), [&](const User& u) { return Remembered(u); }));
}

// Layout: version, last day, (since version 2) the number of remembered users, their uids'
// bytes, their devices and those ids' bytes, the recent DAU and md_dau, then per remembered
// user: uid, days since last active, days since last multi-device + 1 (0: never), devices (id,
// days since).
Result<std::string> KpiEngine::SaveState() const {
  std::string out;
  if (!last_day_) return ZstdCompress(out);
  PutVarint(out, kStateVersion);
  PutVarint(out, static_cast<uint32_t>(*last_day_));
  uint64_t sizes[4] = {};  // Users, their bytes, devices, their bytes.
  for (size_t id = 0; id < users_.size(); ++id) {
    if (!Remembered(users_[id])) continue;
    ++sizes[0];
    sizes[1] += user_ids_.Name(static_cast<uint32_t>(id)).size();
    sizes[2] += users_[id].devices.size();
    for (const DeviceSlot& d : users_[id].devices) sizes[3] += device_ids_.Name(d.device).size();
  }
  for (uint64_t size : sizes) PutVarint(out, size);
  for (const auto* recent : {&recent_dau_, &recent_md_dau_}) {
    PutVarint(out, recent->size());
    for (int64_t v : *recent) PutVarint(out, static_cast<uint64_t>(v));
  }
  const Day last = *last_day_;
  for (size_t id = 0; id < users_.size(); ++id) {
    const User& user = users_[id];
    if (!Remembered(user)) continue;
    PutString(out, user_ids_.Name(static_cast<uint32_t>(id)));
    PutVarint(out, static_cast<uint64_t>(last - user.last_active));
    // A multi-device day out of the window is as good as none.
    PutVarint(out, user.last_multi_device <= last - kMauDays
                       ? 0
                       : static_cast<uint64_t>(last - user.last_multi_device) + 1);
    PutVarint(out, user.devices.size());
    for (const DeviceSlot& d : user.devices) {
      PutString(out, device_ids_.Name(d.device));
      PutVarint(out, static_cast<uint64_t>(last - d.last));
    }
  }
  return ZstdCompress(out);
}

Status KpiEngine::RestoreUser(StateReader& in, Day last) {
  std::string_view uid;
  uint64_t active = 0, md = 0, devices = 0;
  if (!in.String(&uid) || !in.Varint(&active) || !in.Varint(&md) || !in.Varint(&devices) ||
      active >= kMauDays || md > kMauDays || devices > (uint64_t{1} << 20)) {
    return Status::Corruption("the stored KPI state is damaged (a user)");
  }
  const uint32_t id = user_ids_.Intern(uid);
  if (id != users_.size()) return Status::Corruption("the stored KPI state names a user twice");
  User& user = users_.emplace_back();
  user.last_active = last - static_cast<Day>(active);
  if (md > 0) user.last_multi_device = last - static_cast<Day>(md - 1);
  ++last_active_count_[Slot(user.last_active)];
  if (md > 0) ++last_md_count_[Slot(user.last_multi_device)];
  for (uint64_t i = 0; i < devices; ++i) {
    std::string_view device;
    uint64_t since = 0;
    if (!in.String(&device) || !in.Varint(&since) || since > (uint64_t{1} << 30)) {
      return Status::Corruption("the stored KPI state is damaged (a device)");
    }
    user.devices.push_back({device_ids_.Intern(device), last - static_cast<Day>(since)});
  }
  return Status::Ok();
}

Status KpiEngine::RestoreState(std::string_view bytes) {
  Result<std::string> raw = ZstdDecompress(bytes, kMaxStateBytes, 27);
  if (!raw.ok()) {
    return Status::Corruption("the stored KPI state is damaged: " + raw.status().ToString());
  }
  *this = KpiEngine(config_);
  if (raw->empty()) return Status::Ok();
  StateReader in(*raw);
  uint64_t version = 0, last = 0;
  if (!in.Varint(&version) || (version != 1 && version != kStateVersion) || !in.Varint(&last)) {
    return Status::Corruption("the stored KPI state has an unknown version");
  }
  const auto day = static_cast<Day>(static_cast<uint32_t>(last));
  if (version >= 2) {
    uint64_t sizes[4] = {};
    // A user takes at least 4 bytes of the state, a device 2, an id's byte 1: a larger count
    // is damage, and no damage makes the tables larger than a few times the state.
    const uint64_t least_bytes[4] = {4, 1, 2, 1};
    for (int i = 0; i < 4; ++i) {
      if (!in.Varint(&sizes[i]) || sizes[i] > raw->size() / least_bytes[i]) {
        return Status::Corruption("the stored KPI state is damaged (its sizes)");
      }
    }
    users_.reserve(sizes[0]);
    user_ids_.Reserve(sizes[0], sizes[1]);
    device_ids_.Reserve(sizes[2], sizes[3]);
  }
  for (auto* recent : {&recent_dau_, &recent_md_dau_}) {
    uint64_t n = 0;
    if (!in.Varint(&n) || n > static_cast<uint64_t>(kWauDays)) {
      return Status::Corruption("the stored KPI state is damaged (recent days)");
    }
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t v = 0;
      if (!in.Varint(&v))
        return Status::Corruption("the stored KPI state is damaged (recent days)");
      recent->push_back(static_cast<int64_t>(v));
    }
  }
  while (!in.done()) {
    if (Status s = RestoreUser(in, day); !s.ok()) return s;
  }
  last_day_ = day;
  return Status::Ok();
}

}  // namespace telemetry::collector::kpi
