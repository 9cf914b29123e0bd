// Helpers for the recorder's suites: an instance over the test probes (tests/data) with a
// manual clock, and snapshot look-ups.
#ifndef TELEMETRY_TESTS_RECORDER_SUPPORT_H_
#define TELEMETRY_TESTS_RECORDER_SUPPORT_H_

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "telemetry/telemetry.h"
#include "telemetry/test_probes.h"

namespace telemetry::testing {

inline constexpr int64_t kStartMillis = 1456358400000;  // 2016-02-25T00:00:00Z

// A config over the test probes: app version 3.0 (so `expires: "2"` probes have expired),
// extended collection on, a manual clock at kStartMillis.
inline TelemetryConfig TestConfig(std::shared_ptr<ManualClock> clock = nullptr) {
  TelemetryConfig config;
  config.app_name = "test-app";
  config.app_version = "3.0";
  config.channel = "nightly";
  config.registry = test_probes::CompiledRegistry();
  config.extended_collection = true;
  config.clock = clock ? clock : std::make_shared<ManualClock>(kStartMillis);
  return config;
}

inline std::unique_ptr<Telemetry> OpenOrDie(TelemetryConfig config) {
  Result<std::unique_ptr<Telemetry>> opened = Telemetry::Open(std::move(config));
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

inline StoreSnapshot SnapshotOrDie(Telemetry& telemetry, const std::string& store, bool clear) {
  Result<StoreSnapshot> snapshot = telemetry.Snapshot(store, clear);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  return snapshot.ok() ? std::move(snapshot).value() : StoreSnapshot{};
}

// The value of scalar `name` in `snapshot`, if it has one.
inline std::optional<ScalarValue> Scalar(const StoreSnapshot& snapshot, const std::string& name) {
  for (const ScalarEntry& entry : snapshot.scalars) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

inline std::optional<ScalarValue> Keyed(const StoreSnapshot& snapshot, const std::string& name,
                                        const std::string& key) {
  for (const KeyedScalarEntry& entry : snapshot.keyed_scalars) {
    if (entry.name != name) continue;
    for (const auto& [k, v] : entry.values) {
      if (k == key) return v;
    }
  }
  return std::nullopt;
}

// The recorder's health counter `telemetry.recorder.<name>` in `store` (0 when absent).
inline uint32_t Health(Telemetry& telemetry, const std::string& name,
                       const std::string& store = "main") {
  StoreSnapshot snapshot = SnapshotOrDie(telemetry, store, /*clear=*/false);
  std::optional<ScalarValue> value = Scalar(snapshot, "telemetry.recorder." + name);
  return value ? std::get<uint32_t>(*value) : 0;
}

}  // namespace telemetry::testing

#endif  // TELEMETRY_TESTS_RECORDER_SUPPORT_H_
