// HttpServer: the collector's HTTP face (cpp-httplib), with Mozilla's rules at the door.
//
//   POST /submit/<namespace>/<doc_type>/<doc_version>/<doc_id>       our protobuf pings, Glean
//   POST /submit/telemetry/<doc_id>/<doc_type>/<app>/<version>/<channel>/<build_id>  Firefox
//   POST /noop     reads the body and answers 200: the HTTP stack's ceiling, for benchmarks
//   GET  /health   200 "ok"
//   GET  /metrics  Prometheus text (http/metrics.h)
//
// Door rules: no Content-Length (chunked included) 411; body over max_body_bytes 413; request
// target over max_path_bytes 414; then the Ingester's refusals (400, 413, 415). Every refusal is
// answered "<reason>: <detail>", counted, and written to the rejections table with the relevant
// headers and the body as received. 200 is sent only after the ping is committed.
//
// Slow clients: read and write time out after io_timeout, idle keep-alive connections after
// keep_alive_seconds. One connection occupies one of `threads` workers while it is open.
//
// Thread safety: Stop() may be called from any thread (a signal-handling thread included) at any
// time, also before Run() started; the others from one thread. The Ingester, GroupCommitter,
// Metrics and Clock must outlive the server.
#ifndef TELEMETRY_COLLECTOR_HTTP_SERVER_H_
#define TELEMETRY_COLLECTOR_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "collector/http/metrics.h"
#include "collector/ingest/ingester.h"
#include "collector/storage/group_committer.h"
#include "telemetry/base/clock.h"
#include "telemetry/base/status.h"

namespace httplib {
class Server;
}

namespace telemetry::collector {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (Bind() says which)
  size_t threads = 64;
  std::chrono::milliseconds io_timeout{5000};
  int keep_alive_seconds = 5;
  size_t keep_alive_max_requests = 10000;
  size_t max_body_bytes = 1024 * 1024;
  size_t max_path_bytes = 1024;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, const Ingester* ingester, GroupCommitter* committer,
             Metrics* metrics, const Clock* clock);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket; returns the port.
  Result<int> Bind();
  // Serves until Stop(). Requests being handled when Stop() is called are finished and
  // answered; then Run() returns.
  void Run();
  void Stop();

 private:
  class Handlers;
  ServerOptions options_;
  std::unique_ptr<Handlers> handlers_;
  std::unique_ptr<httplib::Server> server_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> run_started_{false};
  std::atomic<bool> run_finished_{false};
  std::atomic<int> listen_fd_{-1};
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_HTTP_SERVER_H_
