#include "collector/http/submit_route.h"

#include <string>
#include <vector>

#include "collector/ingest/ingester.h"
#include "collector/ingest/reasons.h"

namespace telemetry::collector {
namespace {

constexpr std::string_view kRelevantHeaders[] = {"Content-Type",         "Content-Length",
                                                 "Content-Encoding",     "Transfer-Encoding",
                                                 "User-Agent",           "Date",
                                                 "X-Debug-ID",           "X-Source-Tags",
                                                 "X-PingSender-Version", "X-Telemetry-Agent"};

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 1;  // After the leading '/'.
  while (start <= path.size()) {
    const size_t end = std::min(path.find('/', start), path.size());
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

}  // namespace

Result<Submission> ParseSubmitPath(std::string_view path) {
  const std::vector<std::string_view> parts = Split(path);
  Submission submission;
  bool routed = false;
  if (parts.size() == 8 && parts[0] == "submit" && parts[1] == "telemetry") {
    submission.route = Submission::Route::kFirefox;
    submission.namespace_name = "telemetry";
    submission.doc_id = parts[2];
    submission.doc_type = parts[3];
    routed = true;
  } else if (parts.size() == 5 && parts[0] == "submit") {
    submission.route = Submission::Route::kGeneric;
    submission.namespace_name = parts[1];
    submission.doc_type = parts[2];
    submission.doc_version = parts[3];
    submission.doc_id = parts[4];
    routed = true;
  }
  for (std::string_view part : parts) routed = routed && !part.empty();
  if (!routed) return Refuse(Reason::kUnknownRoute, "no endpoint " + std::string(path));
  // Firefox's app, version, channel and build id; the ingester checks namespace and type.
  for (size_t i = 4; submission.route == Submission::Route::kFirefox && i < parts.size(); ++i) {
    if (!IsValidName(parts[i])) {
      return Refuse(Reason::kInvalidUri,
                    "the app, version, channel and build id may hold only letters, digits, '-', "
                    "'_' and '.'");
    }
  }
  submission.path = std::string(path);
  return submission;
}

Rejection MakeRejection(const HttpRequest& request, const Status& refusal, int http_status,
                        int64_t received_ms, std::string sealed_body) {
  Rejection rejection;
  rejection.received_ms = received_ms;
  rejection.path = request.target.substr(0, 8192);
  rejection.http_status = http_status;
  rejection.reason = std::string(ReasonName(ReasonOf(refusal)));
  const std::string& message = refusal.message();
  const size_t colon = message.find(": ");
  rejection.detail = colon == std::string::npos ? message : message.substr(colon + 2);
  for (std::string_view name : kRelevantHeaders) {
    if (auto value = request.Header(name)) {
      rejection.headers.emplace_back(std::string(name), std::string(value->substr(0, 1024)));
    }
  }
  rejection.body = std::move(sealed_body);
  return rejection;
}

}  // namespace telemetry::collector
