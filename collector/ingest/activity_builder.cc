#include "collector/ingest/activity_builder.h"

#include <charconv>

namespace telemetry::collector {
namespace {

std::optional<std::string> NonEmpty(std::optional<std::string_view> value) {
  if (!value || value->empty()) return std::nullopt;
  return std::string(*value);
}

std::optional<std::string> FirstOf(const std::optional<std::string>& a,
                                   const std::optional<std::string>& b) {
  return a ? a : b;
}

}  // namespace

std::optional<std::string_view> Extras::Get(std::string_view key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

bool IsIdExtraKey(std::string_view key) {
  return key == "uid" || key == "device_id" || key == "hashed_fxa_uid" || key == "hashed_device_id";
}

bool Extras::CarriesIds() const {
  for (const auto& [k, v] : items_) {
    if (IsIdExtraKey(k) && !v.empty()) return true;
  }
  return false;
}

void SetHashedIds(const std::optional<std::string>& raw_uid,
                  const std::optional<std::string>& raw_device_id, const IdHasher& hasher,
                  ActivityEvent* row) {
  if (raw_uid && !raw_uid->empty()) {
    row->uid = hasher.Hash(*raw_uid);
    row->sample_id = IdHasher::SampleId(*row->uid);
  }
  if (raw_device_id && !raw_device_id->empty()) row->device_id = hasher.Hash(*raw_device_id);
}

std::optional<std::string> HashId(const std::optional<std::string>& raw, const IdHasher& hasher) {
  if (!raw || raw->empty()) return std::nullopt;
  return hasher.Hash(*raw);
}

namespace {

void SetIds(std::optional<std::string> uid, std::optional<std::string> device_id,
            ActivityEvent* row) {
  row->uid = std::move(uid);
  row->device_id = std::move(device_id);
  if (row->uid) row->sample_id = IdHasher::SampleId(*row->uid);
}

}  // namespace

ActivityEvent ActivityFromEvent(int64_t timestamp_ms, std::string type, const Extras& extras,
                                const PingContext& ping, const IdHasher& hasher) {
  ActivityEvent row;
  row.timestamp_ms = timestamp_ms;
  row.type = std::move(type);
  if (auto seq_id = extras.Get("seq_id")) row.seq_id = std::string(*seq_id);
  if (auto seq_time = extras.Get("seq_time")) {
    int64_t value = 0;
    const char* end = seq_time->data() + seq_time->size();
    auto [ptr, ec] = std::from_chars(seq_time->data(), end, value);
    if (ec == std::errc() && ptr == end) row.seq_time_ms = value;
  }
  if (auto new_user = extras.Get("new_user"))
    row.new_user = *new_user == "1" || *new_user == "true";
  std::optional<std::string> uid = NonEmpty(extras.Get("uid"));
  if (!uid) uid = NonEmpty(extras.Get("hashed_fxa_uid"));
  std::optional<std::string> device_id = NonEmpty(extras.Get("device_id"));
  if (!device_id) device_id = NonEmpty(extras.Get("hashed_device_id"));
  SetIds(uid ? HashId(uid, hasher) : ping.uid,
         device_id ? HashId(device_id, hasher) : ping.device_id, &row);
  row.ua_browser = FirstOf(NonEmpty(extras.Get("ua_browser")), ping.ua_browser);
  row.ua_version = FirstOf(NonEmpty(extras.Get("ua_version")), ping.ua_version);
  row.ua_os = FirstOf(NonEmpty(extras.Get("ua_os")), ping.ua_os);
  row.service = NonEmpty(extras.Get("service"));
  row.context = NonEmpty(extras.Get("context"));
  row.entrypoint = NonEmpty(extras.Get("entrypoint"));
  row.campaign = NonEmpty(extras.Get("campaign"));
  row.migration = NonEmpty(extras.Get("migration"));
  return row;
}

ActivityEvent ActivityFromPing(int64_t timestamp_ms, std::string_view doc_type,
                               const PingContext& ping) {
  ActivityEvent row;
  row.timestamp_ms = timestamp_ms;
  row.type = "ping." + std::string(doc_type);
  SetIds(ping.uid, ping.device_id, &row);
  row.ua_browser = ping.ua_browser;
  row.ua_version = ping.ua_version;
  row.ua_os = ping.ua_os;
  return row;
}

}  // namespace telemetry::collector
