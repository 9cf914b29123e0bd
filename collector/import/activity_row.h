// One row of the seed's event table as read from CSV or NDJSON, checked and turned into an
// ActivityEvent with its ids HMACed (the same rules as pings).
#ifndef TELEMETRY_COLLECTOR_IMPORT_ACTIVITY_ROW_H_
#define TELEMETRY_COLLECTOR_IMPORT_ACTIVITY_ROW_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "collector/model/records.h"
#include "collector/privacy/id_hasher.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

// The columns of shared/KPI.md, in its order.
inline constexpr std::array<std::string_view, 15> kActivityColumns = {"timestamp",
                                                                      "seqId",
                                                                      "seqTime",
                                                                      "type",
                                                                      "uid",
                                                                      "deviceId",
                                                                      "newUser",
                                                                      "userAgentBrowser",
                                                                      "userAgentVersion",
                                                                      "userAgentOS",
                                                                      "service",
                                                                      "context",
                                                                      "entrypoint",
                                                                      "campaign",
                                                                      "migration"};

// A row's values by column (kActivityColumns order); nullopt is NULL.
using RawActivityRow = std::array<std::optional<std::string>, kActivityColumns.size()>;

// The index of a column name, or -1 when it is not one of the table's.
int ActivityColumnIndex(std::string_view name);

// Checks the row: timestamp an integer (ms), type non-empty, seqTime an integer or NULL,
// newUser 0, 1, true, false or NULL (NULL is 0). InvalidArgument says which column is wrong.
// The event's import_key is set (ImportKey).
// `now_ms` bounds the timestamp as at the HTTP door (implausible_time).
Result<ActivityEvent> ActivityFromRow(const RawActivityRow& row, const IdHasher& hasher,
                                      int64_t now_ms);

// A value as an error message quotes it: in double quotes, cut after 80 bytes (at a UTF-8
// character boundary) with "..." so that a huge field cannot flood the output.
std::string QuoteValue(std::string_view value);

// An imported row's identity: the hex SHA-256 of its canonical content (every column, ids
// already HMACed, newUser as 0/1), so the same row read again, from the same file or another,
// in CSV or NDJSON, has the same key. The seed's rows carry no id of their own.
std::string ImportKey(const ActivityEvent& event);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_IMPORT_ACTIVITY_ROW_H_
