// Events.yaml: Firefox's event schema and rules, plus `record_into_store` (our extension).
#include "probe_reader.h"
#include "probe_rules.h"

namespace telemetry::internal {
namespace {

constexpr FieldSpec kEventFields[] = {
    {"objects", FieldType::kStringList, true},
    {"bug_numbers", FieldType::kIntList, true},
    {"notification_emails", FieldType::kStringList, true},
    {"record_in_processes", FieldType::kStringList, true},
    {"description", FieldType::kString, true},
    {"products", FieldType::kStringList, true},
    {"expiry_version", FieldType::kString, true},
    {"methods", FieldType::kStringList, false},
    {"release_channel_collection", FieldType::kString, false},
    {"extra_keys", FieldType::kStringMap, false},
    {"operating_systems", FieldType::kStringList, false},
    {"record_into_store", FieldType::kStringList, false},
};

std::string CheckCategory(std::string_view name) {
  return CheckEventIdentifier(name, "category", kMaxEventCategoryLength);
}

std::string CheckEventName(std::string_view name) {
  return CheckEventIdentifier(name, "event name", kMaxEventMethodLength);
}

// Checks each identifier of a list field; returns the values.
std::vector<std::string> ReadIdentifiers(const YAML::Node& definition, std::string_view field,
                                         std::string_view what, size_t max_length,
                                         std::string_view probe, Reporter& reporter) {
  std::vector<Item> items = GetStringList(definition, field);
  for (const Item& item : items) {
    if (std::string problem = CheckEventIdentifier(item.value, what, max_length);
        !problem.empty()) {
      reporter.Error(item.mark, probe, problem);
    }
  }
  int repeat = FirstRepeat(Values(items));
  if (repeat >= 0) {
    reporter.Error(items[repeat].mark, probe,
                   std::string(what) + " '" + items[repeat].value + "' is listed twice");
  }
  return Values(items);
}

void ReadExtraKeys(const YAML::Node& definition, Reporter& reporter, EventInfo* event) {
  const std::string name = event->FullName();
  std::vector<std::string> descriptions;
  std::vector<Item> keys = GetStringMap(definition, "extra_keys", &descriptions);
  if (keys.size() > kMaxExtraKeys) {
    reporter.Error(FieldMark(definition, "extra_keys"), name,
                   "'extra_keys' has " + std::to_string(keys.size()) + " keys; at most " +
                       std::to_string(kMaxExtraKeys) + " are allowed");
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    if (std::string problem = CheckEventIdentifier(keys[i].value, "extra key", kMaxExtraKeyLength);
        !problem.empty()) {
      reporter.Error(keys[i].mark, name, problem);
    }
    event->extra_keys.push_back({keys[i].value, descriptions[i]});
  }
  int repeat = FirstRepeat(Values(keys));
  if (repeat >= 0) {
    reporter.Error(keys[repeat].mark, name,
                   "extra key '" + keys[repeat].value + "' is listed twice");
  }
}

}  // namespace

std::vector<EventInfo> ReadEvents(std::string_view yaml, const RegistryOptions& options,
                                  Reporter& reporter) {
  std::vector<EventInfo> events;
  bool ok = false;
  YAML::Node root = ParseYaml(yaml, reporter, &ok);
  if (!ok) return events;
  ForEachProbe(root, CheckCategory, CheckEventName, reporter,
               [&](const std::string& category, const std::string& name, const YAML::Node& key,
                   const YAML::Node& definition) {
                 const int errors_before = reporter.errors();
                 EventInfo event;
                 event.category = category;
                 event.name = name;
                 event.location = reporter.Location(key.Mark());
                 const std::string full_name = event.FullName();
                 CheckFields(definition, key.Mark(), kEventFields, full_name, reporter);
                 ReadCommonFields(definition, options, reporter, &event);
                 event.methods = ReadIdentifiers(definition, "methods", "method",
                                                 kMaxEventMethodLength, full_name, reporter);
                 if (!HasField(definition, "methods")) event.methods = {name};
                 event.objects = ReadIdentifiers(definition, "objects", "object",
                                                 kMaxEventObjectLength, full_name, reporter);
                 ReadExtraKeys(definition, reporter, &event);
                 event.expiry_version =
                     ReadExpiry(definition, "expiry_version", options, full_name, reporter);
                 if (reporter.errors() == errors_before) events.push_back(std::move(event));
               });
  return events;
}

}  // namespace telemetry::internal
