// telemetry-collector dashboard: the KPI dashboard alone, over a read-only database, for an
// analyst's machine or an internal host (docs/DASHBOARD.md).
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <thread>

#include "collector/cli/commands.h"
#include "collector/cli/dashboard_options.h"
#include "collector/http/server.h"
#include "collector/kpi/kpi_job.h"

namespace telemetry::collector::cli {
namespace {

struct DashboardArgs {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  DashboardFlags flags;
};

int Refuse(const std::string& why) {
  std::fprintf(stderr, "telemetry-collector dashboard: refusing to start: %s\n", why.c_str());
  return kExitUsage;
}

// Serves until SIGTERM or SIGINT, taken by one thread with sigwait().
int Serve(const ServerOptions& server_options, const dashboard::DashboardOptions& options) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Metrics metrics;
  SystemClock clock;
  HttpServer server(server_options, &metrics, &clock);
  RouteHandler handler = dashboard::DashboardHandler(options);
  for (const char* prefix : dashboard::kDashboardRoutePrefixes) server.AddRoute(prefix, handler);
  Result<int> port = server.Bind();
  if (!port.ok()) {
    std::fprintf(stderr, "telemetry-collector dashboard: %s\n", port.status().message().c_str());
    return kExitFailure;
  }
  std::thread signal_thread([&server, signals] {
    int signal = 0;
    sigwait(&signals, &signal);
    server.Stop();
  });
  std::printf("telemetry-collector: listening on http://%s:%d\n", server_options.host.c_str(),
              *port);
  std::printf("dashboard: http://%s:%d/dashboard/\n", server_options.host.c_str(), *port);
  std::fflush(stdout);
  server.Run();
  pthread_kill(signal_thread.native_handle(), SIGTERM);  // Run() may end on its own.
  signal_thread.join();
  std::printf("telemetry-collector: stopped\n");
  return kExitOk;
}

int RunDashboard(const DashboardArgs& args) {
  const size_t colon = args.listen.rfind(':');
  const std::optional<int> port =
      colon == std::string::npos ? std::nullopt : ParsePort(args.listen.substr(colon + 1));
  if (!port) return Refuse("--listen wants HOST:PORT, not " + args.listen.substr(0, 200));
  ServerOptions server_options;
  server_options.host = args.listen.substr(0, colon);
  server_options.port = *port;
  Result<dashboard::DashboardOptions> options =
      DashboardOptionsFor(args.flags, args.db, server_options.host);
  if (!options.ok()) return Refuse(options.status().message());
  // Said now rather than on the first page: a missing or unaggregated database.
  if (Result<std::unique_ptr<sqlite::Database>> db = kpi::OpenForReading(args.db); !db.ok()) {
    std::fprintf(stderr, "telemetry-collector dashboard: %s\n", db.status().message().c_str());
    return kExitFailure;
  }
  return Serve(server_options, *options);
}

}  // namespace

void AddDashboardCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<DashboardArgs>();
  CLI::App* command = app.add_subcommand(
      "dashboard", "Serve the KPI dashboard alone over a database, read-only (at /dashboard/)");
  command->add_option("--db", args->db, "The collector's SQLite database, aggregated")->required();
  command->add_option("--listen", args->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  AddDashboardOptions(command, &args->flags);
  command->callback([args, exit_code] { *exit_code = RunDashboard(*args); });
}

}  // namespace telemetry::collector::cli
