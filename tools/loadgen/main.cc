// telemetry-loadgen: puts a collector under load and reports what it acknowledges.
//
// For each connection count given, one event loop (or --client-threads of them) drives N
// keep-alive connections, one request in flight each: first the same server's POST /noop with
// the bodies of the pings (the ceiling of its HTTP stack), then the pings themselves to
// /submit/<app>/<type>/1/<id> (a ping counts when answered 200, after its group commit). Pings
// (protobuf, zstd, a fresh UUID each) and request bytes are made before the clock starts. Then,
// with --slow N, a normal client's latency while N slow connections hold the doors.
//
//   telemetry-loadgen --target 127.0.0.1:8080 --connections 32 --pings 200000
//   telemetry-loadgen --spawn build/release/collector/telemetry-collector
//       --connections 32,256 --pings 100000 --slow 1000 --server-arg=--io-threads=2
//
// Exits 1 when any request of a phase was not answered 200, or the server could not be reached
// or exited; 2 on a bad command line.
#include <signal.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tools/loadgen/http_request.h"
#include "tools/loadgen/phases.h"
#include "tools/loadgen/pings.h"
#include "tools/loadgen/server_process.h"

namespace {

using telemetry::Result;
using telemetry::Status;
namespace loadgen = telemetry::loadgen;

struct Flags {
  std::string target;
  std::string spawn;
  std::string db = "/tmp/telemetry-loadgen.db";
  std::vector<int> connections{32};
  size_t pings = 100000;
  std::string synchronous = "full";
  std::vector<std::string> server_args;
  int client_threads = 1;
  int request_timeout_ms = 30000;
  loadgen::SlowPhaseOptions slow{.count = 0};
  int slow_byte_interval_ms = 1000;
  int slow_seconds = 10;
};

void AddFlags(CLI::App& app, Flags& flags) {
  app.add_option("--target", flags.target, "HOST:PORT of a running collector");
  app.add_option("--spawn", flags.spawn, "Start this telemetry-collector binary on a free port");
  app.add_option("--db", flags.db, "--spawn: its database (removed first; its log beside it)")
      ->capture_default_str();
  app.add_option("--connections", flags.connections,
                 "Keep-alive connections; a list (32,256) runs each size in turn")
      ->delimiter(',')
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--pings", flags.pings, "Pings per size (and as many /noop requests)")
      ->capture_default_str();
  app.add_option("--synchronous", flags.synchronous, "--spawn: the server's --synchronous")
      ->check(CLI::IsMember({"full", "normal"}))
      ->capture_default_str();
  app.add_option("--server-arg", flags.server_args,
                 "--spawn: one more argument for `serve` (repeatable; write "
                 "--server-arg=--io-threads=2 for those that start with -)")
      ->allow_extra_args(false);
  app.add_option("--client-threads", flags.client_threads, "Event loops driving the connections")
      ->check(CLI::Range(1, 2))
      ->capture_default_str();
  app.add_option("--request-timeout-ms", flags.request_timeout_ms,
                 "A request unanswered this long fails")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--slow", flags.slow.count, "Slow connections of the slow-client phase (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--slow-idle-percent", flags.slow.idle_percent,
                 "Of the slow connections, the share that sends nothing")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  app.add_option("--slow-byte-interval-ms", flags.slow_byte_interval_ms,
                 "A trickling connection sends a byte of its head this often")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--slow-seconds", flags.slow_seconds,
                 "How long the normal client runs beside them")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

// Thousands of sockets: take all the descriptors the hard limit allows (the server inherits it).
void RaiseDescriptorLimit(size_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < wanted) {
    std::fprintf(stderr, "telemetry-loadgen: warning: %zu descriptors wanted, the limit is %llu\n",
                 wanted, static_cast<unsigned long long>(limit.rlim_cur));
  }
}

Result<std::unique_ptr<loadgen::ServerProcess>> SpawnServer(const Flags& flags) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((flags.db + suffix).c_str());
  std::vector<std::string> args = {"serve",         "--db",           flags.db,
                                   "--listen",      "127.0.0.1:0",    "--insecure-dev-key",
                                   "--synchronous", flags.synchronous};
  args.insert(args.end(), flags.server_args.begin(), flags.server_args.end());
  return loadgen::ServerProcess::Start(flags.spawn, args, flags.db + ".log");
}

