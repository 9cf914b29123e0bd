// The smallest embedding: one file built with pkg-config, no CMake and no generated handles.
// Probes are registered at run time from YAML text and recorded by name.
//
//   c++ pkgconfig_app.cc $(pkg-config --cflags --libs telemetry) -o pkgconfig_app
#include <iostream>
#include <memory>

#include "telemetry/telemetry.h"

int main() {
  telemetry::TelemetryConfig config;
  config.app_name = "one-file";
  config.registry = std::make_shared<const telemetry::Registry>();  // Probes come at run time.
  auto telemetry = telemetry::Telemetry::Open(config);
  if (!telemetry.ok()) return 1;
  telemetry::Status registered = (*telemetry)->RegisterScalars(R"(
app.usage:
  launches:
    description: How often the app started.
    kind: uint
    expires: never
    bug_numbers: [1]
    notification_emails: ['dev@example.org']
    products: ['firefox']
    record_in_processes: ['main']
    release_channel_collection: opt-out
)");
  if (!registered.ok()) {
    std::cerr << registered.ToString() << "\n";
    return 1;
  }
  (void)(*telemetry)->ScalarAdd("app.usage.launches", 2);
  auto snapshot = (*telemetry)->Snapshot("main", /*clear=*/true);
  if (!snapshot.ok() || snapshot->scalars.size() != 1) return 1;
  std::cout << snapshot->scalars[0].name << " = " << std::get<uint32_t>(snapshot->scalars[0].value)
            << "\n";
  return 0;
}
