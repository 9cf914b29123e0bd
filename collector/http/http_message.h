// HttpRequest, HttpResponse and RouteHandler: what the collector's HTTP server hands to the
// routes it serves beside ingestion (the dashboard), and what they answer.
//
//   server.AddRoute("/api/", [&](const HttpRequest& request) {
//     HttpResponse response;
//     response.content_type = "application/json";
//     response.body = Render(request.QueryParameter("from"));
//     return response;
//   });
//
// A request is whole when a handler sees it: the head parsed, the body read under the server's
// cap. Header names compare without regard to case.
#ifndef TELEMETRY_COLLECTOR_HTTP_HTTP_MESSAGE_H_
#define TELEMETRY_COLLECTOR_HTTP_HTTP_MESSAGE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace telemetry::collector {

// ASCII case-insensitive equality, as HTTP compares header names, tokens and schemes.
bool EqualsIgnoringCase(std::string_view a, std::string_view b);

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received: path and query
  std::string path;    // the target before '?', not percent-decoded
  std::string query;   // after '?', without it; empty when there is none
  std::vector<std::pair<std::string, std::string>> headers;  // in the order received
  std::string body;

  // The first header of that name, compared without case; nullopt when absent.
  std::optional<std::string_view> Header(std::string_view name) const;
  // The query parameter, percent-decoded ('+' is a space); nullopt when absent.
  std::optional<std::string> QueryParameter(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beside Content-Type and -Length
};

// Runs on one of the server's route threads, never on an I/O thread, so it may block (read a
// database). Must not throw; a handler that throws is answered 500.
using RouteHandler = std::function<HttpResponse(const HttpRequest&)>;

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_HTTP_HTTP_MESSAGE_H_
