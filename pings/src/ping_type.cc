#include "pings/ping_type.h"

namespace pings {

telemetry::Status ValidatePingName(std::string_view name) {
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  bool ok = name.size() >= 3 && lower_alnum(name.front()) && lower_alnum(name.back());
  for (char c : name) ok = ok && (lower_alnum(c) || c == '-');
  if (ok) return telemetry::Status::Ok();
  return telemetry::Status::InvalidArgument("ping name '" + std::string(name) +
                                            "' must match ^[a-z0-9][a-z0-9-]+[a-z0-9]$");
}

telemetry::Status ValidatePingType(const PingType& type) {
  if (telemetry::Status s = ValidatePingName(type.name); !s.ok()) return s;
  if (type.interval_ms < 0) {
    return telemetry::Status::InvalidArgument(type.name + ": the interval must not be negative");
  }
  if (type.reasons.empty()) {
    return telemetry::Status::InvalidArgument(type.name + ": name at least one reason");
  }
  return telemetry::Status::Ok();
}

PingType MainPing() {
  return {.name = "main",
          .store = "main",
          .interval_ms = kDayMillis,
          .reasons = {"daily", "shutdown", "environment-change"}};
}

PingType CustomPing() {
  return {.name = "custom",
          .store = "custom-store",
          .interval_ms = kDayMillis,
          .include_client_id = false,
          .reasons = {"daily"}};
}

PingType DeletionRequestPing() {
  return {.name = "deletion-request",
          .include_environment = false,
          .send_if_empty = true,
          .reasons = {"set_upload_enabled"}};
}

}  // namespace pings
