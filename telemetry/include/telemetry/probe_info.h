// Probe definitions: every field of Firefox's Scalars.yaml and Events.yaml schema.
//
// These are plain values that a Registry owns once they are validated; they are never
// modified afterwards, so any number of threads may read them at once.
#ifndef TELEMETRY_PROBE_INFO_H_
#define TELEMETRY_PROBE_INFO_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/diagnostic.h"

namespace telemetry {

enum class ScalarKind : uint8_t { kUint, kString, kBoolean };

// `release_channel_collection`. opt-in (the default) probes are recorded only while extended
// collection is on; opt-out probes whenever recording is on.
enum class CollectionPolicy : uint8_t { kOptIn, kOptOut };

std::string_view ScalarKindName(ScalarKind kind);                // "uint", "string", "boolean"
std::string_view CollectionPolicyName(CollectionPolicy policy);  // "opt-in", "opt-out"

// The fields both kinds of probe share.
struct ProbeCommon {
  std::string category;  // "browser.engagement"
  std::string name;      // "tab_open_event_count"
  std::string description;
  std::vector<int64_t> bug_numbers;
  std::vector<std::string> notification_emails;
  std::vector<std::string> record_in_processes;  // "main", "content", "all", ...
  std::vector<std::string> products;             // "firefox", ...
  std::vector<std::string> record_into_store;    // Default: {"main"}.
  std::vector<std::string> operating_systems;    // Obsolete; kept as read.
  CollectionPolicy collection = CollectionPolicy::kOptIn;
  SourceLocation location;  // Where the definition starts.

  // "category.name".
  std::string FullName() const;
};

struct ScalarInfo : ProbeCommon {
  ScalarKind kind = ScalarKind::kUint;
  bool keyed = false;
  std::vector<std::string> keys;  // Allow-list of keys; empty means any key.
  std::string expires;            // "never" or a major version ("164").
};

struct EventExtraKey {
  std::string name;
  std::string description;
};

// An event definition: every method x object pair of it is one recordable event.
struct EventInfo : ProbeCommon {
  std::vector<std::string> methods;  // Default: {name}.
  std::vector<std::string> objects;
  std::vector<EventExtraKey> extra_keys;  // In file order.
  std::string expiry_version;             // "never" or a major version ("164").
};

// True when a probe with this expiry ("never", "164") has expired for `app_version`
// ("165.0.1", "164.0a1"): Firefox expires a probe at the first build of that major version.
// An empty or unparsable app version expires nothing.
bool IsExpired(std::string_view expiry, std::string_view app_version);

}  // namespace telemetry

#endif  // TELEMETRY_PROBE_INFO_H_
