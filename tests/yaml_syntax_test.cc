// YAML syntax errors, files that cannot be read, probes defined twice across inputs, and files
// with many mistakes: every one reported, each at its own line.
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "probe_yaml_support.h"

namespace telemetry::testing {
namespace {

// Each expected diagnostic: its line and a distinctive part of its message.
using Expected = std::vector<std::pair<int, std::string>>;

void ExpectDiagnostics(const std::vector<Diagnostic>& diagnostics, const Expected& expected) {
  ASSERT_EQ(diagnostics.size(), expected.size()) << Describe(diagnostics);
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("diagnostic " + std::to_string(i) + ": " + diagnostics[i].ToString());
    EXPECT_EQ(diagnostics[i].severity, Diagnostic::Severity::kError);
    EXPECT_EQ(diagnostics[i].location.file, "test.yaml");
    EXPECT_EQ(diagnostics[i].location.line, expected[i].first);
    EXPECT_NE(diagnostics[i].message.find(expected[i].second), std::string::npos)
        << "expected to find: " << expected[i].second;
  }
}

// --- Syntax errors: one error, at the line where the parser finds the problem ---------------

TEST(YamlSyntax, UnclosedFlowSequenceIsOneErrorAtTheLineThatCannotContinueIt) {
  // A flow sequence may go on over several lines, so the mistake shows on line 4: the key
  // `description:` cannot be inside a sequence. (PyYAML names this line too.)
  const char* yaml = R"(browser.engagement:
  tab_count:
    bug_numbers: [1276190, 1276191
    description: Counts open tabs.
    expires: never
    kind: uint
    notification_emails: [telemetry@example.com]
    products: [firefox]
    record_in_processes: [main]
)";
  std::vector<Diagnostic> diagnostics = ScalarDiagnostics(yaml);
  ExpectOnly(diagnostics, 4, "YAML syntax error");
  EXPECT_NE(diagnostics.at(0).message.find("end of sequence flow not found"), std::string::npos);
  EXPECT_EQ(diagnostics.at(0).probe, "");
}

TEST(YamlSyntax, UnclosedFlowSequenceAtTheEndIsReportedAtTheEndOfTheInput) {
  // Three lines, each ended by a line break: the end of the input is line 4, column 1.
  const char* yaml = R"(browser.ui:
  click:
    objects: [button, menu
)";
  std::vector<Diagnostic> diagnostics = EventDiagnostics(yaml);
  ExpectOnly(diagnostics, 4, "YAML syntax error: end of sequence flow not found");
  EXPECT_EQ(diagnostics.at(0).location.column, 1);
}

TEST(YamlSyntax, FieldIndentedLessThanItsNeighboursIsOneError) {
  const char* yaml = R"(browser.engagement:
  tab_count:
    bug_numbers: [1276190]
    description: Counts open tabs.
   expires: never
    kind: uint
)";
  ExpectOnly(ScalarDiagnostics(yaml), 5, "YAML syntax error: end of map not found");
}

TEST(YamlSyntax, FieldIndentedMoreThanItsNeighboursIsOneError) {
  const char* yaml = R"(browser.engagement:
  tab_count:
    bug_numbers: [1276190]
    description: Counts open tabs.
      expires: never
    kind: uint
)";
  ExpectOnly(ScalarDiagnostics(yaml), 5, "YAML syntax error: illegal map value");
}

TEST(YamlSyntax, TabIndentationIsOneErrorAtItsLine) {
  const std::string yaml =
      "browser.engagement:\n"               // 1
      "  tab_count:\n"                      // 2
      "    bug_numbers: [1276190]\n"        // 3
      "\tdescription: Counts open tabs.\n"  // 4
      "    expires: never\n";               // 5
  // yaml-cpp's wording depends on what follows ("illegal tab ..." or "end of map not found");
  // the place is what counts.
  std::vector<Diagnostic> diagnostics = ScalarDiagnostics(yaml);
  ExpectOnly(diagnostics, 4, "YAML syntax error");
  EXPECT_LE(diagnostics.at(0).location.column, 2);  // At the tab, or just after it.
}

