// Parsing a JSON ping body into a document, with limits that keep later recursive walkers
// (the schema validator, the normalisers) safe on hostile input.
#ifndef TELEMETRY_COLLECTOR_INGEST_JSON_INPUT_H_
#define TELEMETRY_COLLECTOR_INGEST_JSON_INPUT_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "telemetry/base/status.h"

namespace telemetry::collector {

// Nesting deeper than this is refused (real pings nest less than 10 deep).
inline constexpr int kMaxJsonDepth = 64;
// Object keys longer than this are refused (real keys are under 200 bytes; the schema's key
// patterns are matched with std::regex, whose recursion grows with the key's length).
inline constexpr size_t kMaxJsonKeyBytes = 1024;

// The parsed document, which must be a JSON object. Limits are checked while parsing, so a
// refused body never costs its full tree. Errors: invalid_json (not JSON, not an object,
// nested too deep, a key too long, a key twice in one object), over_limit (over
// kMaxJsonValues values).
// Thread-safe.
Result<nlohmann::json> ParseJsonPing(std::string_view text);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_INGEST_JSON_INPUT_H_
