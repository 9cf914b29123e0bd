// A client database on restore: the input is <data_dir>/telemetry.db and Telemetry::Open must
// not crash on it (it may refuse it, or move it aside and start empty); an instance that opens
// must record and shut down.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "fuzz/fuzz_support.h"
#include "telemetry/project_probes.h"
#include "telemetry/telemetry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string dir = telemetry::fuzz::ScratchDir() + "/data";
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  std::filesystem::create_directories(dir);
  telemetry::fuzz::WriteFile(dir + "/telemetry.db", telemetry::fuzz::AsText(data, size));

  telemetry::TelemetryConfig config;
  config.app_name = "firefox";
  config.app_version = "130.0";
  config.channel = "release";
  config.registry = telemetry::probes::CompiledRegistry();
  config.data_dir = dir;
  config.checkpoint_interval_ms = 0;
  telemetry::Result<std::unique_ptr<telemetry::Telemetry>> opened =
      telemetry::Telemetry::Open(config);
  if (!opened.ok()) return 0;
  telemetry::Telemetry& t = **opened;
  t.Add(telemetry::probes::browser_engagement::kTabOpenEventCount, 1);
  for (const std::string& store : t.Stores()) (void)t.Snapshot(store, /*clear=*/false);
  if (t.ping_storage() != nullptr) (void)t.ping_storage()->PendingPings();
  (void)t.client_id();
  (void)t.Checkpoint();
  t.Shutdown();
  return 0;
}
