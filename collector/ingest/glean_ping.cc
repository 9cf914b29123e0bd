#include "collector/ingest/glean_ping.h"

#include <string>

#include "collector/common/time_format.h"
#include "collector/ingest/activity_builder.h"
#include "collector/ingest/json_input.h"
#include "collector/ingest/limits.h"
#include "collector/ingest/reasons.h"
#include "collector/ingest/scalar_value.h"

namespace telemetry::collector {
namespace {

using nlohmann::json;

constexpr int64_t kAbsoluteTimestampMin = 100'000'000'000;  // 1973-03-03 in milliseconds

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool IsUidMetric(std::string_view name) { return EndsWith(name, "hashed_fxa_uid"); }
bool IsDeviceMetric(std::string_view name) { return EndsWith(name, "hashed_device_id"); }

std::optional<std::string> StringAt(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  return it->get<std::string>();
}

Status CheckStructure(const json& ping) {
  auto ping_info = ping.find("ping_info");
  if (ping_info == ping.end() || !ping_info->is_object()) {
    return Refuse(Reason::kInvalidPing, "ping_info is missing or not an object");
  }
  auto client_info = ping.find("client_info");
  if (client_info == ping.end() || !client_info->is_object()) {
    return Refuse(Reason::kInvalidPing, "client_info is missing or not an object");
  }
  if (auto metrics = ping.find("metrics"); metrics != ping.end() && !metrics->is_object()) {
    return Refuse(Reason::kInvalidPing, "metrics is not an object");
  }
  if (auto events = ping.find("events"); events != ping.end()) {
    if (!events->is_array()) return Refuse(Reason::kInvalidPing, "events is not an array");
    if (Status s = CheckLimit(events->size(), kMaxEventsPerPing, "events"); !s.ok()) return s;
    for (const json& event : *events) {
      if (!event.is_object() || !event.contains("timestamp") || !event.contains("category") ||
          !event["category"].is_string() || !event.contains("name") || !event["name"].is_string()) {
        return Refuse(Reason::kInvalidPing, "an event lacks timestamp, category or name");
      }
      // glean.1 says timestamps are integers >= 0. A negative one (or one past int64) would
      // overflow when made absolute below: adding start_time must stay in range.
      const json& timestamp = event["timestamp"];
      if (!timestamp.is_number_unsigned() ||
          timestamp.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
        return Refuse(Reason::kInvalidPing, "an event's timestamp is not an integer >= 0");
      }
      if (auto extra = event.find("extra"); extra != event.end()) {
        if (!extra->is_object())
          return Refuse(Reason::kInvalidPing, "an event's extra is not an object");
        if (Status s = CheckLimit(extra->size(), kMaxExtrasPerEvent, "extras of an event");
            !s.ok()) {
          return s;
        }
      }
    }
  }
  return Status::Ok();
}

Result<int64_t> Datetime(const json& object, const char* key, bool required) {
  auto it = object.find(key);
  if (it == object.end()) {
    if (required) return Refuse(Reason::kInvalidPing, std::string(key) + " is missing");
    return int64_t{0};
  }
  if (!it->is_string()) {
    return Refuse(Reason::kInvalidPing, std::string(key) + " is not a datetime string");
  }
  std::optional<int64_t> millis = ParseMozillaDatetime(it->get_ref<const std::string&>());
  if (!millis) {
    return Refuse(Reason::kInvalidPing, std::string(key) + " is not a datetime: \"" +
                                            it->get_ref<const std::string&>() + "\"");
  }
  return *millis;
}

void AddScalar(std::string probe, std::optional<std::string> key, const json& value,
               Normalized* out) {
  ScalarRow row;
  row.probe = std::move(probe);
  row.key = std::move(key);
  if (!SetScalarValue(value, &row)) return;  // Left to the schema; nothing to store.
  out->scalars.push_back(std::move(row));
}

bool IsIdMetric(std::string_view name) { return IsUidMetric(name) || IsDeviceMetric(name); }

Status CollectScalars(const json& metrics, Normalized* out) {
  for (const char* type : {"boolean", "counter", "quantity", "string"}) {
    auto group = metrics.find(type);
    if (group == metrics.end() || !group->is_object()) continue;
    for (auto it = group->begin(); it != group->end(); ++it) {
      if (IsIdMetric(it.key())) continue;
      AddScalar(it.key(), std::nullopt, *it, out);
    }
  }
  for (const char* type : {"labeled_boolean", "labeled_counter", "labeled_string"}) {
    auto group = metrics.find(type);
    if (group == metrics.end() || !group->is_object()) continue;
    for (auto it = group->begin(); it != group->end(); ++it) {
      if (!it->is_object() || IsIdMetric(it.key())) continue;
      if (Status s = CheckLimit(it->size(), kMaxKeysPerScalar, "labels of a metric"); !s.ok()) {
        return s;
      }
      for (auto label = it->begin(); label != it->end(); ++label) {
        AddScalar(it.key(), label.key(), *label, out);
      }
    }
  }
  return CheckLimit(out->scalars.size(), kMaxScalarRowsPerPing, "scalar values");
}

// The HMAC of an id as sent, whatever its JSON type (a number is hashed as written).
std::string HashJsonId(const json& value, const IdHasher& hasher) {
  return hasher.Hash(value.is_string() ? value.get<std::string>() : value.dump());
}

// Replaces the values of every metric named *.hashed_fxa_uid or *.hashed_device_id, of any
// metric type (string, text, labeled_string, ...), by their HMACs. True when one was replaced.
bool RedactIdMetrics(json& metrics, const IdHasher& hasher) {
  bool replaced = false;
  for (auto group = metrics.begin(); group != metrics.end(); ++group) {
    if (!group->is_object()) continue;
    for (auto it = group->begin(); it != group->end(); ++it) {
      if (!IsIdMetric(it.key())) continue;
      if (it->is_structured()) {
        for (auto& label : *it) {
          if (!label.is_null()) label = HashJsonId(label, hasher);
        }
      } else if (!it->is_null()) {
        *it = HashJsonId(*it, hasher);
      }
      replaced = true;
    }
  }
  return replaced;
}

}  // namespace

Result<Normalized> NormalizeGleanPing(std::string_view decoded, const Submission& submission,
                                      const GleanSchema* schema, const IdHasher& hasher) {
  Result<json> parsed = ParseJsonPing(decoded);
  if (!parsed.ok()) return parsed.status();
  json& ping = *parsed;
  if (schema != nullptr) {
    if (Status status = schema->Validate(ping); !status.ok()) return status;
  }
  if (Status status = CheckStructure(ping); !status.ok()) return status;
  const json& ping_info = ping["ping_info"];
  const json& client_info = ping["client_info"];
  Result<int64_t> start = Datetime(ping_info, "start_time", true);
  if (!start.ok()) return start.status();
  Result<int64_t> end = Datetime(ping_info, "end_time", true);
  if (!end.ok()) return end.status();
  if (Result<int64_t> first = Datetime(client_info, "first_run_date", false); !first.ok()) {
    return first.status();
  }

  Normalized out;
  PingContext context;
  context.ua_browser = submission.namespace_name;
  context.ua_version = StringAt(client_info, "app_display_version");
  context.ua_os = StringAt(client_info, "os");
  bool carries_ids = false;
  if (auto metrics = ping.find("metrics"); metrics != ping.end()) {
    if (Status s = CollectScalars(*metrics, &out); !s.ok()) return s;
    if (auto strings = metrics->find("string"); strings != metrics->end() && strings->is_object()) {
      for (auto it = strings->begin(); it != strings->end(); ++it) {
        if (!it->is_string() || it->get_ref<const std::string&>().empty()) continue;
        if (IsUidMetric(it.key())) context.uid = hasher.Hash(it->get<std::string>());
        if (IsDeviceMetric(it.key())) context.device_id = hasher.Hash(it->get<std::string>());
      }
    }
  }
  const bool ping_has_ids = context.uid || context.device_id;
  carries_ids = ping_has_ids;
  if (auto events = ping.find("events"); events != ping.end()) {
    for (json& event : *events) {
      Extras extras;
      std::vector<std::string> values;  // Extras borrow; non-string values are copied here.
      values.reserve(event.contains("extra") ? event["extra"].size() : 0);
      if (auto extra = event.find("extra"); extra != event.end()) {
        for (auto it = extra->begin(); it != extra->end(); ++it) {
          values.push_back(it->is_string() ? it->get<std::string>() : it->dump());
          extras.Add(it.key(), values.back());
        }
      }
      const bool event_has_ids = extras.CarriesIds();
      if (!event_has_ids && !ping_has_ids) continue;
      carries_ids = true;
      int64_t timestamp = event["timestamp"].get<int64_t>();
      if (timestamp < 0) {  // Before adding the start time, which could overflow.
        return CheckPlausibleTime(timestamp, submission.received_ms, "an event's timestamp");
      }
      if (timestamp < kAbsoluteTimestampMin) timestamp += *start;
      out.activity.push_back(ActivityFromEvent(
          timestamp, event["category"].get<std::string>() + "." + event["name"].get<std::string>(),
          extras, context, hasher));
      if (event_has_ids) {
        for (auto it = event["extra"].begin(); it != event["extra"].end(); ++it) {
          if (IsIdExtraKey(it.key()) && !it->is_null()) *it = HashJsonId(*it, hasher);
        }
      }
    }
  }
  if (ping_has_ids) {
    out.activity.push_back(ActivityFromPing(*end, submission.doc_type, context));
  }
  if (auto metrics = ping.find("metrics"); metrics != ping.end() && metrics->is_object()) {
    carries_ids = RedactIdMetrics(*metrics, hasher) || carries_ids;
  }
  if (carries_ids) out.redacted = ping.dump(-1, ' ', false, json::error_handler_t::replace);
  return out;
}

}  // namespace telemetry::collector
