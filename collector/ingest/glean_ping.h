// Glean pings (JSON, glean.1 schema: ping_info, client_info, metrics, events).
//
// With a schema, the ping must pass it; without one the check is structural only: ping_info and
// client_info objects, metrics an object and events an array of {timestamp, category, name}
// when present. Either way ping_info.start_time and end_time (and client_info.first_run_date
// when present) must be datetimes in a shape real clients send (common/time_format.h).
//
// Activity (seed 002, server-side DAU): string metrics named "*.hashed_fxa_uid" and
// "*.hashed_device_id" act as the ping's account block (one "ping.<doc_type>" row at end_time,
// and the ids of every event); events whose extras carry ids give a row each. Event timestamps
// above 1e11 are absolute milliseconds (server-side Glean), smaller ones are relative to
// start_time. Scalar rows: boolean, counter, quantity, string and labeled_{boolean,counter,
// string} metrics (never the id-carrying strings). Thread-safe.
#ifndef TELEMETRY_COLLECTOR_INGEST_GLEAN_PING_H_
#define TELEMETRY_COLLECTOR_INGEST_GLEAN_PING_H_

#include <string_view>

#include "collector/ingest/glean_schema.h"
#include "collector/ingest/submission.h"
#include "collector/privacy/id_hasher.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

// `schema` may be null (structural checks only).
Result<Normalized> NormalizeGleanPing(std::string_view decoded, const Submission& submission,
                                      const GleanSchema* schema, const IdHasher& hasher);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_INGEST_GLEAN_PING_H_
