// telemetry-simulate: a fleet of accounts and devices on the real library, sending pings to a
// real collector in simulated time.
//
//   telemetry-simulate --users 50 --days 14 --collector http://127.0.0.1:8080 [--seed 1]
//       [--data-dir DIR] [--expected-kpis FILE]
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "fleet_simulator.h"
#include "telemetry/base/clock.h"
#include "telemetry/base/utc_date.h"
#include "tools/simulate/reference_kpis.h"

int main(int argc, char** argv) {
  CLI::App app{"Simulates accounts and devices that record telemetry and send pings"};
  telemetry::simulate::SimulationConfig config;
  std::string expected_file;
  app.add_option("--users", config.users, "Accounts to simulate")->check(CLI::Range(1, 100000));
  app.add_option("--days", config.days, "Days of simulated time")->check(CLI::Range(1, 3650));
  app.add_option("--collector", config.collector_url, "The collector's URL")->required();
  app.add_option("--seed", config.seed, "Random seed")->capture_default_str();
  app.add_option("--data-dir", config.data_dir,
                 "Where the devices keep their data (default: a new temporary directory)");
  app.add_option("--expected-kpis", expected_file,
                 "Write the KPIs computed from the simulator's own record here (CSV)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (config.data_dir.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "telemetry-sim-XXXXXX");
    config.data_dir = mkdtemp(pattern.data());
  }
  const int64_t now = telemetry::SystemClock().NowMillis();
  // The simulated days end yesterday, so the daily job can aggregate all of them.
  config.first_day = telemetry::UtcDayOf(now) - config.days;
  if (isatty(STDERR_FILENO)) {
    config.progress = [](int day, int days) {
      std::cerr << "\rsimulating day " << (day + 1) << " of " << days << "   " << std::flush;
    };
  }
  telemetry::Result<telemetry::simulate::SimulationResult> result =
      telemetry::simulate::Simulate(config);
  if (isatty(STDERR_FILENO)) std::cerr << "\r                              \r";
  if (!result.ok()) {
    std::cerr << "telemetry-simulate: " << result.status().ToString() << "\n";
    return 1;
  }
  std::cout << "simulated " << config.users << " accounts with " << result->devices
            << " devices over " << config.days << " days ("
            << telemetry::UtcDateOfDay(config.first_day) << " to "
            << telemetry::UtcDateOfDay(config.first_day + config.days - 1)
            << "): " << result->activity.size() << " account events, " << result->pings_delivered
            << " pings delivered, " << result->pings_pending << " left pending\n";
  if (!expected_file.empty()) {
    std::ofstream out(expected_file);
    out << telemetry::simulate::ReferenceKpisCsv(result->expected);
  }
  return result->pings_pending == 0 ? 0 : 1;
}
