// The subcommands of telemetry-collector. Each Add* registers its options on `app`; when the
// subcommand is chosen, its callback runs it and stores the process exit status in *exit_code.
#ifndef TELEMETRY_COLLECTOR_CLI_COMMANDS_H_
#define TELEMETRY_COLLECTOR_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace telemetry::collector::cli {

// Exit statuses shared by the subcommands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;       // The database, a file or the network failed.
inline constexpr int kExitUsage = 2;         // Wrong options, or a refusal to start.
inline constexpr int kExitRowsRejected = 3;  // import: some rows were rejected (others kept).
inline constexpr int kExitNothingToDo = 3;   // aggregate: every day up to yesterday was done.
inline constexpr int kExitBusy = 4;          // aggregate: another run holds the job.

// For numeric options: digits only, so that "0x50", "1e3" or "-1" are refused instead of being
// read in another base or wrapped around. Chain a CLI::Range for the bounds.
inline CLI::Validator PlainDecimal() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (!value.empty() && value.size() <= 9 &&
            value.find_first_not_of("0123456789") == std::string::npos) {
          return "";
        }
        return "'" + value.substr(0, 20) + "' is not a plain decimal number";
      },
      "DECIMAL");
}

// A port as people write it: 1 to 5 decimal digits, at most 65535 (0: any free port).
inline std::optional<int> ParsePort(const std::string& text) {
  if (text.empty() || text.size() > 5 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const int port = std::stoi(text);  // Cannot throw: at most five digits.
  if (port > 65535) return std::nullopt;
  return port;
}

void AddServeCommand(CLI::App& app, int* exit_code);
void AddImportCommand(CLI::App& app, int* exit_code);
void AddStatsCommand(CLI::App& app, int* exit_code);
void AddRejectionsCommand(CLI::App& app, int* exit_code);  // rejections_command.cc
void AddAggregateCommand(CLI::App& app, int* exit_code);   // kpi_commands.cc
void AddKpisCommand(CLI::App& app, int* exit_code);        // kpi_commands.cc
void AddDashboardCommand(CLI::App& app, int* exit_code);   // dashboard_command.cc

}  // namespace telemetry::collector::cli

#endif  // TELEMETRY_COLLECTOR_CLI_COMMANDS_H_
