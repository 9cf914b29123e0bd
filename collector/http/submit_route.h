// The /submit endpoints' URI forms, and what a refused request leaves in the rejections table.
//
//   Result<Submission> submission = ParseSubmitPath(request.path);
//   if (!submission.ok()) Refuse(submission.status());  // unknown_route or invalid_uri
//
// Pure functions of their arguments; thread-safe.
#ifndef TELEMETRY_COLLECTOR_HTTP_SUBMIT_ROUTE_H_
#define TELEMETRY_COLLECTOR_HTTP_SUBMIT_ROUTE_H_

#include <string_view>

#include "collector/http/http_message.h"
#include "collector/ingest/submission.h"
#include "collector/model/records.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

// Our and Glean's /submit/<namespace>/<doc_type>/<doc_version>/<doc_id>, or Firefox's
// /submit/telemetry/<doc_id>/<doc_type>/<app>/<version>/<channel>/<build_id>: the route and the
// URI's fields (path included). Anything else is unknown_route; a Firefox app, version, channel
// or build id outside the strict charset is invalid_uri. The ingester checks the rest.
Result<Submission> ParseSubmitPath(std::string_view path);

// The row a refusal leaves: the target (cut at 8 KB), status, reason and detail of `refusal`,
// the headers worth keeping for diagnosis, and the body as received when `sealed_body` is given
// (already sealed by the ingester: a refused body may carry raw ids).
Rejection MakeRejection(const HttpRequest& request, const Status& refusal, int http_status,
                        int64_t received_ms, std::string sealed_body);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_HTTP_SUBMIT_ROUTE_H_
