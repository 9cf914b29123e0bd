// --dashboard-token FILE and the goal lines, shared by `dashboard` and `serve --dashboard`; and
// the rule both keep: a dashboard listens beyond loopback only with a token.
#ifndef TELEMETRY_COLLECTOR_CLI_DASHBOARD_OPTIONS_H_
#define TELEMETRY_COLLECTOR_CLI_DASHBOARD_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <string>

#include "collector/dashboard/dashboard.h"
#include "telemetry/base/status.h"

namespace telemetry::collector::cli {

struct DashboardFlags {
  std::string token_file;
  dashboard::DashboardGoals goals;
};

void AddDashboardOptions(CLI::App* command, DashboardFlags* flags);

// The dashboard's options over `db`, listening on `host`; InvalidArgument, with the one line to
// print, for a non-loopback host without --dashboard-token or a token file that cannot be used.
Result<dashboard::DashboardOptions> DashboardOptionsFor(const DashboardFlags& flags,
                                                        const std::string& db,
                                                        const std::string& host);

}  // namespace telemetry::collector::cli

#endif  // TELEMETRY_COLLECTOR_CLI_DASHBOARD_OPTIONS_H_
