#include "collector/ingest/protobuf_ping.h"

#include <string>

#include "collector/ingest/activity_builder.h"
#include "collector/ingest/reasons.h"
#include "telemetry/base/uuid.h"
#include "telemetry/wire/ping.pb.h"

namespace telemetry::collector {
namespace {

using telemetry::ping::Ping;
using telemetry::ping::ScalarValue;

std::optional<std::string> NonEmpty(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return value;
}

// Fills kind and value; false when the value is unset.
bool SetValue(const ScalarValue& value, ScalarRow* row) {
  switch (value.kind_case()) {
    case ScalarValue::kUintValue:
      row->kind = "uint";
      row->value = std::to_string(value.uint_value());
      return true;
    case ScalarValue::kBoolValue:
      row->kind = "bool";
      row->value = value.bool_value() ? "true" : "false";
      return true;
    case ScalarValue::kStringValue:
      row->kind = "string";
      row->value = value.string_value();
      return true;
    case ScalarValue::KIND_NOT_SET:
      break;
  }
  return false;
}

// Replaces every account and device id of `ping` by its HMAC.
void Redact(const IdHasher& hasher, const PingContext& context, Ping* ping) {
  if (ping->has_account()) {
    auto* account = ping->mutable_account();
    if (context.uid) account->set_uid(*context.uid);
    if (context.device_id) account->set_device_id(*context.device_id);
  }
  for (auto& event : *ping->mutable_payload()->mutable_events()) {
    for (auto& [key, value] : *event.mutable_extras()) {
      if (IsIdExtraKey(key) && !value.empty()) value = hasher.Hash(value);
    }
  }
}

}  // namespace

Result<Normalized> NormalizeProtobufPing(std::string_view decoded, const Submission& submission,
                                         const IdHasher& hasher) {
  Ping ping;
  if (decoded.size() > static_cast<size_t>(INT32_MAX) ||
      !ping.ParseFromArray(decoded.data(), static_cast<int>(decoded.size()))) {
    return Refuse(Reason::kInvalidProtobuf, "the body is not a telemetry.ping.Ping message");
  }
  if (!ping.document_id().empty() && CanonicalUuid(ping.document_id()) != submission.doc_id) {
    return Refuse(Reason::kInvalidPing, "document_id " + ping.document_id() +
                                            " differs from the URI's " + submission.doc_id);
  }
  Normalized out;
  for (const auto& scalar : ping.payload().scalars()) {
    ScalarRow row;
    row.probe = scalar.name();
    if (row.probe.empty() || !SetValue(scalar.value(), &row)) {
      return Refuse(Reason::kInvalidPing, "a scalar has no name or no value");
    }
    out.scalars.push_back(std::move(row));
  }
  for (const auto& keyed : ping.payload().keyed_scalars()) {
    for (const auto& [key, value] : keyed.values()) {
      ScalarRow row;
      row.probe = keyed.name();
      row.key = key;
      if (row.probe.empty() || !SetValue(value, &row)) {
        return Refuse(Reason::kInvalidPing, "a keyed scalar has no name or no value");
      }
      out.scalars.push_back(std::move(row));
    }
  }

  PingContext context;
  context.uid = HashId(NonEmpty(ping.account().uid()), hasher);
  context.device_id = HashId(NonEmpty(ping.account().device_id()), hasher);
  context.ua_browser = NonEmpty(ping.app().name());
  context.ua_version = NonEmpty(ping.app().version());
  context.ua_os = NonEmpty(ping.environment().os());
  bool carries_ids = context.uid.has_value() || context.device_id.has_value();
  for (const auto& event : ping.payload().events()) {
    if (event.category().empty() || event.method().empty()) {
      return Refuse(Reason::kInvalidPing, "an event has no category or method");
    }
    Extras extras;
    for (const auto& [key, value] : event.extras()) extras.Add(key, value);
    carries_ids = carries_ids || extras.CarriesIds();
    out.activity.push_back(ActivityFromEvent(
        event.timestamp_ms(), event.category() + "." + event.method(), extras, context, hasher));
  }
  if (context.uid || context.device_id) {
    int64_t at = ping.end_time_ms();
    if (at <= 0) at = ping.creation_time_ms();
    if (at <= 0) at = submission.received_ms;
    out.activity.push_back(ActivityFromPing(at, submission.doc_type, context));
  }
  if (carries_ids) {
    Redact(hasher, context, &ping);
    out.redacted = ping.SerializeAsString();
  }
  return out;
}

}  // namespace telemetry::collector
