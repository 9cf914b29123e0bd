// The Glean ping rules: by default the ones built into the collector (glean_rules.h); with
// --glean-schema, a JSON Schema file (glean.1.schema.json from mozilla-pipeline-schemas)
// applied with valijson instead. The schema file is not part of this repository. Mozilla's
// "datetime" format is not a JSON Schema format, so the validator leaves it alone; glean_ping.cc
// checks the ping's own timestamps instead.
//
// Thread safety: immutable after Load(); Validate() may run on any number of threads at once.
#ifndef TELEMETRY_COLLECTOR_INGEST_GLEAN_SCHEMA_H_
#define TELEMETRY_COLLECTOR_INGEST_GLEAN_SCHEMA_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "telemetry/base/status.h"

namespace valijson {
class Schema;
}

namespace telemetry::collector {

class GleanSchema {
 public:
  // Reads and compiles the schema file. Errors: the file cannot be read, is not JSON, or is not
  // a schema valijson understands.
  static Result<std::unique_ptr<GleanSchema>> Load(const std::string& path);
  // The rules built into the collector (glean_rules.h).
  static std::unique_ptr<GleanSchema> BuiltIn();
  ~GleanSchema();

  // Ok, or a schema_violation refusal naming the first failing place and rule.
  Status Validate(const nlohmann::json& ping) const;

 private:
  explicit GleanSchema(std::unique_ptr<valijson::Schema> schema);
  std::unique_ptr<valijson::Schema> schema_;  // Null: the built-in rules.
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_INGEST_GLEAN_SCHEMA_H_
