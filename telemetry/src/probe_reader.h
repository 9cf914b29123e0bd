// Reads one probe file (scalars or events) into definitions, reporting every problem.
#ifndef TELEMETRY_SRC_PROBE_READER_H_
#define TELEMETRY_SRC_PROBE_READER_H_

#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/probe_info.h"
#include "telemetry/registry.h"
#include "yaml_fields.h"

namespace telemetry::internal {

// Both return the definitions that are free of errors; the ones with errors are reported
// through `reporter` and left out.
std::vector<ScalarInfo> ReadScalars(std::string_view yaml, const RegistryOptions& options,
                                    Reporter& reporter);
std::vector<EventInfo> ReadEvents(std::string_view yaml, const RegistryOptions& options,
                                  Reporter& reporter);

// Walks the category -> probe -> definition layout both files share, checking that each level
// is a map and each name passes `check_category` / `check_probe`; calls `visit` for every
// definition whose names are fine.
using NameCheck = std::string (*)(std::string_view name);
using ProbeVisitor = std::function<void(const std::string& category, const std::string& name,
                                        const YAML::Node& key, const YAML::Node& definition)>;
void ForEachProbe(const YAML::Node& root, NameCheck check_category, NameCheck check_probe,
                  Reporter& reporter, const ProbeVisitor& visit);

enum class ProbeFileKind { kScalars, kEvents, kUnknown };
// Looks at the first probe definition of a parsed file (ParseYaml): a `kind` field means
// scalars, `objects` events.
ProbeFileKind GuessProbeFileKind(const YAML::Node& root);

// The fields scalars and events share, checked by the same rules.
void ReadCommonFields(const YAML::Node& definition, const RegistryOptions& options,
                      Reporter& reporter, ProbeCommon* info);

// Reads the expiry field `field` ("expires" / "expiry_version"): checks its format, and warns
// when it has expired for the configured app version.
std::string ReadExpiry(const YAML::Node& definition, std::string_view field,
                       const RegistryOptions& options, std::string_view probe, Reporter& reporter);

}  // namespace telemetry::internal

#endif  // TELEMETRY_SRC_PROBE_READER_H_
