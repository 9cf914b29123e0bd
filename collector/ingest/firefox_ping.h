// Firefox desktop pings (JSON) as submitted to /submit/telemetry/<doc_id>/<doc_type>/...
//
// Structural checks (the common ping envelope): an object with "type" (string), "id" (the URI's
// document id), "creationDate" (a datetime), "version" (a number) and "application" (an
// object); "payload", "environment" objects and "clientId" a string when present. Anything
// else inside is accepted as sent. Scalar rows come from payload.processes.<process>.scalars
// and .keyedScalars (values uint, bool or string; anything else is an invalid_ping). Firefox
// events (relative timestamps, no account ids) are kept in the raw ping only. Thread-safe.
#ifndef TELEMETRY_COLLECTOR_INGEST_FIREFOX_PING_H_
#define TELEMETRY_COLLECTOR_INGEST_FIREFOX_PING_H_

#include <string_view>

#include "collector/ingest/submission.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

Result<Normalized> NormalizeFirefoxPing(std::string_view decoded, const Submission& submission);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_INGEST_FIREFOX_PING_H_
