// `telemetry-inspect definitions [SEARCH]`: the probes a registry holds.
#ifndef TELEMETRY_TOOLS_INSPECT_DEFINITIONS_COMMAND_H_
#define TELEMETRY_TOOLS_INSPECT_DEFINITIONS_COMMAND_H_

#include <ostream>
#include <string>

#include "telemetry/registry.h"

namespace telemetry::inspect {

struct DefinitionsOptions {
  std::string search;  // Case-insensitive substring of the name or description; empty: all.
  bool json = false;
  int width = 0;  // Of the table; 0: no limit.
};

// Prints one row per probe (scalars, then events): name, kind, keyed, stores, expiry,
// collection policy, description. Returns the exit code (0).
int RunDefinitions(const Registry& registry, const DefinitionsOptions& options, std::ostream& out);

}  // namespace telemetry::inspect

#endif  // TELEMETRY_TOOLS_INSPECT_DEFINITIONS_COMMAND_H_
