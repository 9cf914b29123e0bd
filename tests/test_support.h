// Helpers shared by the test suites: where the fixtures are, temporary directories, commands.
#ifndef TELEMETRY_TESTS_TEST_SUPPORT_H_
#define TELEMETRY_TESTS_TEST_SUPPORT_H_

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace telemetry::testing {

// ../shared beside the checkout (TELEMETRY_SHARED_DIR in the environment overrides it).
inline std::string SharedDir() {
  if (const char* dir = std::getenv("TELEMETRY_SHARED_DIR")) return dir;
  return TELEMETRY_SHARED_DIR;
}

inline std::string FirefoxFixture(const std::string& name) {
  return SharedDir() + "/fixtures/firefox/" + name;
}

// A fresh directory under the system's temporary directory, removed with its contents.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "telemetry-test-XXXXXX");
    path_ = mkdtemp(pattern.data());
  }
  ~ScopedTempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

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