TEST(YamlSyntax, TabAfterSpacesInIndentationIsOneErrorAtItsLine) {
  const std::string yaml =
      "browser.ui:\n"                 // 1
      "  click:\n"                    // 2
      "    objects: [button]\n"       // 3
      "  \t  bug_numbers: [1]\n"      // 4
      "    expiry_version: never\n";  // 5
  ExpectOnly(EventDiagnostics(yaml), 4, "YAML syntax error");
}

TEST(YamlSyntax, UnterminatedQuoteAtTheEndIsOneErrorAtTheEndOfTheInput) {
  // The quote of line 4 never closes. The parser only finds that out at the end of the input
  // (line 5, column 1, after the last line break); it cannot say where the string began.
  const char* yaml = R"(browser.engagement:
  tab_count:
    record_in_processes:
      - "main
)";
  std::vector<Diagnostic> diagnostics = ScalarDiagnostics(yaml);
  ExpectOnly(diagnostics, 5, "YAML syntax error: illegal EOF in scalar");
  EXPECT_EQ(diagnostics.at(0).location.column, 1);
}

TEST(YamlSyntax, UnterminatedQuoteInTheMiddleIsOneErrorNotAStringSwallowingTheFile) {
  // The string opened on line 4 would swallow every later line, and with them the required
  // fields; this must be one syntax error (at the end of the input, line 10), not a report
  // of missing fields.
  const char* yaml = R"(browser.engagement:
  tab_count:
    bug_numbers: [1276190]
    description: "Counts open tabs.
    expires: never
    kind: uint
    notification_emails: [telemetry@example.com]
    products: [firefox]
    record_in_processes: [main]
)";
  ExpectOnly(ScalarDiagnostics(yaml), 10, "YAML syntax error: illegal EOF in scalar");
}

TEST(YamlSyntax, UnterminatedSingleQuoteIsOneError) {
  const char* yaml = R"(browser.ui:
  click:
    description: 'A click.
)";
  ExpectOnly(EventDiagnostics(yaml), 4, "YAML syntax error: illegal EOF in scalar");
}

TEST(YamlSyntax, UnterminatedQuoteWithoutAFinalLineBreakIsOneError) {
  // Two lines, no line break after the second: the end of the input is on line 2.
  ExpectOnly(ScalarDiagnostics("browser.engagement:\n  tab_count: \"x"), 2,
             "YAML syntax error: illegal EOF in scalar");
}

TEST(YamlSyntax, QuotedStringOverSeveralLinesIsFine) {
  const char* yaml = R"(browser.engagement:
  tab_count:
    bug_numbers: [1276190]
    description: "Counts the tabs
      that are open."
    expires: never
    kind: uint
    notification_emails: [telemetry@example.com]
    products: [firefox]
    record_in_processes: [main]
)";
  RegistryBuilder builder;
  builder.AddScalarsYaml(yaml, "test.yaml");
  std::shared_ptr<const Registry> registry = builder.Build();
  ASSERT_NE(registry, nullptr) << Describe(builder.diagnostics());
  EXPECT_EQ(registry->scalars().at(0).description, "Counts the tabs that are open.");
}

TEST(YamlSyntax, LiteralBlockAtTheEndKeepsItsFinalLineBreak) {
  const char* yaml = R"(browser.engagement:
  tab_count:
    bug_numbers: [1276190]
    expires: never
    kind: uint
    notification_emails: [telemetry@example.com]
    products: [firefox]
    record_in_processes: [main]
    description: |
      Counts open tabs.
)";
  RegistryBuilder builder;
  builder.AddScalarsYaml(yaml, "test.yaml");
  std::shared_ptr<const Registry> registry = builder.Build();
  ASSERT_NE(registry, nullptr) << Describe(builder.diagnostics());
  EXPECT_EQ(registry->scalars().at(0).description, "Counts open tabs.\n");
}

// --- Files that cannot be read -------------------------------------------------------------

std::string MissingPath(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / "no_such_directory" / name).string();
}

