// Helpers of the probe-file suites: YAML text kept as lines, and loading it for diagnostics.
#ifndef TELEMETRY_TESTS_PROBE_YAML_SUPPORT_H_
#define TELEMETRY_TESTS_PROBE_YAML_SUPPORT_H_

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "telemetry/registry.h"
#include "test_support.h"

namespace telemetry::testing {

// YAML text kept as lines, so a test can change one line and still know every line number.
class Yaml {
 public:
  Yaml(std::initializer_list<std::string> lines) : lines_(lines) {}

  // Replaces line `line` (1-based).
  Yaml& Set(int line, std::string text) {
    lines_.at(line - 1) = std::move(text);
    return *this;
  }
  // Inserts `text` so that it becomes line `line`; the lines from there on move down one.
  Yaml& Insert(int line, std::string text) {
    lines_.insert(lines_.begin() + (line - 1), std::move(text));
    return *this;
  }
  // Removes `count` lines from line `line` on; the lines after move up.
  Yaml& Remove(int line, int count = 1) {
    lines_.erase(lines_.begin() + (line - 1), lines_.begin() + (line - 1 + count));
    return *this;
  }
  // Adds a line at the end (a field of the last probe, when indented by four).
  Yaml& Append(std::string text) {
    lines_.push_back(std::move(text));
    return *this;
  }

  // The text: every line ended by a line break, line 1 first.
  std::string str() const {
    std::string text;
    for (const std::string& line : lines_) text += line + "\n";
    return text;
  }

 private:
  std::vector<std::string> lines_;
};

// The diagnostics of loading `yaml` as a scalars (or events) file named "test.yaml".
inline std::vector<Diagnostic> ScalarDiagnostics(const std::string& yaml,
                                                 RegistryOptions options = {}) {
  RegistryBuilder builder(std::move(options));
  builder.AddScalarsYaml(yaml, "test.yaml");
  return builder.diagnostics();
}

inline std::vector<Diagnostic> EventDiagnostics(const std::string& yaml,
                                                RegistryOptions options = {}) {
  RegistryBuilder builder(std::move(options));
  builder.AddEventsYaml(yaml, "test.yaml");
  return builder.diagnostics();
}

// All diagnostics as text, for failure messages.
inline std::string Describe(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += d.ToString() + "\n";
  return out.empty() ? "(no diagnostics)" : out;
}

// Expects exactly one diagnostic, of `severity`, at `line`, whose message holds `text`.
inline void ExpectOnly(const std::vector<Diagnostic>& diagnostics, int line,
                       const std::string& text,
                       Diagnostic::Severity severity = Diagnostic::Severity::kError) {
  ASSERT_EQ(diagnostics.size(), 1u) << Describe(diagnostics);
  EXPECT_EQ(diagnostics[0].severity, severity) << Describe(diagnostics);
  EXPECT_EQ(diagnostics[0].location.file, "test.yaml");
  EXPECT_EQ(diagnostics[0].location.line, line) << Describe(diagnostics);
  EXPECT_NE(diagnostics[0].message.find(text), std::string::npos) << Describe(diagnostics);
}

}  // namespace telemetry::testing

#endif  // TELEMETRY_TESTS_PROBE_YAML_SUPPORT_H_
