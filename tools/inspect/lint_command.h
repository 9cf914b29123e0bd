// `telemetry-inspect lint FILE...`: validates probe files.
#ifndef TELEMETRY_TOOLS_INSPECT_LINT_COMMAND_H_
#define TELEMETRY_TOOLS_INSPECT_LINT_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "telemetry/registry.h"

namespace telemetry::inspect {

struct LintOptions {
  std::vector<std::string> files;          // Kind guessed from the name or content.
  std::vector<std::string> scalars_files;  // Forced to be read as Scalars.yaml.
  std::vector<std::string> events_files;   // Forced to be read as Events.yaml.
  RegistryOptions registry;
};

// Prints every diagnostic to `err`, and "N scalars, M events" to `out` when there is no error.
// Returns the exit code: 0 clean (warnings allowed), 1 when any error was found.
int RunLint(const LintOptions& options, std::ostream& out, std::ostream& err);

}  // namespace telemetry::inspect

#endif  // TELEMETRY_TOOLS_INSPECT_LINT_COMMAND_H_
