// telemetry-loadgen: puts a collector under load and reports what it acknowledges.
//
// N keep-alive connections (one thread each) post realistic small pings (protobuf, zstd, an
// account block, two account events, three scalars; a fresh UUID each) to
// /submit/<app>/<type>/1/<id>, after measuring the same server's POST /noop with the same
// bodies: the ceiling of the HTTP stack on this machine. Bodies are made before the clock
// starts. Reports requests per second and p50/p99 latency of each phase.
//
//   telemetry-loadgen --target 127.0.0.1:8080 --connections 32 --pings 200000
//   telemetry-loadgen --spawn build/.../telemetry-collector --db /tmp/load.db
//
// Exits 1 when any request was not answered 200.
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "telemetry/base/clock.h"
#include "telemetry/base/uuid.h"
#include "telemetry/wire/ping_codec.h"

namespace {

struct Request {
  std::string path;
  std::string body;
};

std::vector<Request> MakePings(size_t count) {
  std::vector<Request> requests;
  requests.reserve(count);
  const int64_t now = telemetry::SystemClock().NowMillis();
  for (size_t i = 0; i < count; ++i) {
    telemetry::ping::Ping ping;
    const std::string id = telemetry::NewUuid();
    ping.set_document_id(id);
    ping.set_document_type("account-ecosystem");
    ping.set_document_version(1);
    ping.mutable_app()->set_name("loadgen");
    ping.mutable_app()->set_version("1.0");
    ping.mutable_app()->set_channel("release");
    ping.set_creation_time_ms(now);
    ping.set_start_time_ms(now - 60000);
    ping.set_end_time_ms(now);
    ping.set_reason("daily");
    ping.mutable_environment()->set_os("Linux");
    ping.mutable_account()->set_uid("uid-" + std::to_string(i % 5000));
    ping.mutable_account()->set_device_id("device-" + std::to_string(i % 7000));
    ping.set_store("account-ecosystem");
    auto* payload = ping.mutable_payload();
    for (const char* name : {"sync.engines", "sync.tabs", "sync.logins"}) {
      auto* scalar = payload->add_scalars();
      scalar->set_name(name);
      scalar->mutable_value()->set_uint_value(static_cast<uint32_t>(i % 17));
    }
    for (const char* method : {"login", "verified"}) {
      auto* event = payload->add_events();
      event->set_timestamp_ms(now - 1000);
      event->set_category("account");
      event->set_method(method);
      event->set_object("account");
      (*event->mutable_extras())["service"] = "sync";
      (*event->mutable_extras())["seq_id"] = "seq-" + std::to_string(i);
      (*event->mutable_extras())["seq_time"] = "1200";
    }
    telemetry::Result<std::string> body = telemetry::wire::EncodePing(ping, 1 << 20);
    if (!body.ok()) continue;  // (A small ping always encodes.)
    requests.push_back({"/submit/loadgen/account-ecosystem/1/" + id, std::move(*body)});
  }
  return requests;
}

struct PhaseResult {
  size_t ok = 0;
  size_t failed = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
};

PhaseResult RunPhase(const std::string& host, int port, int connections,
                     const std::vector<Request>& requests, bool noop) {
  std::atomic<size_t> next{0};
  std::vector<std::vector<double>> latencies(connections);
  std::vector<size_t> ok(connections, 0);
  std::vector<size_t> failed(connections, 0);
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client(host, port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_connection_timeout(10);
      client.set_read_timeout(30);
      httplib::Headers headers{{"Content-Encoding", "zstd"}};
      while (true) {
        const size_t i = next.fetch_add(1);
        if (i >= requests.size()) break;
        const Request& r = requests[i];
        const auto t0 = std::chrono::steady_clock::now();
        auto res = client.Post(noop ? "/noop" : r.path, headers, r.body, "application/x-protobuf");
        latencies[c].push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
        if (res && res->status == 200) {
          ++ok[c];
        } else {
          ++failed[c];
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  PhaseResult result;
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (int c = 0; c < connections; ++c) {
    result.ok += ok[c];
    result.failed += failed[c];
    result.latencies_ms.insert(result.latencies_ms.end(), latencies[c].begin(), latencies[c].end());
  }
  std::sort(result.latencies_ms.begin(), result.latencies_ms.end());
  return result;
}

void Report(const char* name, const PhaseResult& r) {
  auto pct = [&](double p) {
    if (r.latencies_ms.empty()) return 0.0;
    return r.latencies_ms[static_cast<size_t>(p * static_cast<double>(r.latencies_ms.size() - 1))];
  };
  std::printf("%-7s %8zu ok %6zu failed in %6.2f s: %9.0f /s  p50 %6.2f ms  p99 %6.2f ms\n", name,
              r.ok, r.failed, r.seconds, static_cast<double>(r.ok) / r.seconds, pct(0.5),
              pct(0.99));
  std::fflush(stdout);
}

// Starts `collector serve` on a free port; returns its pid and sets *port.
pid_t Spawn(const std::string& binary, const std::string& db, const std::string& synchronous,
            int* port) {
  int out[2];
  if (pipe(out) != 0) return -1;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    execl(binary.c_str(), binary.c_str(), "serve", "--db", db.c_str(), "--listen", "127.0.0.1:0",
          "--insecure-dev-key", "--synchronous", synchronous.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
  close(out[0]);  // The server's later output goes nowhere (SIGPIPE is not raised by printf).
  const size_t colon = line.rfind(':');
  *port = colon == std::string::npos ? -1 : std::atoi(line.c_str() + colon + 1);
  return pid;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("telemetry-loadgen: load a collector with protobuf+zstd pings");
  std::string target;
  std::string spawn;
  std::string db = "/tmp/telemetry-loadgen.db";
  int connections = 32;
  size_t pings = 100000;
  std::string synchronous = "full";
  app.add_option("--target", target, "HOST:PORT of a running collector");
  app.add_option("--spawn", spawn, "Start this telemetry-collector binary on a free port");
  app.add_option("--db", db, "Database for --spawn (removed first)")->capture_default_str();
  app.add_option("--connections", connections, "Concurrent keep-alive connections")
      ->capture_default_str();
  app.add_option("--pings", pings, "Pings to post (and /noop requests)")->capture_default_str();
  app.add_option("--synchronous", synchronous, "--spawn: the server's --synchronous (full|normal)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (target.empty() == spawn.empty()) {
    std::fprintf(stderr, "telemetry-loadgen: give exactly one of --target and --spawn\n");
    return 2;
  }
  std::string host = "127.0.0.1";
  int port = 0;
  pid_t child = -1;
  if (!spawn.empty()) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
    child = Spawn(spawn, db, synchronous, &port);
    if (child < 0 || port <= 0) {
      std::fprintf(stderr, "telemetry-loadgen: could not start %s\n", spawn.c_str());
      return 1;
    }
  } else {
    const size_t colon = target.rfind(':');
    host = target.substr(0, colon);
    port = std::atoi(target.c_str() + colon + 1);
  }
  std::printf("making %zu pings...\n", pings);
  std::fflush(stdout);
  const std::vector<Request> requests = MakePings(pings);
  size_t bytes = 0;
  for (const Request& r : requests) bytes += r.body.size();
  std::printf("%d connections, mean body %zu bytes (protobuf+zstd)\n", connections,
              bytes / std::max<size_t>(1, requests.size()));
  const PhaseResult noop = RunPhase(host, port, connections, requests, true);
  Report("noop", noop);
  const PhaseResult submit = RunPhase(host, port, connections, requests, false);
  Report("submit", submit);
  if (child > 0) {
    kill(child, SIGTERM);
    int status = 0;
    waitpid(child, &status, 0);
  }
  return noop.failed + submit.failed == 0 ? 0 : 1;  // Every request must be acknowledged.
}
