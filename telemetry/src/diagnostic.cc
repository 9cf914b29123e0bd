#include "telemetry/diagnostic.h"

#include <algorithm>

namespace telemetry {

std::string Diagnostic::ToString() const {
  std::string out = location.file.empty() ? "<input>" : location.file;
  if (location.line > 0) {
    out += ":" + std::to_string(location.line);
    if (location.column > 0) out += ":" + std::to_string(location.column);
  }
  out += severity == Severity::kError ? ": error: " : ": warning: ";
  if (!probe.empty()) out += probe + ": ";
  out += message;
  return out;
}

int CountErrors(const std::vector<Diagnostic>& diagnostics) {
  return static_cast<int>(std::count_if(diagnostics.begin(), diagnostics.end(),
                                        [](const Diagnostic& d) { return d.is_error(); }));
}

}  // namespace telemetry
