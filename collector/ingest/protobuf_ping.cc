#include "collector/ingest/protobuf_ping.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <algorithm>
#include <optional>
#include <string>

#include "collector/ingest/activity_builder.h"
#include "collector/ingest/limits.h"
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

// The messages of ping.proto whose fields the scan below counts, and which of their fields are
// messages themselves (map fields are messages of entries on the wire).
enum class Kind { kPing, kPayload, kScalar, kKeyedScalar, kValueEntry, kEvent, kOther };

// The kind of a message-typed field; nullopt for any other field (strings, numbers).
std::optional<Kind> ChildKind(Kind parent, uint32_t field) {
  switch (parent) {
    case Kind::kPing:
      if (field == 14) return Kind::kPayload;
      if (field == 4 || field == 11 || field == 12) return Kind::kOther;
      return std::nullopt;
    case Kind::kPayload:
      if (field == 1) return Kind::kScalar;
      if (field == 2) return Kind::kKeyedScalar;
      if (field == 3) return Kind::kEvent;
      if (field == 4) return Kind::kOther;
      return std::nullopt;
    case Kind::kScalar:
      if (field == 2) return Kind::kOther;
      return std::nullopt;
    case Kind::kKeyedScalar:
      if (field == 2) return Kind::kValueEntry;
      return std::nullopt;
    case Kind::kValueEntry:
      if (field == 2) return Kind::kOther;
      return std::nullopt;
    case Kind::kEvent:
      if (field == 6) return Kind::kOther;
      return std::nullopt;
    case Kind::kOther:
      break;
  }
  return std::nullopt;
}

struct FieldCounts {
  size_t fields = 0;  // Every field of every message: what parsing would allocate for.
  size_t events = 0;
  size_t scalar_rows = 0;
  size_t max_extras = 0;
  size_t max_keys = 0;
};

// Walks one message on the wire, counting, without building it: the parsed ping costs memory
// in proportion to these counts, so they are checked before parsing. False: not protobuf.
bool Scan(google::protobuf::io::CodedInputStream& in, Kind kind, FieldCounts* counts) {
  using google::protobuf::internal::WireFormatLite;
  size_t repeated = 0;  // Extras of an event, keys of a keyed scalar.
  while (uint32_t tag = in.ReadTag()) {
    if (++counts->fields > kMaxProtobufFields) return true;  // Refused by the caller.
    const std::optional<Kind> child = ChildKind(kind, WireFormatLite::GetTagFieldNumber(tag));
    if (child && WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t length = 0;
      if (!in.ReadVarint32(&length) || length > INT32_MAX) return false;
      const auto limit = in.PushLimit(static_cast<int>(length));
      if (*child == Kind::kEvent) ++counts->events;
      if (*child == Kind::kScalar || *child == Kind::kValueEntry) ++counts->scalar_rows;
      if (kind == Kind::kKeyedScalar || kind == Kind::kEvent) ++repeated;
      if (!Scan(in, *child, counts)) return false;
      if (counts->fields > kMaxProtobufFields) return true;
      if (!in.ConsumedEntireMessage()) return false;
      in.PopLimit(limit);
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      return false;
    }
  }
  if (kind == Kind::kEvent) counts->max_extras = std::max(counts->max_extras, repeated);
  if (kind == Kind::kKeyedScalar) counts->max_keys = std::max(counts->max_keys, repeated);
  return true;
}

// Ok when the ping on the wire is within every limit (or is no protobuf: parsing says so).
Status CheckWireLimits(std::string_view decoded) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(decoded.data()),
                                            static_cast<int>(decoded.size()));
  FieldCounts counts;
  // A scan stopped at the field cap, or one that met broken bytes, still says what it counted;
  // bytes that are no protobuf are left to ParseFromArray to refuse.
  (void)Scan(in, Kind::kPing, &counts);
  for (Status s : {CheckLimit(counts.fields, kMaxProtobufFields, "protobuf fields"),
                   CheckLimit(counts.events, kMaxEventsPerPing, "events"),
                   CheckLimit(counts.max_extras, kMaxExtrasPerEvent, "extras of an event"),
                   CheckLimit(counts.max_keys, kMaxKeysPerScalar, "keys of a keyed scalar"),
                   CheckLimit(counts.scalar_rows, kMaxScalarRowsPerPing, "scalar values")}) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
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
  if (decoded.size() > static_cast<size_t>(INT32_MAX)) {
    return Refuse(Reason::kInvalidProtobuf, "the body is not a telemetry.ping.Ping message");
  }
  if (Status s = CheckWireLimits(decoded); !s.ok()) return s;
  Ping ping;
  if (!ping.ParseFromArray(decoded.data(), static_cast<int>(decoded.size()))) {
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
