#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "collector/cli/commands.h"
#include "collector/cli/dashboard_options.h"
#include "collector/cli/key_options.h"
#include "collector/cli/store_options.h"
#include "collector/collector_service.h"

namespace telemetry::collector::cli {
namespace {

struct ServeArgs {
  StoreFlags store;
  std::string spool = "telemetry-collector.spool.db";
  int64_t spool_max_records = 1000000;
  int forward_interval_ms = 1000;
  size_t forward_batch = 50000;
  std::string listen = "127.0.0.1:8080";
  std::string glean_schema;
  KeyOptions key;
  size_t io_threads = 2;
  size_t max_connections = 10000;
  int idle_timeout_ms = 5000;
  int head_timeout_ms = 5000;
  int body_grace_ms = 2000;
  size_t min_body_rate = 1024;
  int write_timeout_ms = 10000;
  int drain_timeout_ms = 5000;
  size_t max_pending_body_mb = 256;
  std::string synchronous = "full";
  bool dashboard = false;  // Off by default: an ingestion port is often public.
  DashboardFlags dashboard_flags;
};

void ApplyServerArgs(const ServeArgs& args, ServerOptions* server) {
  using std::chrono::milliseconds;
  server->io_threads = args.io_threads;
  server->max_connections = args.max_connections;
  server->idle_timeout = milliseconds(args.idle_timeout_ms);
  server->head_timeout = milliseconds(args.head_timeout_ms);
  server->body_grace = milliseconds(args.body_grace_ms);
  server->min_body_bytes_per_second = args.min_body_rate;
  server->write_timeout = milliseconds(args.write_timeout_ms);
  server->drain_timeout = milliseconds(args.drain_timeout_ms);
  server->max_pending_body_bytes = args.max_pending_body_mb * 1024 * 1024;
}

// Thousands of connections need thousands of descriptors: take all the hard limit allows.
void RaiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int RunServe(const ServeArgs& args) {
  RaiseDescriptorLimit();
  CollectorConfig config;
  Result<StoreUrl> url = StoreUrlOf(args.store.store, args.store.db);
  if (!url.ok()) {
    std::fprintf(stderr, "telemetry-collector serve: %s\n", url.status().message().c_str());
    return kExitUsage;
  }
  if (url->clickhouse()) {
    config.clickhouse = *url;
    config.spool_path = args.spool;
    config.spool_max_records = args.spool_max_records;
    config.forward.interval = std::chrono::milliseconds(args.forward_interval_ms);
    config.forward.max_batch_documents = args.forward_batch;
    config.forward.log = [](const std::string& line) {
      std::fprintf(stderr, "telemetry-collector: %s\n", line.c_str());
    };
  } else {
    config.db_path = url->sqlite_path;
  }
  config.glean_schema_path = args.glean_schema;
  const size_t colon = args.listen.rfind(':');
  const std::optional<int> port =
      colon == std::string::npos ? std::nullopt : ParsePort(args.listen.substr(colon + 1));
  if (!port) {
    std::fprintf(stderr,
                 "telemetry-collector serve: --listen wants HOST:PORT with a decimal port from 0 "
                 "to 65535, not %s\n",
                 args.listen.substr(0, 200).c_str());
    return kExitUsage;
  }
  config.server.host = args.listen.substr(0, colon);
  config.server.port = *port;
  ApplyServerArgs(args, &config.server);
  config.sync_every_commit = args.synchronous == "full";

  Result<IdHasher> hasher = LoadHasher(args.key);
  if (!hasher.ok()) {
    std::fprintf(stderr, "telemetry-collector serve: refusing to start: %s\n",
                 hasher.status().message().c_str());
    return kExitUsage;
  }

  std::optional<dashboard::DashboardOptions> dashboard_options;
  if (args.dashboard && url->clickhouse()) {
    std::fprintf(stderr,
                 "telemetry-collector serve: refusing to start: --dashboard reads a SQLite store "
                 "only (serve the dashboard of a ClickHouse store from its KPIs: not yet)\n");
    return kExitUsage;
  }
  if (args.dashboard) {
    Result<dashboard::DashboardOptions> options =
        DashboardOptionsFor(args.dashboard_flags, url->sqlite_path, config.server.host);
    if (!options.ok()) {
      std::fprintf(stderr, "telemetry-collector serve: refusing to start: %s\n",
                   options.status().message().c_str());
      return kExitUsage;
    }
    dashboard_options = std::move(*options);
  }

  // SIGTERM and SIGINT are taken by one thread with sigwait(); every other thread, created
  // after this, inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Result<std::unique_ptr<CollectorService>> service =
      CollectorService::Create(std::move(config), std::move(*hasher));
  if (!service.ok()) {
    std::fprintf(stderr, "telemetry-collector serve: %s\n", service.status().message().c_str());
    return kExitFailure;
  }
  CollectorService* running = service->get();
  if (dashboard_options) {
    RouteHandler handler = dashboard::DashboardHandler(std::move(*dashboard_options));
    for (const char* prefix : dashboard::kDashboardRoutePrefixes)
      running->AddRoute(prefix, handler);
  }
  std::thread signal_thread([running, signals] {
    int signal = 0;
    sigwait(&signals, &signal);
    running->Stop();
  });
  std::printf("telemetry-collector: listening on http://%s:%d\n",
              args.listen.substr(0, colon).c_str(), running->port());
  if (args.dashboard) {
    std::printf("dashboard: http://%s:%d/dashboard/\n", args.listen.substr(0, colon).c_str(),
                running->port());
  }
  std::fflush(stdout);
  running->Run();
  // Run() also returns when listening fails: wake the signal thread so it can end.
  pthread_kill(signal_thread.native_handle(), SIGTERM);
  signal_thread.join();
  service->reset();
  std::printf("telemetry-collector: stopped\n");
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace

void AddServerOptions(CLI::App* command, ServeArgs* args) {
  const auto milliseconds = PlainDecimal() & CLI::Range(1, 3600000);
  command
      ->add_option("--io-threads", args->io_threads, "Event-loop threads serving every connection")
      ->check(PlainDecimal() & CLI::Range(1, 256))
      ->capture_default_str();
  command
      ->add_option("--max-connections", args->max_connections,
                   "Open connections at most; past it a new one is answered 503")
      ->check(PlainDecimal() & CLI::Range(1, 1000000))
      ->capture_default_str();
  command
      ->add_option("--idle-timeout-ms", args->idle_timeout_ms,
                   "How long a connection may wait before its (next) request starts")
      ->check(milliseconds)
      ->capture_default_str();
  command
      ->add_option("--head-timeout-ms", args->head_timeout_ms,
                   "How long a request head may take once its first byte arrived")
      ->check(milliseconds)
      ->capture_default_str();
  command
      ->add_option("--body-grace-ms", args->body_grace_ms,
                   "Time a body has before --min-body-rate applies")
      ->check(milliseconds)
      ->capture_default_str();
  command
      ->add_option("--min-body-rate", args->min_body_rate,
                   "Bytes per second a body must arrive at after the grace time")
      ->check(PlainDecimal() & CLI::Range(1, 1 << 30))
      ->capture_default_str();
  command
      ->add_option("--write-timeout-ms", args->write_timeout_ms,
                   "How long writing one answer may take")
      ->check(milliseconds)
      ->capture_default_str();
  command
      ->add_option("--drain-timeout-ms", args->drain_timeout_ms,
                   "On SIGTERM, how long requests in progress may take to finish")
      ->check(milliseconds)
      ->capture_default_str();
  command
      ->add_option("--max-pending-body-mb", args->max_pending_body_mb,
                   "Request bodies held in memory at most, in MiB; past it, 503")
      ->check(PlainDecimal() & CLI::Range(1, 65536))
      ->capture_default_str();
}

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* command = app.add_subcommand("serve", "Run the ingestion server");
  AddStoreOptions(command, &args->store, "SQLite database file (created when missing)");
  command
      ->add_option("--spool", args->spool,
                   "With a ClickHouse store: the local spool (a SQLite file) that holds what was "
                   "acknowledged until ClickHouse has it; one per collector instance")
      ->capture_default_str();
  command
      ->add_option("--spool-max-records", args->spool_max_records,
                   "Pings and rejections the spool holds at most; past it, 503 with Retry-After")
      ->check(PlainDecimal() & CLI::Range(int64_t{1}, int64_t{999999999}))
      ->capture_default_str();
  command
      ->add_option("--forward-interval-ms", args->forward_interval_ms,
                   "Pause between forwarding batches that were not full")
      ->check(PlainDecimal() & CLI::Range(1, 3600000))
      ->capture_default_str();
  command
      ->add_option("--forward-batch", args->forward_batch,
                   "Pings forwarded to ClickHouse per batch at most")
      ->check(PlainDecimal() & CLI::Range(1, 1000000))
      ->capture_default_str();
  command->add_option("--listen", args->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  command->add_option("--glean-schema", args->glean_schema,
                      "glean.1.schema.json; without it Glean pings are checked structurally only");
  AddServerOptions(command, args.get());
  command
      ->add_option("--synchronous", args->synchronous,
                   "full: every commit is fsynced before 200 (survives power loss); normal: "
                   "survives a crash of the process, not of the machine")
      ->check(CLI::IsMember({"full", "normal"}))
      ->capture_default_str();
  AddKeyOptions(command, &args->key);
  command->add_flag("--dashboard", args->dashboard,
                    "Also serve the KPI dashboard at /dashboard/ (read-only; beyond loopback only "
                    "with --dashboard-token)");
  AddDashboardOptions(command, &args->dashboard_flags);
  command->callback([args, exit_code] { *exit_code = RunServe(*args); });
}

}  // namespace telemetry::collector::cli
