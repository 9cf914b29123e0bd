// Ping definitions: what a ping takes, when it goes, and what it carries.
//
//   pings::PingType custom = pings::CustomPing();  // "custom" from custom-store, daily
//   custom.before_assembly = [&](std::string_view reason) {
//     telemetry->Set(probes::kBrowserEngagementTickTimesRand, NextRandom());  // lands in it
//     return pings::PingFields{{"custom", "This is custom data"}};
//   };
//
// Plain values; thread-compatible.
#ifndef PINGS_PING_TYPE_H_
#define PINGS_PING_TYPE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/base/status.h"
#include "telemetry/base/utc_date.h"

namespace pings {

using telemetry::kDayMillis;

// The application's own fields of a ping's payload (Payload.fields on the wire).
using PingFields = std::map<std::string, std::string>;

struct PingType {
  std::string name;         // ^[a-z0-9][a-z0-9-]+[a-z0-9]$
  std::string store;        // The store it snapshots and clears; empty: no payload.
  int64_t interval_ms = 0;  // Fires every interval; 0: only when the application submits.
  bool include_client_id = true;
  bool include_environment = true;
  bool send_if_empty = false;        // An empty store skips the ping (the timer still restarts).
  std::vector<std::string> reasons;  // reasons[0] is the scheduled reason; "overdue" is implied.
  uint32_t version = 1;
  // Runs each time the ping fires, before its store is snapshot (so what it records lands in
  // this ping), on the thread that fires it; returns the payload's application fields. It must
  // not call back into the PingService.
  std::function<PingFields(std::string_view reason)> before_assembly;
};

// InvalidArgument unless `name` matches ^[a-z0-9][a-z0-9-]+[a-z0-9]$.
telemetry::Status ValidatePingName(std::string_view name);
// InvalidArgument for a bad name, a negative interval or no reasons.
telemetry::Status ValidatePingType(const PingType& type);

// Built in: "main" from store main, daily, also at shutdown and on environment change.
PingType MainPing();
// "custom" from custom-store every 24 hours, without the client id (the multi-store design).
PingType CustomPing();
// "deletion-request": sent when the user withdraws consent, with the client id only.
PingType DeletionRequestPing();

}  // namespace pings

#endif  // PINGS_PING_TYPE_H_
