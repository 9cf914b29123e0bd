// HttpServer: the collector's HTTP face, event-driven (Boost.Beast on Boost.Asio), with
// Mozilla's rules at the door.
//
//   HttpServer server(options, &metrics, &clock, &ingester, &committer);
//   server.AddRoute("/dashboard", dashboard_handler);   // optional, before Run()
//   Result<int> port = server.Bind();
//   std::thread serving([&] { server.Run(); });
//   ...
//   server.Stop();  // from any thread, a signal thread included
//   serving.join();
//
// Endpoints (ingestion only when an Ingester and GroupCommitter are given):
//   POST /submit/<namespace>/<doc_type>/<doc_version>/<doc_id>       our protobuf pings, Glean
//   POST /submit/telemetry/<doc_id>/<doc_type>/<app>/<version>/<channel>/<build_id>  Firefox
//   POST /noop     reads the body and answers 200: the HTTP stack's ceiling, for benchmarks
//   GET  /health   200 "ok"
//   GET  /metrics  Prometheus text (http/metrics.h)
//   anything under a prefix given to AddRoute(): that handler, on a route thread
//
// Door rules. A POST with neither Content-Length nor chunked Transfer-Encoding: 411.
// Transfer-Encoding with Content-Length, or a Transfer-Encoding other than chunked: 400. A body
// over max_body_bytes, chunked or not: 413, answered as soon as the cap is passed and never read
// further. A target over max_path_bytes: 414. A head over max_header_bytes or with more than
// max_header_fields fields: 431. Then the Ingester's refusals (400, 413, 415). Every refusal is
// answered "<reason>: <detail>", counted, and written to the rejections table. 200 is sent only
// after the ping is committed; a storage error is answered 503, never 200.
//
// No client can hold the server. Each connection has deadlines: idle_timeout for the first byte
// of a request (a new connection's or the next one on a keep-alive connection), head_timeout
// for the rest of the head, the body at no less than min_body_bytes_per_second after
// body_grace, write_timeout per response. A client past one is answered 408 (when it was in the
// middle of a request) and closed. Past max_connections, a new connection is answered 503 and
// closed. Pipelined requests are answered in order, one at a time per connection.
//
// Backpressure. When storage falls behind, the group committer's queue fills and new
// submissions are answered 503 with Retry-After; request bodies held in memory are bounded by
// max_pending_body_bytes across all connections (past it, 503 with Retry-After before the body
// is read). Memory stays bounded whatever the load.
//
// Threads: io_threads event loops serve every connection; a group commit completes every
// response of its batch on those loops, one wake-up per loop and batch. Route handlers run on
// route_threads threads of their own.
//
// Shutdown: Stop() closes the listener and idle connections at once, lets requests already
// being read or committed finish for up to drain_timeout, then closes whatever is left; Run()
// returns by then whatever the clients do.
//
// Thread safety: Stop() may be called from any thread at any time, also before Run(); the others
// from one thread, AddRoute() before Run(). The Ingester, GroupCommitter, Metrics and
// Clock must outlive the server.
#ifndef TELEMETRY_COLLECTOR_HTTP_SERVER_H_
#define TELEMETRY_COLLECTOR_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "collector/http/http_message.h"
#include "collector/http/metrics.h"
#include "collector/ingest/ingester.h"
#include "collector/storage/group_committer.h"
#include "telemetry/base/clock.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (Bind() says which)
  size_t io_threads = 2;
  size_t route_threads = 2;
  size_t max_connections = 10000;
  std::chrono::milliseconds idle_timeout{5000};
  std::chrono::milliseconds head_timeout{5000};
  std::chrono::milliseconds body_grace{2000};
  size_t min_body_bytes_per_second = 1024;
  std::chrono::milliseconds write_timeout{10000};
  std::chrono::milliseconds drain_timeout{5000};
  size_t keep_alive_max_requests = 10000;
  size_t max_body_bytes = 1024 * 1024;
  size_t max_path_bytes = 1024;
  size_t max_header_bytes = 64 * 1024;
  size_t max_header_fields = 100;
  size_t max_pending_body_bytes = 256 * 1024 * 1024;
  int retry_after_seconds = 2;
};

class HttpServer {
 public:
  // `ingester` and `committer` both null: no ingestion endpoints (a dashboard-only server).
  HttpServer(ServerOptions options, Metrics* metrics, const Clock* clock,
             const Ingester* ingester = nullptr, GroupCommitter* committer = nullptr);
  ~HttpServer();  // Stops and waits for Run() to return.
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Requests whose path starts with `prefix` go to `handler` (any method). Before Run().
  void AddRoute(std::string prefix, RouteHandler handler);
  // Binds the listening socket; returns the port.
  Result<int> Bind();
  // Serves until Stop(), drains, and returns.
  void Run();
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_HTTP_SERVER_H_
