// Diagnostics: what the probe registry says about a probe file.
//
// A Diagnostic names a place in a file, the probe it concerns and what is wrong. ToString()
// renders it the way compilers do, so editors and CI logs can jump to the line:
//
//   Scalars.yaml:12:5: error: browser.engagement.tab_count: unknown field 'kindd'
//
// Lines and columns are 1-based. Plain value type; thread-compatible.
#ifndef TELEMETRY_DIAGNOSTIC_H_
#define TELEMETRY_DIAGNOSTIC_H_

#include <string>
#include <vector>

namespace telemetry {

struct SourceLocation {
  std::string file;  // As given to the loader ("<dynamic>" for run-time YAML text).
  int line = 0;      // 1-based; 0 when unknown.
  int column = 0;    // 1-based; 0 when unknown.
};

struct Diagnostic {
  enum class Severity { kWarning, kError };

  Severity severity = Severity::kError;
  SourceLocation location;
  std::string probe;    // "category.name", or empty for file-level problems.
  std::string message;  // What is wrong, without the location.

  bool is_error() const { return severity == Severity::kError; }
  // "file:line:column: error: probe: message".
  std::string ToString() const;
};

// Counts the errors (not warnings) in `diagnostics`.
int CountErrors(const std::vector<Diagnostic>& diagnostics);

}  // namespace telemetry

#endif  // TELEMETRY_DIAGNOSTIC_H_
