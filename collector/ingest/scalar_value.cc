#include "collector/ingest/scalar_value.h"

namespace telemetry::collector {

bool SetScalarValue(const nlohmann::json& value, ScalarRow* row) {
  if (value.is_boolean()) {
    row->kind = "bool";
    row->value = value.get<bool>() ? "true" : "false";
  } else if (value.is_number_unsigned()) {
    row->kind = "uint";
    row->value = value.dump();
  } else if (value.is_string()) {
    row->kind = "string";
    row->value = value.get<std::string>();
  } else {
    return false;
  }
  return true;
}

}  // namespace telemetry::collector
