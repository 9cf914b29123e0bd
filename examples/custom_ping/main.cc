// Seed 003's custom ping: a ping "custom" on a persistent 24-hour timer that, each time it
// fires, records one random value into browser.engagement.tick_times_rand, then snapshots and
// clears custom-store, and sends the scalars beside `custom: "This is custom data"`, without the
// client id and with the environment. It is also sent once at start. The main store keeps its
// own copy of tab_open_event_count: clearing custom-store does not touch it.
//
//   custom_ping --collector http://127.0.0.1:8080 --data-dir /tmp/custom-ping [--tabs 3]
//
// Exits 0 once the start ping is delivered (acknowledged by the collector), 1 otherwise.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include "pings/ping_service.h"
#include "telemetry/custom_ping_probes.h"
#include "telemetry/telemetry.h"

namespace probes = custom_ping::probes::browser_engagement;

namespace {

struct Options {
  std::string collector = "http://127.0.0.1:8080";
  std::string data_dir = "custom-ping-data";
  int tabs = 3;
};

bool Parse(int argc, char** argv, Options* options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--collector") {
      options->collector = argv[i + 1];
    } else if (flag == "--data-dir") {
      options->data_dir = argv[i + 1];
    } else if (flag == "--tabs") {
      options->tabs = std::atoi(argv[i + 1]);
    } else {
      return false;
    }
  }
  return argc % 2 == 1;
}

// The seed's ping: custom-store, daily, no client id, with the environment; its hook records
// the tick value first, so it lands in this very ping, and adds the application's field.
pings::PingType CustomPingType(telemetry::Telemetry& telemetry) {
  pings::PingType custom = pings::CustomPing();
  custom.reasons = {"daily", "start"};
  custom.before_assembly = [&telemetry](std::string_view) {
    static std::mt19937 random(std::random_device{}());
    telemetry.Set(probes::kTickTimesRand, std::uniform_int_distribution<uint32_t>(0, 99)(random));
    return pings::PingFields{{"custom", "This is custom data"}};
  };
  return custom;
}

// Waits (up to 15 s) for the start ping to leave the pending queue for the archive.
bool WaitForDelivery(telemetry::Telemetry& telemetry) {
  for (int i = 0; i < 150; ++i) {
    auto archived = telemetry.ping_storage()->ArchivedPings();
    if (archived.ok()) {
      for (const telemetry::ArchivedPing& ping : *archived) {
        if (ping.ping_type == "custom") {
          std::cout << "custom ping " << ping.document_id << " delivered\n";
          return true;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!Parse(argc, argv, &options)) {
    std::cerr << "usage: custom_ping [--collector URL] [--data-dir DIR] [--tabs N]\n";
    return 2;
  }
  telemetry::TelemetryConfig config;
  config.app_name = "custom-ping-example";
  config.app_version = "1.0";
  config.channel = "release";
  config.data_dir = options.data_dir;
  config.registry = custom_ping::probes::CompiledRegistry();
  auto telemetry = telemetry::Telemetry::Open(config);
  if (!telemetry.ok()) {
    std::cerr << "custom_ping: " << telemetry.status().ToString() << "\n";
    return 1;
  }
  for (int i = 0; i < options.tabs; ++i) (*telemetry)->Add(probes::kTabOpenEventCount, 1);

  pings::PingServiceConfig ping_config;
  ping_config.server_url = options.collector;
  ping_config.pings = {CustomPingType(**telemetry)};
  ping_config.environment = {"Linux", "6.1", "x86_64", "en-US"};
  auto service = pings::PingService::Start(**telemetry, ping_config);
  if (!service.ok()) {
    std::cerr << "custom_ping: " << service.status().ToString() << "\n";
    return 1;
  }
  // As the seed does for testing: send it once at start, not only when the 24 hours pass.
  if (telemetry::Status s = (*service)->Submit("custom", "start"); !s.ok()) {
    std::cerr << "custom_ping: " << s.ToString() << "\n";
    return 1;
  }
  const bool delivered = WaitForDelivery(**telemetry);
  auto main_store = (*telemetry)->Snapshot("main", /*clear=*/false);
  for (const telemetry::ScalarEntry& scalar : main_store->scalars) {
    if (scalar.name == "browser.engagement.tab_open_event_count") {
      std::cout << "main store: " << scalar.name << " = " << std::get<uint32_t>(scalar.value)
                << "\n";
    }
  }
  (*service)->Shutdown();
  (*telemetry)->Shutdown();
  if (!delivered) std::cerr << "custom_ping: the custom ping was not delivered\n";
  return delivered ? 0 : 1;
}
