// telemetry-codegen on real and broken input: it fails with file:line messages and writes
// nothing when names clash in C++, and handles all of Firefox's probes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cpp_names.h"
#include "emitter.h"
#include "probe_yaml_support.h"
#include "telemetry/registry.h"

namespace telemetry {
namespace {

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class CodegenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("codegen_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Codegen(const std::string& scalars, const std::string& events, int* status) {
    std::string output;
    *status = testing::RunCommand(std::string(TELEMETRY_CODEGEN) + " --scalars " + scalars +
                                      " --events " + events + " --header " +
                                      (dir_ / "p.h").string() + " --source " +
                                      (dir_ / "p.cc").string() + " --include telemetry/p.h",
                                  &output);
    return output;
  }

  std::filesystem::path dir_;
};

TEST_F(CodegenTest, GeneratesHandlesForAllOfFirefoxsProbes) {
  int status = 0;
  std::string output = Codegen(testing::FirefoxFixture("Scalars.yaml"),
                               testing::FirefoxFixture("Events.yaml"), &status);
  ASSERT_EQ(status, 0) << output;
  std::string header = ReadAll(dir_ / "p.h");
  EXPECT_NE(header.find("namespace a11y {"), std::string::npos);
  EXPECT_NE(header.find("inline constexpr ::telemetry::BooleanScalar kAlwaysUnderlineLinks{0};"),
            std::string::npos);
  EXPECT_NE(header.find("inline constexpr uint32_t kScalarCount = 281;"), std::string::npos);
  EXPECT_NE(header.find("inline constexpr uint32_t kEventCount = 88;"), std::string::npos);
  EXPECT_NE(header.find("struct ViewEvent {"), std::string::npos);
  std::string source = ReadAll(dir_ / "p.cc");
  EXPECT_NE(source.find("#include \"telemetry/p.h\""), std::string::npos);
  EXPECT_NE(source.find("builder.AddScalar(std::move(p));"), std::string::npos);
}

TEST_F(CodegenTest, AnInvalidFileFailsTheBuildWithItsLineAndWritesNothing) {
  std::ofstream(dir_ / "Scalars.yaml") << "a.b:\n  c_d:\n    kind: float\n";
  std::ofstream(dir_ / "Events.yaml") << "";
  int status = 0;
  std::string output =
      Codegen((dir_ / "Scalars.yaml").string(), (dir_ / "Events.yaml").string(), &status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(output.find("Scalars.yaml:2:3: error: a.b.c_d: missing required field"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("Scalars.yaml:3:5: error: a.b.c_d: unknown kind 'float'"),
            std::string::npos)
      << output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "p.h"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "p.cc"));
}

TEST_F(CodegenTest, UnchangedOutputIsNotRewritten) {
  int status = 0;
  std::string scalars = std::string(TELEMETRY_SOURCE_DIR) + "/tests/data/TestScalars.yaml";
  std::string events = std::string(TELEMETRY_SOURCE_DIR) + "/tests/data/TestEvents.yaml";
  ASSERT_EQ((Codegen(scalars, events, &status), status), 0);
  auto stamp = std::filesystem::last_write_time(dir_ / "p.h");
  std::filesystem::last_write_time(dir_ / "p.h", stamp - std::chrono::hours(1));
  ASSERT_EQ((Codegen(scalars, events, &status), status), 0);
  EXPECT_EQ(std::filesystem::last_write_time(dir_ / "p.h"), stamp - std::chrono::hours(1));
}

// Builds a registry from events text, for the emitter's own checks.
std::shared_ptr<const Registry> Events(const std::string& yaml) {
  RegistryBuilder builder;
  builder.AddEventsYaml(yaml, "test.yaml");
  return builder.Build();
}

codegen::EmitOptions EmitOptionsFor(const std::string& include_path) {
  codegen::EmitOptions options;
  options.include_path = include_path;
  return options;
}

constexpr char kEventFields[] = R"(
    bug_numbers: [2]
    description: d
    expiry_version: never
    notification_emails: [dev@example.org]
    products: [firefox]
    record_in_processes: [main]
)";

TEST(Emitter, NamesThatClashInCppAreErrorsAtTheLosingProbe) {
  // "link_text" and "linkText" are both kLinkText.
  std::shared_ptr<const Registry> registry =
      Events(std::string("ui:\n  click:\n    objects: [link_text, linkText]") + kEventFields);
  ASSERT_NE(registry, nullptr);
  std::vector<Diagnostic> problems;
  EXPECT_FALSE(codegen::Emit(*registry, EmitOptionsFor("x.h"), &problems));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].location.line, 2);
  EXPECT_NE(problems[0].message.find("kLinkText"), std::string::npos) << problems[0].ToString();

  // Categories "a.b" and "a_b" are both namespace a_b.
  registry = Events(std::string("a.b:\n  x1:\n    objects: [o1]") + kEventFields +
                    "a_b:\n  y1:\n    objects: [o1]" + kEventFields);
  ASSERT_NE(registry, nullptr);
  problems.clear();
  EXPECT_FALSE(codegen::Emit(*registry, EmitOptionsFor("x.h"), &problems));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].message.find("both become the C++ namespace 'a_b'"), std::string::npos);
}

TEST(CppNames, ProbeNamesBecomeGoogleStyleNames) {
  EXPECT_EQ(codegen::ConstantName("tab_open_event_count"), "kTabOpenEventCount");
  EXPECT_EQ(codegen::ConstantName("HCM_background"), "kHCMBackground");
  EXPECT_EQ(codegen::ConstantName("fileExtension"), "kFileExtension");
  EXPECT_EQ(codegen::TypeName("double_click"), "DoubleClick");
  EXPECT_EQ(codegen::NamespaceName("browser.engagement"), "browser_engagement");
  EXPECT_EQ(codegen::NamespaceName("delete"), "delete_");
  EXPECT_EQ(codegen::Literal("a\"b\\c\nd\xc3\xa9?"), "\"a\\\"b\\\\c\\nd\\303\\251\\?\"");
}

}  // namespace
}  // namespace telemetry
