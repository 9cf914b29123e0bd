#include "collector/ingest/glean_schema.h"

#include <exception>
#include <fstream>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "collector/ingest/glean_rules.h"
#include "collector/ingest/reasons.h"

namespace telemetry::collector {

GleanSchema::GleanSchema(std::unique_ptr<valijson::Schema> schema) : schema_(std::move(schema)) {}
GleanSchema::~GleanSchema() = default;

Result<std::unique_ptr<GleanSchema>> GleanSchema::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::IoError("cannot read the Glean schema " + path);
  nlohmann::json document = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return Status::InvalidArgument(path + " is not JSON");
  auto schema = std::make_unique<valijson::Schema>();
  try {
    // The file declares draft 6; valijson's draft 7 reading covers it.
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(document);
    parser.populateSchema(adapter, *schema);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(path + " is not a usable JSON Schema: " + e.what());
  }
  return std::unique_ptr<GleanSchema>(new GleanSchema(std::move(schema)));
}

std::unique_ptr<GleanSchema> GleanSchema::BuiltIn() {
  return std::unique_ptr<GleanSchema>(new GleanSchema(nullptr));
}

Status GleanSchema::Validate(const nlohmann::json& ping) const {
  if (schema_ == nullptr) return CheckGleanRules(ping);
  // One validator per thread: it caches compiled regular expressions.
  thread_local valijson::Validator validator;
  valijson::adapters::NlohmannJsonAdapter adapter(ping);
  try {
    if (validator.validate(*schema_, adapter, nullptr)) return Status::Ok();
    // Failed: validate again, collecting the errors, to say why.
    valijson::ValidationResults results;
    validator.validate(*schema_, adapter, &results);
    valijson::ValidationResults::Error error;
    std::string detail = "the ping does not follow the Glean schema";
    // The deepest error is the most specific; valijson reports outer ones too.
    size_t best_depth = 0;
    while (results.popError(error)) {
      if (error.context.size() >= best_depth) {
        best_depth = error.context.size();
        std::string where;
        for (const std::string& part : error.context) where += part;
        detail = where + ": " + error.description;
      }
    }
    return Refuse(Reason::kSchemaViolation, detail);
  } catch (const std::exception& e) {
    return Refuse(Reason::kSchemaViolation, std::string("the validator failed: ") + e.what());
  }
}

}  // namespace telemetry::collector
