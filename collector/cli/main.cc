// telemetry-collector: the ingestion server (serve), the event-table importer (import), a
// summary of what is stored (stats), the daily KPI job (aggregate, kpis) and the KPI dashboard
// (dashboard). docs/COLLECTOR.md, docs/KPIS.md and docs/DASHBOARD.md describe them.
#include <CLI/CLI.hpp>

#include "collector/cli/commands.h"
#include "telemetry/base/sqlite.h"

int main(int argc, char** argv) {
  namespace cli = telemetry::collector::cli;
  // Before any database is opened: the KPI job's threads would contend on the statistics' lock.
  (void)telemetry::sqlite::DisableMemoryStatistics();
  CLI::App app("telemetry-collector: stores pings and account activity", "telemetry-collector");
  app.require_subcommand(1);
  int exit_code = cli::kExitOk;
  cli::AddServeCommand(app, &exit_code);
  cli::AddImportCommand(app, &exit_code);
  cli::AddStatsCommand(app, &exit_code);
  cli::AddRejectionsCommand(app, &exit_code);
  cli::AddAggregateCommand(app, &exit_code);
  cli::AddKpisCommand(app, &exit_code);
  cli::AddDashboardCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? cli::kExitOk : cli::kExitUsage;
  }
  return exit_code;
}
