#include "tools/loadgen/phases.h"

#include <cstdio>

#include "tools/loadgen/cpu_time.h"
#include "tools/loadgen/http_client.h"
#include "tools/loadgen/http_request.h"
#include "tools/loadgen/latency_summary.h"
#include "tools/loadgen/slow_clients.h"

namespace telemetry::loadgen {
namespace {

// What one kind of request in a load result came to (every `step`th request from `from`).
struct Tally {
  size_t sent = 0;
  size_t ok = 0;
  std::vector<float> latencies_ms;  // of every request sent, failed ones too
};

Tally Count(const LoadResult& result, size_t from, size_t step) {
  Tally tally;
  for (size_t i = from; i < result.status.size(); i += step) {
    if (result.status[i] == kNotSent) continue;
    ++tally.sent;
    if (result.status[i] == 200) ++tally.ok;
    tally.latencies_ms.push_back(result.latency_ms[i]);
  }
  return tally;
}

// The CPU both processes used from its construction to Column(), in % of one core.
class CpuMeter {
 public:
  explicit CpuMeter(const Target& target)
      : target_(target), self_(SelfCpuSeconds()), server_(ServerSeconds()) {}

  std::string Column() const {
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    const double server = ServerSeconds();
    char text[64];
    if (server < 0 || server_ < 0) {
      std::snprintf(text, sizeof text, "%4.0f /    -", 100 * (SelfCpuSeconds() - self_) / wall);
    } else {
      std::snprintf(text, sizeof text, "%4.0f / %4.0f", 100 * (SelfCpuSeconds() - self_) / wall,
                    100 * (server - server_) / wall);
    }
    return text;
  }

 private:
  double ServerSeconds() const {
    return target_.server == nullptr ? -1 : ProcessCpuSeconds(target_.server->pid());
  }

