// Helpers shared by the test suites: where the fixtures are, and loading YAML text.
#ifndef TELEMETRY_TESTS_TEST_SUPPORT_H_
#define TELEMETRY_TESTS_TEST_SUPPORT_H_

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "telemetry/registry.h"

namespace telemetry::testing {

// ../shared beside the checkout (TELEMETRY_SHARED_DIR in the environment overrides it).
inline std::string SharedDir() {
  if (const char* dir = std::getenv("TELEMETRY_SHARED_DIR")) return dir;
  return TELEMETRY_SHARED_DIR;
}

inline std::string FirefoxFixture(const std::string& name) {
  return SharedDir() + "/fixtures/firefox/" + name;
}

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

// Runs a shell command line; returns its exit status (-1 if it did not exit normally) and, in
// *output, its stdout and stderr together.
inline int RunCommand(const std::string& command, std::string* output) {
  output->clear();
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output->append(buffer, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace telemetry::testing

#endif  // TELEMETRY_TESTS_TEST_SUPPORT_H_
