#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "collector/cli/commands.h"
#include "collector/cli/key_options.h"
#include "collector/collector_service.h"

namespace telemetry::collector::cli {
namespace {

struct ServeArgs {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  std::string glean_schema;
  KeyOptions key;
  size_t threads = 64;
  int io_timeout_ms = 5000;
  int keep_alive_seconds = 5;
  std::string synchronous = "full";
};

// A port as people write it: 1 to 5 decimal digits, at most 65535 (0: any free port).
std::optional<int> ParsePort(const std::string& text) {
  if (text.empty() || text.size() > 5 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const int port = std::stoi(text);  // Cannot throw: at most five digits.
  if (port > 65535) return std::nullopt;
  return port;
}

int RunServe(const ServeArgs& args) {
  CollectorConfig config;
  config.db_path = args.db;
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
  config.server.threads = args.threads;
  config.server.io_timeout = std::chrono::milliseconds(args.io_timeout_ms);
  config.server.keep_alive_seconds = args.keep_alive_seconds;
  config.sync_every_commit = args.synchronous == "full";

  Result<IdHasher> hasher = LoadHasher(args.key);
  if (!hasher.ok()) {
    std::fprintf(stderr, "telemetry-collector serve: refusing to start: %s\n",
                 hasher.status().message().c_str());
    return kExitUsage;
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
  std::thread signal_thread([running, signals] {
    int signal = 0;
    sigwait(&signals, &signal);
    running->Stop();
  });
  std::printf("telemetry-collector: listening on http://%s:%d\n",
              args.listen.substr(0, colon).c_str(), running->port());
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

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* command = app.add_subcommand("serve", "Run the ingestion server");
  command->add_option("--db", args->db, "SQLite database file (created when missing)")->required();
  command->add_option("--listen", args->listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  command->add_option("--glean-schema", args->glean_schema,
                      "glean.1.schema.json; without it Glean pings are checked structurally only");
  command->add_option("--threads", args->threads, "HTTP worker threads (one per open connection)")
      ->check(PlainDecimal() & CLI::Range(1, 4096))
      ->capture_default_str();
  command
      ->add_option("--io-timeout-ms", args->io_timeout_ms,
                   "Read and write timeout of a connection, in milliseconds")
      ->check(PlainDecimal() & CLI::Range(1, 3600000))
      ->capture_default_str();
  command
      ->add_option("--keep-alive-timeout", args->keep_alive_seconds,
                   "Seconds an idle keep-alive connection stays open")
      ->check(PlainDecimal() & CLI::Range(0, 3600))
      ->capture_default_str();
  command
      ->add_option("--synchronous", args->synchronous,
                   "full: every commit is fsynced before 200 (survives power loss); normal: "
                   "survives a crash of the process, not of the machine")
      ->check(CLI::IsMember({"full", "normal"}))
      ->capture_default_str();
  AddKeyOptions(command, &args->key);
  command->callback([args, exit_code] { *exit_code = RunServe(*args); });
}

}  // namespace telemetry::collector::cli