  const Target& target_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  const double self_;
  const double server_;
};

std::string MemoryColumn(const Target& target) {
  if (target.server == nullptr) return "-";
  const ServerMemory memory = target.server->Memory();
  if (memory.rss_kib < 0) return "?";
  char text[64];
  std::snprintf(text, sizeof text, "%.1f / %.1f", static_cast<double>(memory.rss_kib) / 1024,
                static_cast<double>(memory.hwm_kib) / 1024);
  return text;
}

// `usage`: the CPU and memory columns.
void PrintRow(const std::string& name, int connections, const Tally& tally, double seconds,
              const std::string& usage) {
  const LatencySummary latency = Summarize(tally.latencies_ms);
  std::printf("%-12s %5d %9zu %9zu %7zu %8.2f %10.0f %8.2f %8.2f %8.2f %8.2f  %s\n", name.c_str(),
              connections, tally.sent, tally.ok, tally.sent - tally.ok, seconds,
              seconds > 0 ? static_cast<double>(tally.ok) / seconds : 0.0, latency.p50, latency.p99,
              latency.p999, latency.max, usage.c_str());
  std::fflush(stdout);
}

Status CheckServer(const Target& target, const std::string& phase) {
  if (target.server == nullptr) return Status::Ok();
  if (std::optional<std::string> how = target.server->Exited()) {
    return Status::Unavailable("the server " + *how + " during the " + phase +
                               " phase; its log: " + target.server->log_path());
  }
  return Status::Ok();
}

std::vector<std::string> SlowPhaseRequests(const Target& target, const std::vector<Ping>& pings) {
  const std::string host = target.host + ":" + std::to_string(target.port);
  std::vector<std::string> requests;
  for (const Ping& ping : pings) {
    requests.push_back(PostRequest(host, ping.path, ping.body));
    requests.push_back(GetRequest(host, "/health"));
  }
  return requests;
}

void PrintSlowStats(const SlowPhaseOptions& options, const SlowStats& stats) {
  std::printf(
      "slow: %zu of %d open at the end, never fewer than %zu; %zu cut by the server and reopened "
      "(%zu answered 408, %zu another status (reopened after 100 ms), %zu closed without an "
      "answer); %zu connects "
      "failed; %zu head bytes sent\n",
      stats.open, options.count, stats.min_open, stats.cut, stats.answered_408,
      stats.answered_other, stats.cut - stats.answered_408 - stats.answered_other,
      stats.connect_failures, stats.bytes_sent);
  std::fflush(stdout);
}

}  // namespace

void PrintPhaseHeader() {
  std::printf("%-12s %5s %9s %9s %7s %8s %10s %8s %8s %8s %8s  %s\n", "phase", "conns", "sent",
              "ok(200)", "failed", "seconds", "ok/s", "p50 ms", "p99 ms", "p999 ms", "max ms",
              "CPU% gen / srv  server RSS / peak MiB");
  std::fflush(stdout);
}

Result<size_t> RunPhase(const Target& target, const std::string& name, int connections,
                        const std::vector<std::string>& requests) {
  const LoadOptions options{.host = target.host,
                            .port = target.port,
                            .connections = connections,
                            .threads = target.client_threads,
                            .request_timeout = target.request_timeout};
  const CpuMeter cpu(target);
  const LoadResult result = RunLoad(options, requests);
  PrintRow(name, connections, Count(result, 0, 1), result.seconds,
           cpu.Column() + "   " + MemoryColumn(target));
  const size_t bad = result.failed() + result.unsent();
  if (bad > 0) {
    std::printf("  %zu not answered 200 (%zu never sent); the first: %s\n", bad, result.unsent(),
                result.first_error.c_str());
  }
  if (result.reconnects > 0) {
    std::printf("  %zu connections reopened after the server closed them\n", result.reconnects);
  }
  if (Status alive = CheckServer(target, name); !alive.ok()) return alive;
  if (!requests.empty() && result.unsent() == requests.size()) {
    return Status::Unavailable("nothing sent in the " + name + " phase: " + result.first_error);
  }
  return bad;
}

Result<size_t> RunSlowPhase(const Target& target, const SlowPhaseOptions& options,
                            const std::vector<Ping>& pings) {
  const int idle = options.count * options.idle_percent / 100;
  std::printf(
      "slow: opening %d connections (%d trickle a request head, a byte every %lld ms; %d "
      "idle), then one normal client for %lld s (a ping, GET /health, ...)\n",
      options.count, options.count - idle, static_cast<long long>(options.byte_interval.count()),
      idle, static_cast<long long>(options.duration.count()));
  std::fflush(stdout);
  SlowClients slow({.host = target.host,
                    .port = target.port,
                    .count = options.count,
                    .idle_percent = options.idle_percent,
                    .byte_interval = options.byte_interval});
  if (Status opened = slow.Start(std::chrono::seconds(30)); !opened.ok()) {
    if (Status alive = CheckServer(target, "slow"); !alive.ok()) return alive;
    return opened;
  }
  const std::vector<std::string> requests = SlowPhaseRequests(target, pings);
  const LoadOptions client{.host = target.host,
                           .port = target.port,
                           .request_timeout = target.request_timeout,
                           .stop_at = std::chrono::steady_clock::now() + options.duration};
  const CpuMeter cpu(target);
  const LoadResult result = RunLoad(client, requests);
  // Measured with the slow connections still open.
  const std::string usage = cpu.Column() + "   " + MemoryColumn(target);
  const SlowStats stats = slow.Stop();
  const Tally ping = Count(result, 0, 2);
  const Tally health = Count(result, 1, 2);
  PrintRow("slow:ping", 1, ping, result.seconds, usage);
  PrintRow("slow:health", 1, health, result.seconds, usage);
  PrintSlowStats(options, stats);
  const size_t bad = result.failed();
  if (bad > 0)
    std::printf("  %zu not answered 200; the first: %s\n", bad, result.first_error.c_str());
  if (Status alive = CheckServer(target, "slow"); !alive.ok()) return alive;
  return bad;
}

}  // namespace telemetry::loadgen