TEST(ProbeFiles, ScalarsFileThatCannotBeOpenedIsAnErrorNamingThePath) {
  const std::string path = MissingPath("Scalars.yaml");
  RegistryBuilder builder;
  builder.AddScalarsFile(path);
  ASSERT_EQ(builder.diagnostics().size(), 1u) << Describe(builder.diagnostics());
  const Diagnostic& diagnostic = builder.diagnostics()[0];
  EXPECT_TRUE(diagnostic.is_error());
  EXPECT_EQ(diagnostic.location.file, path);
  EXPECT_NE(diagnostic.ToString().find(path), std::string::npos) << diagnostic.ToString();
  EXPECT_NE(diagnostic.message.find("cannot open the file"), std::string::npos);
  EXPECT_EQ(builder.Build(), nullptr);
}

TEST(ProbeFiles, EventsFileThatCannotBeOpenedIsAnErrorNamingThePath) {
  const std::string path = MissingPath("Events.yaml");
  RegistryBuilder builder;
  builder.AddEventsFile(path);
  ASSERT_EQ(builder.diagnostics().size(), 1u) << Describe(builder.diagnostics());
  EXPECT_EQ(builder.diagnostics()[0].location.file, path);
  EXPECT_NE(builder.diagnostics()[0].ToString().find(path), std::string::npos);
}

// --- Syntax errors in a file whose name does not tell its kind ----------------------------

// The file, wherever it lives, is only ever named by its path in diagnostics.
std::string WriteTemp(const std::string& name, const std::string& text) {
  std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / "yaml_syntax_names";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary | std::ios::trunc) << text;
  return (dir / name).string();
}

TEST(ProbeFiles, ASyntaxErrorIsReportedAtItsLineWhateverTheFileIsCalled) {
  const char* yaml = R"(browser.engagement:
  tab_count:
    bug_numbers: [1276190, 1276191
    description: Counts open tabs.
    expires: never
    kind: uint
)";
  // What a well-named file gives: the reference.
  std::vector<Diagnostic> reference = ScalarDiagnostics(yaml);
  ASSERT_EQ(reference.size(), 1u) << Describe(reference);
  ASSERT_EQ(reference[0].location.line, 4);
  for (const std::string name :
       {"probes.yaml", "my-probes.yml", "scalars-and-events.yaml", "Scalars.yaml"}) {
    SCOPED_TRACE(name);
    const std::string path = WriteTemp(name, yaml);
    RegistryBuilder builder;
    builder.AddFile(path);
    const std::vector<Diagnostic>& diagnostics = builder.diagnostics();
    ASSERT_EQ(diagnostics.size(), 1u) << Describe(diagnostics);
    EXPECT_TRUE(diagnostics[0].is_error());
    EXPECT_EQ(diagnostics[0].location.file, path);
    EXPECT_EQ(diagnostics[0].location.line, reference[0].location.line);
    EXPECT_EQ(diagnostics[0].location.column, reference[0].location.column);
    EXPECT_EQ(diagnostics[0].message, reference[0].message);
    EXPECT_EQ(diagnostics[0].message.find("cannot tell"), std::string::npos);
    EXPECT_EQ(builder.Build(), nullptr);
  }
}

TEST(ProbeFiles, ASyntaxErrorAtTheEndOfAFileNamedNeitherWayIsReportedAtTheEnd) {
  const char* yaml = "browser.ui:\n  click:\n    description: \"never closed\n";
  std::vector<Diagnostic> reference = EventDiagnostics(yaml);
  ASSERT_EQ(reference.size(), 1u) << Describe(reference);
  RegistryBuilder builder;
  builder.AddFile(WriteTemp("ui.yaml", yaml));
  ASSERT_EQ(builder.diagnostics().size(), 1u) << Describe(builder.diagnostics());
  EXPECT_EQ(builder.diagnostics()[0].location.line, reference[0].location.line);
  EXPECT_EQ(builder.diagnostics()[0].location.column, reference[0].location.column);
  EXPECT_EQ(builder.diagnostics()[0].message, reference[0].message);
}

