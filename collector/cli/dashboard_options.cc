#include "collector/cli/dashboard_options.h"

#include "collector/dashboard/access_token.h"

namespace telemetry::collector::cli {

void AddDashboardOptions(CLI::App* command, DashboardFlags* flags) {
  command->add_option("--dashboard-token", flags->token_file,
                      "File whose first line is the dashboard's access token (16 characters or "
                      "more); required to listen beyond loopback");
  command
      ->add_option("--goal-multi-device-percent", flags->goals.multi_device_percent,
                   "Goal line: at least this % of DAU are multi-device users")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  command
      ->add_option("--goal-ttc-new-seconds", flags->goals.ttc_new_seconds,
                   "Goal line: median time to connect a device, new accounts, under this")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--goal-ttc-existing-seconds", flags->goals.ttc_existing_seconds,
                   "Goal line: the same for existing accounts")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

Result<dashboard::DashboardOptions> DashboardOptionsFor(const DashboardFlags& flags,
                                                        const std::string& db,
                                                        const std::string& host) {
  dashboard::DashboardOptions options;
  options.db_path = db;
  options.goals = flags.goals;
  if (!flags.token_file.empty()) {
    Result<std::string> token = dashboard::ReadAccessToken(flags.token_file);
    if (!token.ok()) return token.status();
    options.token = std::move(*token);
  } else if (!dashboard::IsLoopbackHost(host)) {
    return Status::InvalidArgument("the dashboard listens on " + host +
                                   ", beyond loopback: give --dashboard-token FILE");
  }
  return options;
}

}  // namespace telemetry::collector::cli
