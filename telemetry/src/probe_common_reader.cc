// The fields every probe has, and the two-level category -> probe layout of both files.
#include "probe_reader.h"
#include "probe_rules.h"

namespace telemetry::internal {
namespace {

// Reports the first repeated value of a list field.
void CheckNoRepeats(const std::vector<Item>& items, std::string_view field, std::string_view probe,
                    Reporter& reporter) {
  int repeat = FirstRepeat(Values(items));
  if (repeat >= 0) {
    reporter.Error(items[repeat].mark, probe,
                   "'" + items[repeat].value + "' is listed twice in '" + std::string(field) + "'");
  }
}

}  // namespace

void ReadCommonFields(const YAML::Node& definition, const RegistryOptions& options,
                      Reporter& reporter, ProbeCommon* info) {
  const std::string name = info->FullName();
  info->description = GetString(definition, "description");
  info->bug_numbers = GetIntList(definition, "bug_numbers");

  for (const Item& email : GetStringList(definition, "notification_emails")) {
    if (!IsValidEmail(email.value)) {
      reporter.Error(email.mark, name,
                     "invalid notification email '" + email.value +
                         "' (no spaces or commas; list each address on its own)");
    }
    info->notification_emails.push_back(email.value);
  }

  for (const Item& process : GetStringList(definition, "record_in_processes")) {
    if (!IsKnownProcess(process.value)) {
      reporter.Error(process.mark, name,
                     "unknown process '" + process.value +
                         "' in 'record_in_processes' (expected one of all, all_children, main, "
                         "content, gpu, rdd, socket, utility)");
    }
    info->record_in_processes.push_back(process.value);
  }

  for (const Item& product : GetStringList(definition, "products")) {
    if (!IsKnownProduct(product.value, options.extra_products)) {
      reporter.Error(product.mark, name,
                     "unknown product '" + product.value +
                         "' in 'products' (expected firefox, fennec, thunderbird, or a product "
                         "the application declares)");
    }
    info->products.push_back(product.value);
  }

  std::vector<Item> stores = GetStringList(definition, "record_into_store");
  for (const Item& store : stores) {
    if (!IsValidStoreName(store.value)) {
      reporter.Error(store.mark, name,
                     "invalid store name '" + store.value +
                         "' (lower-case letters, digits and '-', not at either end)");
    }
  }
  CheckNoRepeats(stores, "record_into_store", name, reporter);
  info->record_into_store = stores.empty() ? std::vector<std::string>{"main"} : Values(stores);

  if (HasField(definition, "operating_systems")) {
    reporter.Warning(FieldMark(definition, "operating_systems"), name,
                     "'operating_systems' is obsolete and ignored");
  }
  for (const Item& os : GetStringList(definition, "operating_systems")) {
    if (!IsKnownOperatingSystem(os.value)) {
      reporter.Error(os.mark, name,
                     "unknown operating system '" + os.value +
                         "' (expected mac, linux, windows, android, unix or all)");
    }
    info->operating_systems.push_back(os.value);
  }

  std::string policy = GetString(definition, "release_channel_collection", "opt-in");
  if (policy == "opt-out") {
    info->collection = CollectionPolicy::kOptOut;
  } else if (policy == "opt-in") {
    info->collection = CollectionPolicy::kOptIn;
  } else {
    reporter.Error(FieldMark(definition, "release_channel_collection"), name,
                   "unknown collection policy '" + policy + "' (expected opt-in or opt-out)");
  }
}

}  // namespace telemetry::internal

namespace telemetry::internal {

void ForEachProbe(const YAML::Node& root, NameCheck check_category, NameCheck check_probe,
                  Reporter& reporter, const ProbeVisitor& visit) {
  if (!root.IsDefined() || root.IsNull()) return;  // An empty file declares nothing.
  if (!root.IsMap()) {
    reporter.Error(root.Mark(), "", "the file must be a map of categories to probes");
    return;
  }
  for (const auto& category : root) {
    const YAML::Node& category_key = category.first;
    if (TypeOf(category_key) != YamlType::kString) {
      reporter.Error(category_key.Mark(), "", "category names must be strings");
      continue;
    }
    const std::string& category_name = category_key.Scalar();
    if (std::string problem = check_category(category_name); !problem.empty()) {
      reporter.Error(category_key.Mark(), category_name, problem);
    }
    const YAML::Node& probes = category.second;
    if (!probes.IsMap() || probes.size() == 0) {
      reporter.Error(category_key.Mark(), category_name,
                     "a category must be a map holding at least one probe");
      continue;
    }
    for (const auto& probe : probes) {
      const YAML::Node& probe_key = probe.first;
      if (TypeOf(probe_key) != YamlType::kString) {
        reporter.Error(probe_key.Mark(), category_name, "probe names must be strings");
        continue;
      }
      const std::string full_name = category_name + "." + probe_key.Scalar();
      if (std::string problem = check_probe(probe_key.Scalar()); !problem.empty()) {
        reporter.Error(probe_key.Mark(), full_name, problem);
        continue;
      }
      if (!probe.second.IsMap()) {
        reporter.Error(probe_key.Mark(), full_name, "a probe definition must be a map of fields");
        continue;
      }
      visit(category_name, probe_key.Scalar(), probe_key, probe.second);
    }
  }
}

}  // namespace telemetry::internal

namespace telemetry::internal {

std::string ReadExpiry(const YAML::Node& definition, std::string_view field,
                       const RegistryOptions& options, std::string_view probe, Reporter& reporter) {
  if (!HasStringField(definition, field)) return "";  // Missing or mistyped: reported already.
  std::string expiry = GetString(definition, field);
  if (!IsValidExpiry(expiry)) {
    reporter.Error(FieldMark(definition, field), probe,
                   "invalid " + std::string(field) + " '" + expiry +
                       "' (expected \"never\" or a major version such as \"121\")");
  } else if (IsExpired(expiry, options.app_version)) {
    reporter.Warning(FieldMark(definition, field), probe,
                     "expired in version " + expiry + " (app version " + options.app_version +
                         "); it will not be recorded");
  }
  return expiry;
}

}  // namespace telemetry::internal

namespace telemetry::internal {

ProbeFileKind GuessProbeFileKind(const YAML::Node& root) {
  if (!root.IsMap()) return ProbeFileKind::kUnknown;
  for (const auto& category : root) {
    if (!category.second.IsMap()) continue;
    for (const auto& probe : category.second) {
      if (HasField(probe.second, "kind")) return ProbeFileKind::kScalars;
      if (HasField(probe.second, "objects")) return ProbeFileKind::kEvents;
    }
  }
  return ProbeFileKind::kUnknown;
}

}  // namespace telemetry::internal
