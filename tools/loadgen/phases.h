// The phases of a load run and their report lines: a normal phase (N keep-alive connections
// posting pre-built requests, e.g. /noop, then durable submissions) and the slow-client phase
// (a normal client's latency while many slow connections hold the server's doors).
//
//   Target target{.host = "127.0.0.1", .port = port, .server = server.get()};
//   PrintPhaseHeader();
//   size_t bad = RunPhase(target, "noop", 32, noop_requests);   // prints one row
//   Result<size_t> slow_bad = RunSlowPhase(target, {.count = 1000}, pings);
//
// Each phase prints requests/s, p50/p99/p999 and ok/failed, and, when the load generator started
// the server, its VmRSS and VmHWM after the phase. A server that has exited is an error naming
// how it ended. Not thread-safe (it prints).
#ifndef TELEMETRY_TOOLS_LOADGEN_PHASES_H_
#define TELEMETRY_TOOLS_LOADGEN_PHASES_H_

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "telemetry/base/status.h"
#include "tools/loadgen/pings.h"
#include "tools/loadgen/server_process.h"

namespace telemetry::loadgen {

struct Target {
  std::string host = "127.0.0.1";
  int port = 0;
  int client_threads = 1;
  std::chrono::milliseconds request_timeout{30000};
  ServerProcess* server = nullptr;  // null: a server the load generator did not start
};

struct SlowPhaseOptions {
  int count = 1000;
  int idle_percent = 25;
  std::chrono::milliseconds byte_interval{1000};
  std::chrono::seconds duration{10};  // how long the normal client runs beside them
};

void PrintPhaseHeader();

// Returns how many requests were not answered 200 (failed or never sent); an error when the
// server has exited.
Result<size_t> RunPhase(const Target& target, const std::string& name, int connections,
                        const std::vector<std::string>& requests);

// The normal client alternates a ping of `pings` (POST, durable) and GET /health on one
// connection. Returns how many of its requests were not answered 200.
Result<size_t> RunSlowPhase(const Target& target, const SlowPhaseOptions& options,
                            const std::vector<Ping>& pings);

}  // namespace telemetry::loadgen

#endif  // TELEMETRY_TOOLS_LOADGEN_PHASES_H_
