// The subcommands of telemetry-collector. Each Add* registers its options on `app`; when the
// subcommand is chosen, its callback runs it and stores the process exit status in *exit_code.
#ifndef TELEMETRY_COLLECTOR_CLI_COMMANDS_H_
#define TELEMETRY_COLLECTOR_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace telemetry::collector::cli {

// Exit statuses shared by the subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;       // The database, a file or the network failed.
inline constexpr int kExitUsage = 2;         // Wrong options, or a refusal to start.
inline constexpr int kExitRowsRejected = 3;  // import: some rows were rejected (others kept).

void AddServeCommand(CLI::App& app, int* exit_code);
void AddImportCommand(CLI::App& app, int* exit_code);
void AddStatsCommand(CLI::App& app, int* exit_code);
void AddRejectionsCommand(CLI::App& app, int* exit_code);  // rejections_command.cc
void AddAggregateCommand(CLI::App& app, int* exit_code);   // kpi_commands.cc
void AddKpisCommand(CLI::App& app, int* exit_code);        // kpi_commands.cc

}  // namespace telemetry::collector::cli

#endif  // TELEMETRY_COLLECTOR_CLI_COMMANDS_H_
