// What one ping may hold. A small compressed body can expand into millions of events, scalar
// values or keys; these caps keep the rows, the database growth and the memory of one request
// bounded. They follow the clients' own limits: Firefox sends at most 1000 events per event
// ping and 100 keys per keyed scalar, Glean 500 events per events ping and 16 labels per
// labeled metric (50 extras per event at most). A ping over a cap is refused whole
// (over_limit), never truncated: a partial ping would count as a complete one.
#ifndef TELEMETRY_COLLECTOR_INGEST_LIMITS_H_
#define TELEMETRY_COLLECTOR_INGEST_LIMITS_H_

#include <cstddef>
#include <cstdint>

#include "telemetry/base/status.h"

namespace telemetry::collector {

inline constexpr size_t kMaxEventsPerPing = 1000;
inline constexpr size_t kMaxExtrasPerEvent = 50;
// Scalar rows (scalars, keyed-scalar keys, labels) of one ping.
inline constexpr size_t kMaxScalarRowsPerPing = 10000;
inline constexpr size_t kMaxKeysPerScalar = 100;
// JSON values of one document (a real main ping of 383 KB holds 14,580): bounds the parsed
// tree at about 100 bytes a value.
inline constexpr size_t kMaxJsonValues = 500000;
// Protobuf fields of one ping, counted over every message before it is parsed.
inline constexpr size_t kMaxProtobufFields = 200000;

// Event and activity timestamps the collector accepts: not before 2000-01-01T00:00:00Z and
// not more than one day after the ping was received. Anything else cannot be a real client's
// clock and would make the KPI job walk absurd ranges of days.
inline constexpr int64_t kEarliestPlausibleMs = 946684800000;  // 2000-01-01T00:00:00Z
inline constexpr int64_t kMaxAheadOfReceiptMs = 24 * 60 * 60 * 1000;

// Ok, or an implausible_time refusal naming `what`.
Status CheckPlausibleTime(int64_t timestamp_ms, int64_t received_ms, const char* what);
// Ok, or an over_limit refusal when `count` is over `limit`.
Status CheckLimit(size_t count, size_t limit, const char* what);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_INGEST_LIMITS_H_
