// Our own pings (pings/ping.proto): decoded, checked and turned into rows.
//
// Bad input: a body that is not a telemetry.ping.Ping is an invalid_protobuf refusal; a ping
// whose document_id differs from the URI's, or with a scalar without a value, an event without
// category or method, is an invalid_ping refusal. Thread-safe.
#ifndef TELEMETRY_COLLECTOR_INGEST_PROTOBUF_PING_H_
#define TELEMETRY_COLLECTOR_INGEST_PROTOBUF_PING_H_

#include <string_view>

#include "collector/ingest/submission.h"
#include "collector/privacy/id_hasher.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

// One activity row per event (type "<category>.<method>"), one "ping.<doc_type>" row when the
// ping has an account block, one scalar row per scalar value; `redacted` set when the ping
// carried account or device ids (account block or id extras).
Result<Normalized> NormalizeProtobufPing(std::string_view decoded, const Submission& submission,
                                         const IdHasher& hasher);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_INGEST_PROTOBUF_PING_H_
