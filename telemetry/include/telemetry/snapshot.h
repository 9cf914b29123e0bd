// What a store holds at one moment: the payload of one ping.
//
// Plain values, owned by the caller; thread-compatible.
#ifndef TELEMETRY_SNAPSHOT_H_
#define TELEMETRY_SNAPSHOT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace telemetry {

// uint32_t for uint scalars, bool for boolean ones, std::string for string ones.
using ScalarValue = std::variant<uint32_t, bool, std::string>;

struct ScalarEntry {
  std::string name;  // "category.name"
  ScalarValue value;
  bool operator==(const ScalarEntry&) const = default;
};

struct KeyedScalarEntry {
  std::string name;
  std::vector<std::pair<std::string, ScalarValue>> values;  // Sorted by key.
  bool operator==(const KeyedScalarEntry&) const = default;
};

struct EventEntry {
  int64_t timestamp_ms = 0;  // UTC milliseconds since the Unix epoch.
  std::string category;
  std::string method;
  std::string object;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> extras;  // In the order recorded.
  bool operator==(const EventEntry&) const = default;
};

struct StoreSnapshot {
  std::string store;
  std::vector<ScalarEntry> scalars;             // Sorted by name; only probes with a value.
  std::vector<KeyedScalarEntry> keyed_scalars;  // Sorted by name; only probes with a key.
  std::vector<EventEntry> events;               // In timestamp order (stable).

  bool empty() const { return scalars.empty() && keyed_scalars.empty() && events.empty(); }
};

}  // namespace telemetry

#endif  // TELEMETRY_SNAPSHOT_H_
