// The collector's tables in ClickHouse (docs/SCALE-OUT.md, "Layout"), created by the collector
// itself on every shard: Debian's ClickHouse 18.16 runs without ZooKeeper, so there is no
// ON CLUSTER.
//
//   pings_local, activity_events_local, scalars_local, rejections_local   on every shard
//   pings, activity_events, scalars, rejections    Distributed over them (with a cluster)
//   telemetry_meta                                 schema version and HMAC key fingerprint
//
// The tables are ReplacingMergeTree, partitioned by day, and their sorting keys are the rows'
// identities: a ping's document id, an event's (uid, event_key), a scalar's (document id, row),
// a rejection's (collector instance, id). A row forwarded twice (after a crash, or by two
// collector instances) is one row once merged, and readers that must count exactly read with
// FINAL. Every row of one account lives on one shard (cluster.h).
#ifndef TELEMETRY_COLLECTOR_CLICKHOUSE_SCHEMA_H_
#define TELEMETRY_COLLECTOR_CLICKHOUSE_SCHEMA_H_

#include <string>

#include "collector/clickhouse/cluster.h"
#include "telemetry/base/status.h"

namespace telemetry::collector::clickhouse {

inline constexpr int kSchemaVersion = 1;

// The column lists the inserts use, in table order.
extern const char kPingColumns[];
extern const char kActivityColumns[];
extern const char kScalarColumns[];
extern const char kRejectionColumns[];

// Creates what is missing on every shard and checks what is there: FailedPrecondition when the
// database has another schema version, or was first used with an HMAC key whose fingerprint
// (IdHasher::Fingerprint) is not `key_fingerprint` (every collector instance must use the same
// key, or one account would count as two). Unavailable when a shard cannot be reached.
// An empty fingerprint skips the key check (readers that hash nothing).
Status EnsureSchema(Cluster& cluster, const std::string& key_fingerprint);

}  // namespace telemetry::collector::clickhouse

#endif  // TELEMETRY_COLLECTOR_CLICKHOUSE_SCHEMA_H_
