// Scalars.yaml: Firefox's scalar schema and rules.
#include "probe_reader.h"
#include "probe_rules.h"

namespace telemetry::internal {
namespace {

constexpr FieldSpec kScalarFields[] = {
    {"bug_numbers", FieldType::kIntList, true},
    {"description", FieldType::kString, true},
    {"expires", FieldType::kString, true},
    {"kind", FieldType::kString, true},
    {"notification_emails", FieldType::kStringList, true},
    {"record_in_processes", FieldType::kStringList, true},
    {"products", FieldType::kStringList, true},
    {"release_channel_collection", FieldType::kString, false},
    {"keyed", FieldType::kBool, false},
    {"keys", FieldType::kStringList, false},
    {"operating_systems", FieldType::kStringList, false},
    {"record_into_store", FieldType::kStringList, false},
};

void ReadKind(const YAML::Node& definition, Reporter& reporter, ScalarInfo* scalar) {
  if (!HasStringField(definition, "kind")) return;  // Missing or mistyped: reported already.
  std::string kind = GetString(definition, "kind");
  if (kind == "uint") {
    scalar->kind = ScalarKind::kUint;
  } else if (kind == "string") {
    scalar->kind = ScalarKind::kString;
  } else if (kind == "boolean") {
    scalar->kind = ScalarKind::kBoolean;
  } else {
    reporter.Error(FieldMark(definition, "kind"), scalar->FullName(),
                   "unknown kind '" + kind + "' (expected uint, string or boolean)");
  }
}

void ReadKeys(const YAML::Node& definition, Reporter& reporter, ScalarInfo* scalar) {
  const std::string name = scalar->FullName();
  scalar->keyed = GetBool(definition, "keyed", false);
  if (!HasField(definition, "keys")) return;
  if (!scalar->keyed) {
    reporter.Error(FieldMark(definition, "keys"), name,
                   "'keys' is only allowed on keyed scalars (add 'keyed: true')");
  }
  std::vector<Item> keys = GetStringList(definition, "keys");
  if (keys.size() > kMaxScalarKeys) {
    reporter.Error(FieldMark(definition, "keys"), name,
                   "'keys' lists " + std::to_string(keys.size()) + " keys; at most " +
                       std::to_string(kMaxScalarKeys) + " are allowed");
  }
  for (const Item& key : keys) {
    if (key.value.empty()) reporter.Error(key.mark, name, "a key must not be empty");
    if (key.value.size() > kMaxScalarKeyLength) {
      reporter.Error(key.mark, name,
                     "key '" + key.value + "' is longer than " +
                         std::to_string(kMaxScalarKeyLength) + " characters");
    }
  }
  int repeat = FirstRepeat(Values(keys));
  if (repeat >= 0) {
    reporter.Error(keys[repeat].mark, name, "key '" + keys[repeat].value + "' is listed twice");
  }
  scalar->keys = Values(keys);
}

}  // namespace

std::vector<ScalarInfo> ReadScalars(std::string_view yaml, const RegistryOptions& options,
                                    Reporter& reporter) {
  std::vector<ScalarInfo> scalars;
  bool ok = false;
  YAML::Node root = ParseYaml(yaml, reporter, &ok);
  if (!ok) return scalars;
  ForEachProbe(root, CheckScalarCategoryName, CheckScalarProbeName, reporter,
               [&](const std::string& category, const std::string& name, const YAML::Node& key,
                   const YAML::Node& definition) {
                 const int errors_before = reporter.errors();
                 ScalarInfo scalar;
                 scalar.category = category;
                 scalar.name = name;
                 scalar.location = reporter.Location(key.Mark());
                 const std::string full_name = scalar.FullName();
                 CheckFields(definition, key.Mark(), kScalarFields, full_name, reporter);
                 ReadCommonFields(definition, options, reporter, &scalar);
                 ReadKind(definition, reporter, &scalar);
                 ReadKeys(definition, reporter, &scalar);
                 scalar.expires = ReadExpiry(definition, "expires", options, full_name, reporter);
                 if (reporter.errors() == errors_before) scalars.push_back(std::move(scalar));
               });
  return scalars;
}

}  // namespace telemetry::internal
