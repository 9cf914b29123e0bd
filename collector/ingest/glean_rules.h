// The Glean ping rules built into the collector: our own C++ statement of the facts of the
// public Glean ping schema (mozilla-pipeline-schemas, glean.1.schema.json): which fields
// ping_info, client_info, events and every metric type may and must hold, of which types,
// ranges, lengths and name patterns. Applied to every Glean ping unless --glean-schema gives a
// schema file to apply instead. Like the schema, the rules leave Mozilla's "datetime" format to
// glean_ping.cc, which reads the ping's own times.
//
// Thread-safe: the rules are immutable after their first use.
#ifndef TELEMETRY_COLLECTOR_INGEST_GLEAN_RULES_H_
#define TELEMETRY_COLLECTOR_INGEST_GLEAN_RULES_H_

#include <nlohmann/json.hpp>

#include "telemetry/base/status.h"

namespace telemetry::collector {

// Ok, or a schema_violation refusal naming the place and the rule broken.
Status CheckGleanRules(const nlohmann::json& ping);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_INGEST_GLEAN_RULES_H_
