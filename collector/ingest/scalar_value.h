// A JSON scalar value (Firefox's scalars, Glean's simple metrics) as a stored scalar row.
#ifndef TELEMETRY_COLLECTOR_INGEST_SCALAR_VALUE_H_
#define TELEMETRY_COLLECTOR_INGEST_SCALAR_VALUE_H_

#include <nlohmann/json.hpp>

#include "collector/model/records.h"

namespace telemetry::collector {

// Sets row->kind and row->value from `value`: a boolean, an unsigned integer or a string.
// False (row untouched) for anything else, including negative numbers.
bool SetScalarValue(const nlohmann::json& value, ScalarRow* row);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_INGEST_SCALAR_VALUE_H_