TEST(ProbeFiles, AValidFileNamedNeitherWayWithoutProbesStillCannotBeTold) {
  RegistryBuilder builder;
  builder.AddFile(WriteTemp("nothing.yaml", "{}\n"));
  ASSERT_EQ(builder.diagnostics().size(), 1u) << Describe(builder.diagnostics());
  EXPECT_NE(builder.diagnostics()[0].message.find("cannot tell"), std::string::npos);
}

// --- Probes defined twice across inputs ----------------------------------------------------

constexpr const char* kTabCount = R"(browser.engagement:
  tab_count:
    bug_numbers: [1276190]
    description: Counts open tabs.
    expires: never
    kind: uint
    notification_emails: [telemetry@example.com]
    products: [firefox]
    record_in_processes: [main]
)";

TEST(ProbeFiles, ScalarDefinedInTwoInputsIsAnErrorAtTheSecondOnesLine) {
  // In the second input the probe sits lower: two comment lines first, so its name is line 4.
  RegistryBuilder builder;
  builder.AddScalarsYaml(kTabCount, "first.yaml");
  builder.AddScalarsYaml(std::string("# Dynamic probes.\n\n") + kTabCount, "second.yaml");
  ASSERT_EQ(builder.diagnostics().size(), 1u) << Describe(builder.diagnostics());
  const Diagnostic& diagnostic = builder.diagnostics()[0];
  EXPECT_TRUE(diagnostic.is_error());
  EXPECT_EQ(diagnostic.probe, "browser.engagement.tab_count");
  EXPECT_EQ(diagnostic.location.file, "second.yaml");
  EXPECT_EQ(diagnostic.location.line, 4);
  EXPECT_NE(diagnostic.message.find("is defined twice (first at first.yaml:2)"), std::string::npos)
      << diagnostic.ToString();
  EXPECT_EQ(builder.Build(), nullptr);
}

TEST(ProbeFiles, EventDefinedInTwoInputsIsAnErrorAtTheSecondOnesLine) {
  const std::string click = R"(browser.ui:
  click:
    objects: [button]
    bug_numbers: [1456789]
    notification_emails: [telemetry@example.com]
    record_in_processes: [main]
    description: A click.
    products: [firefox]
    expiry_version: never
)";
  RegistryBuilder builder;
  builder.AddEventsYaml(click, "first.yaml");
  builder.AddEventsYaml("\n" + click, "second.yaml");
  ASSERT_EQ(builder.diagnostics().size(), 1u) << Describe(builder.diagnostics());
  EXPECT_EQ(builder.diagnostics()[0].location.file, "second.yaml");
  EXPECT_EQ(builder.diagnostics()[0].location.line, 3);
  EXPECT_NE(builder.diagnostics()[0].message.find("defined twice"), std::string::npos);
}

TEST(ProbeFiles, ScalarAndEventOfTheSameNameAreNotDefinedTwice) {
  const std::string event = R"(browser.engagement:
  tab_count:
    objects: [tab]
    bug_numbers: [1456789]
    notification_emails: [telemetry@example.com]
    record_in_processes: [main]
    description: A tab event.
    products: [firefox]
    expiry_version: never
)";
  RegistryBuilder builder;
  builder.AddScalarsYaml(kTabCount, "scalars.yaml");
  builder.AddEventsYaml(event, "events.yaml");
  EXPECT_TRUE(builder.diagnostics().empty()) << Describe(builder.diagnostics());
  EXPECT_NE(builder.Build(), nullptr);
}

// --- Every mistake of a file in one run ----------------------------------------------------