// The noop and submit phases of one connection count, on fresh pings (none deduplicated).
Result<size_t> RunSize(const loadgen::Target& target, int connections, size_t count) {
  std::vector<std::string> noop;
  std::vector<std::string> submit;
  {
    const std::vector<loadgen::Ping> pings = loadgen::MakePings(count);
    const std::string host = target.host + ":" + std::to_string(target.port);
    for (const loadgen::Ping& ping : pings) {
      noop.push_back(loadgen::PostRequest(host, "/noop", ping.body));
      submit.push_back(loadgen::PostRequest(host, ping.path, ping.body));
    }
  }
  const Result<size_t> noop_bad = loadgen::RunPhase(target, "noop", connections, noop);
  if (!noop_bad.ok()) return noop_bad;
  const Result<size_t> submit_bad = loadgen::RunPhase(target, "submit", connections, submit);
  if (!submit_bad.ok()) return submit_bad;
  return *noop_bad + *submit_bad;
}

Result<size_t> RunAll(const Flags& flags, const loadgen::Target& target) {
  size_t bad = 0;
  loadgen::PrintPhaseHeader();
  for (const int connections : flags.connections) {
    const Result<size_t> size_bad = RunSize(target, connections, flags.pings);
    if (!size_bad.ok()) return size_bad;
    bad += *size_bad;
  }
  if (flags.slow.count == 0) return bad;
  loadgen::SlowPhaseOptions slow = flags.slow;
  slow.byte_interval = std::chrono::milliseconds(flags.slow_byte_interval_ms);
  slow.duration = std::chrono::seconds(flags.slow_seconds);
  // More pings than one sequential client can send in the time: it stops at the deadline.
  const Result<size_t> slow_bad =
      loadgen::RunSlowPhase(target, slow, loadgen::MakePings(std::min<size_t>(flags.pings, 20000)));
  if (!slow_bad.ok()) return slow_bad;
  return bad + *slow_bad;
}

void PrintBodies() {
  const std::vector<loadgen::Ping> sample = loadgen::MakePings(1000);
  size_t bytes = 0;
  for (const loadgen::Ping& ping : sample) bytes += ping.body.size();
  std::printf("pings: protobuf+zstd, mean body %zu bytes\n", bytes / sample.size());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("telemetry-loadgen: load a collector with protobuf+zstd pings");
  Flags flags;
  AddFlags(app, flags);
  CLI11_PARSE(app, argc, argv);
  if (flags.target.empty() == flags.spawn.empty()) {
    std::fprintf(stderr, "telemetry-loadgen: give exactly one of --target and --spawn\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);  // a server closing a slow connection is no reason to die
  size_t descriptors = static_cast<size_t>(flags.slow.count) + 64;
  for (const int connections : flags.connections) descriptors += static_cast<size_t>(connections);
  RaiseDescriptorLimit(descriptors);
  loadgen::Target target{.client_threads = flags.client_threads,
                         .request_timeout = std::chrono::milliseconds(flags.request_timeout_ms)};
  std::unique_ptr<loadgen::ServerProcess> server;
  if (!flags.spawn.empty()) {
    Result<std::unique_ptr<loadgen::ServerProcess>> spawned = SpawnServer(flags);
    if (!spawned.ok()) {
      std::fprintf(stderr, "telemetry-loadgen: %s\n", spawned.status().message().c_str());
      return 1;
    }
    server = std::move(*spawned);
    target.port = server->port();
    target.server = server.get();
    std::printf("server: pid %d on 127.0.0.1:%d, log %s\n", static_cast<int>(server->pid()),
                target.port, server->log_path().c_str());
  } else {
    const size_t colon = flags.target.rfind(':');
    target.host = flags.target.substr(0, colon);
    target.port = colon == std::string::npos ? 0 : std::atoi(flags.target.c_str() + colon + 1);
  }
  PrintBodies();
  const Result<size_t> bad = RunAll(flags, target);
  if (!bad.ok()) std::fprintf(stderr, "telemetry-loadgen: %s\n", bad.status().message().c_str());
  if (server) {
    const std::string how = server->Stop();
    std::printf("server: stopped on SIGTERM, %s\n", how.c_str());
    if (!server->stopped_cleanly()) return 1;
  }
  return bad.ok() && *bad == 0 ? 0 : 1;  // Every request must be answered 200.
}
