// telemetry-inspect run as a user runs it: exit codes, output, messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_support.h"

namespace telemetry {
namespace {

struct Result {
  int status = -1;
  std::string output;  // stdout and stderr together.
};

Result Inspect(const std::string& arguments) {
  Result result;
  result.status =
      testing::RunCommand(std::string(TELEMETRY_INSPECT) + " " + arguments, &result.output);
  return result;
}

TEST(InspectLint, FirefoxFixturesAreClean) {
  Result r = Inspect("lint " + testing::FirefoxFixture("Scalars.yaml") + " " +
                     testing::FirefoxFixture("Events.yaml"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "281 scalars, 88 events\n");
}

TEST(InspectLint, TheProjectsOwnProbesAreClean) {
  std::string root = TELEMETRY_SOURCE_DIR;
  Result r = Inspect("lint " + root + "/Scalars.yaml " + root + "/Events.yaml");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find(" scalars, 11 events\n"), std::string::npos) << r.output;
}

TEST(InspectLint, EveryMistakeOfAFileIsPrintedWithItsLine) {
  std::filesystem::path file = std::filesystem::temp_directory_path() / "lint_mistakes.yaml";
  std::ofstream(file) << "a.b:\n"                                      // 1
                         "  good_one:\n"                               // 2
                         "    bug_numbers: [1]\n"                      // 3
                         "    description: fine\n"                     // 4
                         "    expires: never\n"                        // 5
                         "    kind: uint\n"                            // 6
                         "    notification_emails: [x@example.org]\n"  // 7
                         "    products: [firefox]\n"                   // 8
                         "    record_in_processes: [main]\n"           // 9
                         "  bad_one:\n"                                // 10
                         "    bug_numbers: [one]\n"                    // 11
                         "    description: broken\n"                   // 12
                         "    expires: 121\n"                          // 13
                         "    kind: counter\n"                         // 14
                         "    notification_emails: [x@example.org]\n"  // 15
                         "    products: [firefox, chrome]\n"           // 16
                         "    record_in_processes: [main]\n";          // 17
  Result r = Inspect("lint --scalars " + file.string());
  EXPECT_EQ(r.status, 1);
  const std::string f = file.string();
  for (const std::string& expected :
       {f + ":11:19: error: a.b.bad_one: field 'bug_numbers' must only hold integers",
        f + ":13:5: error: a.b.bad_one: field 'expires' must be a string, not an integer",
        f + ":14:5: error: a.b.bad_one: unknown kind 'counter'",
        f + ":16:25: error: a.b.bad_one: unknown product 'chrome'",
        std::string("4 errors found")}) {
    EXPECT_NE(r.output.find(expected), std::string::npos) << "missing: " << expected << "\n"
                                                          << r.output;
  }
  EXPECT_EQ(r.output.find("good_one"), std::string::npos) << r.output;
  std::filesystem::remove(file);
}

TEST(InspectLint, ASyntaxErrorIsPrintedWithItsLineWhateverTheFileIsCalled) {
  for (const std::string name : {"lint_probes.yaml", "Scalars_lint.yaml"}) {
    std::filesystem::path file = std::filesystem::temp_directory_path() / name;
    std::ofstream(file) << "a.b:\n"                    // 1
                           "  one:\n"                  // 2
                           "    bug_numbers: [1, 2\n"  // 3
                           "    description: x\n"      // 4: cannot continue the sequence
                           "    kind: uint\n";         // 5
    Result r = Inspect("lint " + file.string());
    EXPECT_EQ(r.status, 1) << r.output;
    const std::string expected =
        file.string() + ":4:16: error: YAML syntax error: end of sequence flow not found";
    EXPECT_NE(r.output.find(expected), std::string::npos) << "missing: " << expected << "\n"
                                                          << r.output;
    EXPECT_EQ(r.output.find("cannot tell"), std::string::npos) << r.output;
    std::filesystem::remove(file);
  }
}

TEST(InspectLint, AMissingFileIsAUsageError) {
  Result r = Inspect("lint /no/such/Scalars.yaml");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("/no/such/Scalars.yaml"), std::string::npos) << r.output;
}

TEST(InspectLint, NoFileIsAUsageError) {
  Result r = Inspect("lint");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("name at least one probe file"), std::string::npos) << r.output;
}

TEST(InspectDefinitions, ListsTheCompiledInProbes) {
  Result r = Inspect("definitions");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("browser.engagement.tab_open_event_count"), std::string::npos);
  EXPECT_NE(r.output.find("main,custom-store"), std::string::npos);
  EXPECT_NE(r.output.find("device.connected"), std::string::npos);
}

TEST(InspectDefinitions, SearchAndJson) {
  Result r = Inspect("definitions device.conn --json");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\"name\": \"device.connected\""), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("\"kind\": \"event\""), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("tab_open_event_count"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace telemetry
