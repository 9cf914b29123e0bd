#include <cstdio>
#include <memory>
#include <string>

#include "collector/cli/commands.h"
#include "collector/cli/store_options.h"
#include "collector/stats/stats_report.h"

namespace telemetry::collector::cli {
namespace {

struct StatsArgs {
  StoreFlags store;
  bool json = false;
};

int RunStats(const StatsArgs& args) {
  Result<StoreUrl> url = StoreUrlOf(args.store.store, args.store.db);
  if (!url.ok()) {
    std::fprintf(stderr, "telemetry-collector stats: %s\n", url.status().message().c_str());
    return kExitUsage;
  }
  Result<std::unique_ptr<Storage>> storage = OpenStore(*url, "", false);
  if (!storage.ok()) {
    std::fprintf(stderr, "telemetry-collector stats: %s\n", storage.status().message().c_str());
    return kExitFailure;
  }
  Result<Stats> stats = (*storage)->ReadStats();
  if (!stats.ok()) {
    std::fprintf(stderr, "telemetry-collector stats: %s\n", stats.status().message().c_str());
    return kExitFailure;
  }
  const std::string text = args.json ? RenderStatsJson(*stats) : RenderStatsText(*stats);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

}  // namespace

void AddStatsCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* command = app.add_subcommand(
      "stats", "Pings by namespace, type and day; activity events by type and day; rejections");
  AddStoreOptions(command, &args->store, "The collector's SQLite database");
  command->add_flag("--json", args->json, "Print one JSON object");
  command->callback([args, exit_code] { *exit_code = RunStats(*args); });
}

}  // namespace telemetry::collector::cli