TEST(ProbeFiles, ScalarsFileWithSeveralMistakesYieldsEveryOneAtItsLine) {
  const char* yaml = R"(browser.engagement:
  tab_count:
    bug_numbers: [1276190]
    description: Counts open tabs.
    expires: never
    kind: counter
    notification_emails: [telemetry@example.com]
    products: [firefox]
    record_in_processes: [main]
  window_count:
    bug_numbers: [1276191]
    description: Counts open windows.
    expires: never
    notification_emails:
      - telemetry client@example.com
    products: [firefox]
    record_in_processes: [main]
  1st_paint:
    kind: uint
browser-ui:
  toolbar_clicks:
    bug_numbers: [1276192, "1276193"]
    description: Counts toolbar clicks.
    expires: 164
    kind: uint
    keyed: true
    keys:
      - back
      - forward
      - back
    notification_emails: [telemetry@example.com]
    products: [firefox]
    record_in_processes:
      - parent
    colour: blue
browser.search:
  engine_count:
    bug_numbers: [1276194]
    description: Counts search engines.
    expires: "164"
    kind: uint
    notification_emails: [telemetry@example.com]
    products: [firefox]
    record_in_processes: []
    record_into_store: [main, Metrics]
)";
  ExpectDiagnostics(ScalarDiagnostics(yaml),
                    {
                        {6, "unknown kind 'counter'"},
                        {10, "missing required field 'kind'"},
                        {15, "invalid notification email 'telemetry client@example.com'"},
                        {18, "probe name '1st_paint' must not start or end with a digit"},
                        {20, "category name 'browser-ui' may only hold letters, digits and '.'"},
                        // toolbar_clicks: first its fields in file order, then the values by rule.
                        {22, "field 'bug_numbers' must only hold integers, not a string"},
                        {24, "field 'expires' must be a string, not an integer"},
                        {35, "unknown field 'colour'"},
                        {34, "unknown process 'parent'"},
                        {30, "key 'back' is listed twice"},
                        // engine_count.
                        {44, "field 'record_in_processes' must not be an empty list"},
                        {45, "invalid store name 'Metrics'"},
                    });
}

TEST(ProbeFiles, EventsFileWithSeveralMistakesYieldsEveryOneAtItsLine) {
  const char* yaml = R"(browser.ui:
  click:
    objects: [button, button]
    bug_numbers: [1456789]
    notification_emails: [telemetry@example.com]
    record_in_processes: [main]
    description: A click.
    products: [firefox]
    expiry_version: never
  open_menu_from_the_toolbar:
    objects: [menu]
  hover:
    objects: [link]
    bug_numbers: [1456790]
    notification_emails: [telemetry@example.com]
    record_in_processes: [main]
    description: A hover.
    products: [firefox]
    expiry_version: "1000"
    extra_keys:
      duration_in_milliseconds: How long.
      target: 42
  scroll:
    methods:
      - scroll
      - 2d_scroll
    objects: [page]
    bug_numbers: [1456791]
    notification_emails: [telemetry@example.com]
    record_in_processes: [main]
    description: A scroll.
    products: [firefox]
    release_channel_collection: always
  drag:
    objects: [tab]
    bug_numbers: [1456792]
    notification_emails: [telemetry@example.com]
    description: A drag.
    products: [firefox]
    expiry_version: never
    keyed: true
_private.events:
  ping:
    objects: [server]
    bug_numbers: [1456793]
    notification_emails: [telemetry@example.com]
    record_in_processes: [main]
    description: A ping.
    products: [firefox]
    expiry_version: never
)";
  ExpectDiagnostics(
      EventDiagnostics(yaml),
      {
          {3, "object 'button' is listed twice"},
          {10, "event name 'open_menu_from_the_toolbar' is longer than 20 characters"},
          // hover: the extra_keys value is a field-type problem, found before the values.
          {22, "the value of 'target' must be a string, not an integer"},
          {21, "extra key 'duration_in_milliseconds' is longer than 15 characters"},
          {19, "invalid expiry_version '1000'"},
          // scroll.
          {23, "missing required field 'expiry_version'"},
          {33, "unknown collection policy 'always'"},
          {26, "method '2d_scroll' must match"},
          // drag.
          {41, "unknown field 'keyed'"},
          {34, "missing required field 'record_in_processes'"},
          {42, "category '_private.events' must match"},
      });
}

}  // namespace
}  // namespace telemetry::testing
