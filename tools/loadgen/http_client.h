// RunLoad: sends pre-built requests over N keep-alive connections, driven by one or two event
// loops (Boost.Asio), each connection with one request in flight (no pipelining), and records
// every request's status and latency.
//
//   LoadOptions options{.host = "127.0.0.1", .port = 8080, .connections = 32};
//   LoadResult result = RunLoad(options, requests);   // requests: full HTTP/1.1 request bytes
//   if (result.failed() > 0) std::puts(result.first_error.c_str());
//
// Connections take the next unsent request from a shared counter, so requests go out in order
// and each exactly once. A connection the server closes (Connection: close, or after a
// response) is reopened; a request that gets no complete response (reset, timeout, bad
// response) counts as failed, never retried. A connection that cannot connect stops; when all
// have stopped, the requests left are not sent.
// Blocks until every request is answered or failed; `requests` must outlive the call.
#ifndef TELEMETRY_TOOLS_LOADGEN_HTTP_CLIENT_H_
#define TELEMETRY_TOOLS_LOADGEN_HTTP_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace telemetry::loadgen {

struct LoadOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 1;
  int threads = 1;  // event loops; each drives connections/threads of the connections
  std::chrono::milliseconds request_timeout{30000};
  // When set, no request starts after it; the requests left are neither sent nor failed.
  std::optional<std::chrono::steady_clock::time_point> stop_at;
};

// Per request: its HTTP status, or one of these.
inline constexpr int16_t kNotSent = 0;
inline constexpr int16_t kNoResponse = -1;

struct LoadResult {
  std::vector<int16_t> status;      // per request, in the order given
  std::vector<float> latency_ms;    // per request: write start to the response's last byte
  double seconds = 0;               // from the first connect to the last response
  size_t reconnects = 0;            // connections reopened after the server closed them
  std::string first_error;          // the first failure's reason, for the report
  size_t answered(int code) const;  // requests answered `code`
  size_t failed() const;            // requests sent and not answered 200
  size_t unsent() const;            // requests never sent (stop_at, or no connection left)
};

LoadResult RunLoad(const LoadOptions& options, const std::vector<std::string>& requests);

}  // namespace telemetry::loadgen

#endif  // TELEMETRY_TOOLS_LOADGEN_HTTP_CLIENT_H_
