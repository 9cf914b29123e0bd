// Reading probe definitions out of yaml-cpp nodes, with every problem reported at its line.
//
// yaml-cpp keeps every scalar as text; this file decides what a scalar *is* the way PyYAML's
// safe_load (which Firefox's parsers use) would: a plain `164` is an integer and a quoted
// "164" a string, a plain `yes` a boolean. That keeps our type checks identical to Firefox's.
#ifndef TELEMETRY_SRC_YAML_FIELDS_H_
#define TELEMETRY_SRC_YAML_FIELDS_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/diagnostic.h"

namespace telemetry::internal {

enum class YamlType { kNull, kBool, kInt, kFloat, kString, kList, kMap };

YamlType TypeOf(const YAML::Node& node);
std::string_view TypeName(YamlType type);  // "string", "list of ...", ...
bool AsBool(const YAML::Node& node);       // For nodes of kBool type.

// Collects diagnostics for one input file.
class Reporter {
 public:
  Reporter(std::string file, std::vector<Diagnostic>* out) : file_(std::move(file)), out_(out) {}

  SourceLocation Location(const YAML::Mark& mark) const;
  void Error(const YAML::Mark& mark, std::string_view probe, std::string message);
  void Warning(const YAML::Mark& mark, std::string_view probe, std::string message);
  const std::string& file() const { return file_; }
  int errors() const { return errors_; }

 private:
  std::string file_;
  int errors_ = 0;
  std::vector<Diagnostic>* out_;
};

// Parses `text`; a syntax error is reported with its line and gives a null node.
YAML::Node ParseYaml(std::string_view text, Reporter& reporter, bool* ok);

enum class FieldType { kString, kBool, kStringList, kIntList, kStringMap };

struct FieldSpec {
  std::string_view name;
  FieldType type;
  bool required;
};

// Checks a definition's fields against `specs`: unknown, repeated and missing fields, each
// field's type, empty lists and maps, and the type of every list element. Reports each problem
// at its own line. Afterwards the Get* helpers below return only well-typed values.
void CheckFields(const YAML::Node& definition, const YAML::Mark& definition_mark,
                 std::span<const FieldSpec> specs, std::string_view probe, Reporter& reporter);

// A list element (or map key) with the place it was written.
struct Item {
  std::string value;
  YAML::Mark mark;
};

// The field's value if it is present with the right type; else the fallback / nothing.
bool HasField(const YAML::Node& definition, std::string_view name);
bool HasStringField(const YAML::Node& definition, std::string_view name);
YAML::Mark FieldMark(const YAML::Node& definition, std::string_view name);
std::string GetString(const YAML::Node& definition, std::string_view name,
                      std::string fallback = "");
bool GetBool(const YAML::Node& definition, std::string_view name, bool fallback);
std::vector<Item> GetStringList(const YAML::Node& definition, std::string_view name);
std::vector<int64_t> GetIntList(const YAML::Node& definition, std::string_view name);
// A map of strings to strings, in file order; `values` receives the values.
std::vector<Item> GetStringMap(const YAML::Node& definition, std::string_view name,
                               std::vector<std::string>* values);

// Values of `items` only.
std::vector<std::string> Values(const std::vector<Item>& items);

}  // namespace telemetry::internal

#endif  // TELEMETRY_SRC_YAML_FIELDS_H_
