// Emits the C++ for a validated registry: a header of typed handles and a source file that
// rebuilds the registry from a compiled-in table, without YAML.
#ifndef TELEMETRY_TOOLS_CODEGEN_EMITTER_H_
#define TELEMETRY_TOOLS_CODEGEN_EMITTER_H_

#include <optional>
#include <string>
#include <vector>

#include "telemetry/diagnostic.h"
#include "telemetry/registry.h"

namespace telemetry::codegen {

struct EmitOptions {
  std::string cpp_namespace = "telemetry::probes";  // Where the handles live.
  std::string include_path;                         // How the source includes the header.
  std::vector<std::string> inputs;                  // Named in the "generated from" comment.
};

struct GeneratedCode {
  std::string header;
  std::string source;
};

// Returns the code, or nothing when two probes would get the same C++ name (each clash is
// added to `problems` with the place of the probe that lost).
std::optional<GeneratedCode> Emit(const Registry& registry, const EmitOptions& options,
                                  std::vector<Diagnostic>* problems);

}  // namespace telemetry::codegen

#endif  // TELEMETRY_TOOLS_CODEGEN_EMITTER_H_
