// Every validation rule of Scalars.yaml: one failing input each, with the exact line reported.
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "probe_yaml_support.h"

namespace telemetry::testing {
namespace {

// The lines of ValidScalar().
constexpr int kCategoryLine = 1;
constexpr int kProbeLine = 2;
constexpr int kBugNumbersLine = 3;
constexpr int kDescriptionLine = 5;
constexpr int kExpiresLine = 6;
constexpr int kKindLine = 7;
constexpr int kEmailsLine = 8;
constexpr int kEmailLine = 9;
constexpr int kProductsLine = 10;
constexpr int kProductLine = 11;
constexpr int kProcessesLine = 12;
constexpr int kProcessLine = 13;
constexpr int kAppendedLine = 14;  // The first line Append() adds.

// browser.engagement.tab_count with every required field and nothing else.
Yaml ValidScalar() {
  return Yaml({
      "browser.engagement:",                 // 1
      "  tab_count:",                        // 2
      "    bug_numbers:",                    // 3
      "      - 1276190",                     // 4
      "    description: Counts open tabs.",  // 5
      "    expires: never",                  // 6
      "    kind: uint",                      // 7
      "    notification_emails:",            // 8
      "      - telemetry@example.com",       // 9
      "    products:",                       // 10
      "      - firefox",                     // 11
      "    record_in_processes:",            // 12
      "      - main",                        // 13
  });
}

std::vector<Diagnostic> Check(const Yaml& yaml, RegistryOptions options = {}) {
  return ScalarDiagnostics(yaml.str(), std::move(options));
}

// The registry built from `yaml`, or null (with the failure recorded) if it does not build.
std::shared_ptr<const Registry> BuildScalars(const std::string& yaml,
                                             RegistryOptions options = {}) {
  RegistryBuilder builder(std::move(options));
  builder.AddScalarsYaml(yaml, "test.yaml");
  std::shared_ptr<const Registry> registry = builder.Build();
  EXPECT_NE(registry, nullptr) << Describe(builder.diagnostics());
  return registry;
}

// Appends `keyed: true` and a `keys` list of `keys`; returns the line of the first key.
int AppendKeys(Yaml& yaml, const std::vector<std::string>& keys) {
  yaml.Append("    keyed: true");  // kAppendedLine
  yaml.Append("    keys:");        // kAppendedLine + 1
  for (const std::string& key : keys) yaml.Append("      - " + key);
  return kAppendedLine + 2;
}

std::vector<std::string> NumberedKeys(int count) {
  std::vector<std::string> keys;
  for (int i = 1; i <= count; ++i) keys.push_back("key" + std::to_string(i));
  return keys;
}

// --- A valid definition --------------------------------------------------------------------

TEST(ScalarRules, ValidDefinitionGivesNoDiagnostics) {
  std::vector<Diagnostic> diagnostics = Check(ValidScalar());
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, ValidDefinitionIsReadWithItsDefaults) {
  std::shared_ptr<const Registry> registry = BuildScalars(ValidScalar().str());
  ASSERT_NE(registry, nullptr);
  ASSERT_EQ(registry->scalars().size(), 1u);
  const ScalarInfo& scalar = registry->scalars()[0];
  EXPECT_EQ(scalar.FullName(), "browser.engagement.tab_count");
  EXPECT_EQ(scalar.description, "Counts open tabs.");
  EXPECT_EQ(scalar.bug_numbers, std::vector<int64_t>{1276190});
  EXPECT_EQ(scalar.notification_emails, std::vector<std::string>{"telemetry@example.com"});
  EXPECT_EQ(scalar.products, std::vector<std::string>{"firefox"});
  EXPECT_EQ(scalar.record_in_processes, std::vector<std::string>{"main"});
  EXPECT_EQ(scalar.kind, ScalarKind::kUint);
  EXPECT_FALSE(scalar.keyed);
  EXPECT_TRUE(scalar.keys.empty());
  EXPECT_EQ(scalar.expires, "never");
  EXPECT_EQ(scalar.collection, CollectionPolicy::kOptIn);
  EXPECT_EQ(scalar.location.file, "test.yaml");
  EXPECT_EQ(scalar.location.line, kProbeLine);
}

TEST(ScalarRules, RecordIntoStoreDefaultsToMain) {
  std::shared_ptr<const Registry> registry = BuildScalars(ValidScalar().str());
  ASSERT_NE(registry, nullptr);
  ASSERT_EQ(registry->scalars().size(), 1u);
  EXPECT_EQ(registry->scalars()[0].record_into_store, std::vector<std::string>{"main"});
}

// --- Category names ------------------------------------------------------------------------

TEST(ScalarRules, CategoryNameOf40CharsIsAccepted) {
  std::vector<Diagnostic> diagnostics =
      Check(ValidScalar().Set(kCategoryLine, std::string(40, 'c') + ":"));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, CategoryNameLongerThan40CharsIsRejected) {
  ExpectOnly(Check(ValidScalar().Set(kCategoryLine, std::string(41, 'c') + ":")), kCategoryLine,
             "category name '" + std::string(41, 'c') + "' is longer than 40 characters");
}

TEST(ScalarRules, CategoryNameWithCharacterOtherThanLetterDigitOrDotIsRejected) {
  for (const std::string name : {"browser-engagement", "browser engagement", "browser/tabs"}) {
    SCOPED_TRACE(name);
    ExpectOnly(Check(ValidScalar().Set(kCategoryLine, name + ":")), kCategoryLine,
               "category name '" + name + "' may only hold letters, digits and '.'");
  }
}

TEST(ScalarRules, CategoryNameWithUnderscoreAnywhereIsRejected) {
  for (const std::string name : {"browser_engagement", "_browser", "browser_"}) {
    SCOPED_TRACE(name);
    ExpectOnly(Check(ValidScalar().Set(kCategoryLine, name + ":")), kCategoryLine,
               "category name '" + name + "' may only hold letters, digits and '.'");
  }
}

TEST(ScalarRules, CategoryNameStartingOrEndingWithDigitOrDotIsRejected) {
  for (const std::string name : {"1browser", "browser2", ".browser", "browser."}) {
    SCOPED_TRACE(name);
    ExpectOnly(Check(ValidScalar().Set(kCategoryLine, name + ":")), kCategoryLine,
               "category name '" + name + "' must not start or end with a digit, '.' or '_'");
  }
}

TEST(ScalarRules, CategoryNameWithDotsAndDigitsInsideIsAccepted) {
  std::vector<Diagnostic> diagnostics =
      Check(ValidScalar().Set(kCategoryLine, "browser.v2.engagement:"));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, CategoryNameThatIsNotAStringIsRejected) {
  ExpectOnly(Check(ValidScalar().Set(kCategoryLine, "42:")), kCategoryLine,
             "category names must be strings");
}

// --- Probe names ---------------------------------------------------------------------------

TEST(ScalarRules, ProbeNameOf40CharsIsAccepted) {
  std::vector<Diagnostic> diagnostics =
      Check(ValidScalar().Set(kProbeLine, "  " + std::string(40, 'p') + ":"));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, ProbeNameLongerThan40CharsIsRejected) {
  ExpectOnly(Check(ValidScalar().Set(kProbeLine, "  " + std::string(41, 'p') + ":")), kProbeLine,
             "probe name '" + std::string(41, 'p') + "' is longer than 40 characters");
}

TEST(ScalarRules, ProbeNameWithDotIsRejected) {
  ExpectOnly(Check(ValidScalar().Set(kProbeLine, "  tab.count:")), kProbeLine,
             "probe name 'tab.count' may only hold letters, digits and '_'");
}

TEST(ScalarRules, ProbeNameWithCharacterOtherThanLetterDigitOrUnderscoreIsRejected) {
  for (const std::string name : {"tab-count", "tab count", "tab$count"}) {
    SCOPED_TRACE(name);
    ExpectOnly(Check(ValidScalar().Set(kProbeLine, "  " + name + ":")), kProbeLine,
               "probe name '" + name + "' may only hold letters, digits and '_'");
  }
}

TEST(ScalarRules, ProbeNameStartingOrEndingWithDigitOrUnderscoreIsRejected) {
  for (const std::string name : {"1tab_count", "tab_count1", "_tab_count", "tab_count_"}) {
    SCOPED_TRACE(name);
    ExpectOnly(Check(ValidScalar().Set(kProbeLine, "  " + name + ":")), kProbeLine,
               "probe name '" + name + "' must not start or end with a digit, '.' or '_'");
  }
}

TEST(ScalarRules, ProbeNameWithUnderscoresAndDigitsInsideIsAccepted) {
  std::vector<Diagnostic> diagnostics = Check(ValidScalar().Set(kProbeLine, "  tab_count_2x:"));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, ProbeNameThatIsNotAStringIsRejected) {
  ExpectOnly(Check(ValidScalar().Set(kProbeLine, "  123:")), kProbeLine,
             "probe names must be strings");
}

// --- Required, unknown and repeated fields -------------------------------------------------

struct RequiredField {
  std::string name;
  int first_line;  // The field's lines in ValidScalar().
  int line_count;
};

class ScalarRequiredField : public ::testing::TestWithParam<RequiredField> {};

TEST_P(ScalarRequiredField, MissingFieldIsReportedAtTheProbeNameLine) {
  const RequiredField& field = GetParam();
  ExpectOnly(Check(ValidScalar().Remove(field.first_line, field.line_count)), kProbeLine,
             "missing required field '" + field.name + "'");
}

INSTANTIATE_TEST_SUITE_P(ScalarRules, ScalarRequiredField,
                         ::testing::Values(RequiredField{"bug_numbers", kBugNumbersLine, 2},
                                           RequiredField{"description", kDescriptionLine, 1},
                                           RequiredField{"expires", kExpiresLine, 1},
                                           RequiredField{"kind", kKindLine, 1},
                                           RequiredField{"notification_emails", kEmailsLine, 2},
                                           RequiredField{"record_in_processes", kProcessesLine, 2},
                                           RequiredField{"products", kProductsLine, 2}),
                         [](const ::testing::TestParamInfo<RequiredField>& field) {
                           return field.param.name;
                         });

TEST(ScalarRules, EveryMissingFieldIsReported) {
  std::vector<Diagnostic> diagnostics = Check(Yaml({
      "browser.engagement:",  // 1
      "  tab_count:",         // 2
      "    kind: uint",       // 3
  }));
  ASSERT_EQ(diagnostics.size(), 6u) << Describe(diagnostics);
  for (const Diagnostic& diagnostic : diagnostics) {
    EXPECT_EQ(diagnostic.location.line, kProbeLine);
    EXPECT_NE(diagnostic.message.find("missing required field"), std::string::npos);
  }
}

TEST(ScalarRules, UnknownFieldIsRejectedAtItsLine) {
  ExpectOnly(Check(ValidScalar().Append("    kindd: uint")), kAppendedLine,
             "unknown field 'kindd'");
}

TEST(ScalarRules, EventFieldInAScalarIsAnUnknownField) {
  ExpectOnly(Check(ValidScalar().Append("    expiry_version: never")), kAppendedLine,
             "unknown field 'expiry_version'");
}

TEST(ScalarRules, FieldGivenTwiceIsRejectedAtTheSecond) {
  ExpectOnly(Check(ValidScalar().Append("    kind: string")), kAppendedLine,
             "field 'kind' is given twice");
}

// --- Field types (as PyYAML resolves plain scalars) ----------------------------------------

TEST(ScalarRules, UnquotedNumericExpiresIsAnIntegerNotAString) {
  ExpectOnly(Check(ValidScalar().Set(kExpiresLine, "    expires: 164")), kExpiresLine,
             "field 'expires' must be a string, not an integer");
}

TEST(ScalarRules, QuotedNumericExpiresIsAString) {
  std::vector<Diagnostic> diagnostics =
      Check(ValidScalar().Set(kExpiresLine, "    expires: \"164\""));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, QuotedKeyedIsAStringNotABoolean) {
  ExpectOnly(Check(ValidScalar().Append("    keyed: \"yes\"")), kAppendedLine,
             "field 'keyed' must be a boolean, not a string");
}

TEST(ScalarRules, PlainYesIsABoolean) {
  std::shared_ptr<const Registry> registry =
      BuildScalars(ValidScalar().Append("    keyed: yes").str());
  ASSERT_NE(registry, nullptr);
  EXPECT_TRUE(registry->scalars().at(0).keyed);
}

TEST(ScalarRules, DescriptionGivenAsAListIsRejected) {
  ExpectOnly(Check(ValidScalar().Set(kDescriptionLine, "    description: [Counts, tabs]")),
             kDescriptionLine, "field 'description' must be a string, not a list");
}

TEST(ScalarRules, KindGivenAsANumberIsRejected) {
  ExpectOnly(Check(ValidScalar().Set(kKindLine, "    kind: 3")), kKindLine,
             "field 'kind' must be a string, not an integer");
}

TEST(ScalarRules, ListFieldGivenAsAStringIsRejected) {
  ExpectOnly(Check(ValidScalar().Remove(kProductLine).Set(kProductsLine, "    products: firefox")),
             kProductsLine, "field 'products' must be a list of strings, not a string");
}

TEST(ScalarRules, BugNumbersGivenAsANumberIsRejected) {
  ExpectOnly(
      Check(ValidScalar().Remove(kBugNumbersLine + 1).Set(kBugNumbersLine, "    bug_numbers: 12")),
      kBugNumbersLine, "field 'bug_numbers' must be a list of integers, not an integer");
}

TEST(ScalarRules, EmptyListIsRejected) {
  ExpectOnly(
      Check(ValidScalar().Remove(kProcessLine).Set(kProcessesLine, "    record_in_processes: []")),
      kProcessesLine, "field 'record_in_processes' must not be an empty list");
}

TEST(ScalarRules, BugNumbersHoldingAStringIsRejectedAtTheElementsLine) {
  // The quotes make it a string; the element becomes line 5.
  ExpectOnly(Check(ValidScalar().Insert(5, "      - \"1276191\"")), 5,
             "field 'bug_numbers' must only hold integers, not a string");
}

TEST(ScalarRules, ProductsHoldingAnIntegerIsRejectedAtTheElementsLine) {
  ExpectOnly(Check(ValidScalar().Insert(kProductLine + 1, "      - 42")), kProductLine + 1,
             "field 'products' must only hold strings, not an integer");
}

TEST(ScalarRules, ListElementOfWrongTypeInAFlowListIsRejectedAtItsLine) {
  ExpectOnly(Check(ValidScalar()
                       .Remove(kEmailLine)
                       .Set(kEmailsLine, "    notification_emails: [a@b.org, 7]")),
             kEmailsLine, "field 'notification_emails' must only hold strings, not an integer");
}

// --- Field values --------------------------------------------------------------------------

TEST(ScalarRules, EmailWithSpaceIsRejectedAtItsLine) {
  ExpectOnly(Check(ValidScalar().Set(kEmailLine, "      - telemetry client@example.com")),
             kEmailLine, "invalid notification email 'telemetry client@example.com'");
}

TEST(ScalarRules, EmailsJoinedByCommaAreRejectedAtTheirLine) {
  ExpectOnly(Check(ValidScalar().Set(kEmailLine, "      - a@example.com,b@example.com")),
             kEmailLine, "invalid notification email 'a@example.com,b@example.com'");
}

TEST(ScalarRules, UnknownKindIsRejected) {
  for (const std::string kind : {"counter", "UINT", "bool"}) {
    SCOPED_TRACE(kind);
    ExpectOnly(Check(ValidScalar().Set(kKindLine, "    kind: " + kind)), kKindLine,
               "unknown kind '" + kind + "' (expected uint, string or boolean)");
  }
}

TEST(ScalarRules, EmptyKindIsRejected) {
  ExpectOnly(Check(ValidScalar().Set(kKindLine, "    kind: \"\"")), kKindLine, "unknown kind ''");
}

TEST(ScalarRules, EachKnownKindIsAccepted) {
  const std::pair<std::string, ScalarKind> kinds[] = {{"uint", ScalarKind::kUint},
                                                      {"string", ScalarKind::kString},
                                                      {"boolean", ScalarKind::kBoolean}};
  for (const auto& [text, kind] : kinds) {
    SCOPED_TRACE(text);
    std::shared_ptr<const Registry> registry =
        BuildScalars(ValidScalar().Set(kKindLine, "    kind: " + text).str());
    ASSERT_NE(registry, nullptr);
    EXPECT_EQ(registry->scalars().at(0).kind, kind);
  }
}

TEST(ScalarRules, UnknownCollectionPolicyIsRejected) {
  ExpectOnly(Check(ValidScalar().Append("    release_channel_collection: opt-maybe")),
             kAppendedLine, "unknown collection policy 'opt-maybe' (expected opt-in or opt-out)");
}

TEST(ScalarRules, OptOutCollectionIsAccepted) {
  std::shared_ptr<const Registry> registry =
      BuildScalars(ValidScalar().Append("    release_channel_collection: opt-out").str());
  ASSERT_NE(registry, nullptr);
  EXPECT_EQ(registry->scalars().at(0).collection, CollectionPolicy::kOptOut);
}

TEST(ScalarRules, UnknownProcessIsRejectedAtItsLine) {
  ExpectOnly(Check(ValidScalar().Set(kProcessLine, "      - parent")), kProcessLine,
             "unknown process 'parent' in 'record_in_processes'");
}

TEST(ScalarRules, EveryFirefoxProcessIsAccepted) {
  Yaml yaml = ValidScalar().Remove(kProcessLine);
  for (const char* process : {"all", "all_children", "all_childs", "main", "content", "gpu", "rdd",
                              "socket", "utility"}) {
    yaml.Append(std::string("      - ") + process);
  }
  std::vector<Diagnostic> diagnostics = Check(yaml);
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, UnknownProductIsRejectedAtItsLine) {
  ExpectOnly(Check(ValidScalar().Set(kProductLine, "      - seamonkey")), kProductLine,
             "unknown product 'seamonkey' in 'products'");
}

TEST(ScalarRules, ProductDeclaredInExtraProductsIsAccepted) {
  std::vector<Diagnostic> diagnostics = Check(ValidScalar().Set(kProductLine, "      - seamonkey"),
                                              RegistryOptions{.extra_products = {"seamonkey"}});
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, InvalidExpiresIsRejected) {
  // "1000" has four digits; quoted, so that it is a string.
  for (const std::string expires : {"Never", "\"1000\"", "60a1", "\"121.0\"", "\"\""}) {
    SCOPED_TRACE(expires);
    ExpectOnly(Check(ValidScalar().Set(kExpiresLine, "    expires: " + expires)), kExpiresLine,
               "invalid expires '");
  }
}

TEST(ScalarRules, InvalidExpiresNamesTheValue) {
  ExpectOnly(Check(ValidScalar().Set(kExpiresLine, "    expires: 60a1")), kExpiresLine,
             "invalid expires '60a1' (expected \"never\" or a major version");
}

// --- keyed / keys --------------------------------------------------------------------------

TEST(ScalarRules, KeysOnScalarWithoutKeyedIsRejected) {
  Yaml yaml = ValidScalar().Append("    keys:").Append("      - a");
  ExpectOnly(Check(yaml), kAppendedLine, "'keys' is only allowed on keyed scalars");
}

TEST(ScalarRules, KeysOnScalarKeyedFalseIsRejected) {
  Yaml yaml = ValidScalar().Append("    keyed: false").Append("    keys:").Append("      - a");
  ExpectOnly(Check(yaml), kAppendedLine + 1, "'keys' is only allowed on keyed scalars");
}

TEST(ScalarRules, KeysOnKeyedScalarAreRead) {
  Yaml yaml = ValidScalar();
  AppendKeys(yaml, {"back", "forward"});
  std::shared_ptr<const Registry> registry = BuildScalars(yaml.str());
  ASSERT_NE(registry, nullptr);
  EXPECT_TRUE(registry->scalars().at(0).keyed);
  EXPECT_EQ(registry->scalars().at(0).keys, (std::vector<std::string>{"back", "forward"}));
}

TEST(ScalarRules, Exactly100KeysAreAccepted) {
  Yaml yaml = ValidScalar();
  AppendKeys(yaml, NumberedKeys(100));
  std::vector<Diagnostic> diagnostics = Check(yaml);
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, MoreThan100KeysIsRejectedAtTheKeysLine) {
  Yaml yaml = ValidScalar();
  AppendKeys(yaml, NumberedKeys(101));
  ExpectOnly(Check(yaml), kAppendedLine + 1, "'keys' lists 101 keys; at most 100 are allowed");
}

TEST(ScalarRules, KeyOf72CharsIsAccepted) {
  Yaml yaml = ValidScalar();
  AppendKeys(yaml, {"short", std::string(72, 'k')});
  std::vector<Diagnostic> diagnostics = Check(yaml);
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, KeyLongerThan72CharsIsRejectedAtItsLine) {
  Yaml yaml = ValidScalar();
  int first_key = AppendKeys(yaml, {"short", std::string(73, 'k'), "other"});
  ExpectOnly(Check(yaml), first_key + 1,
             "key '" + std::string(73, 'k') + "' is longer than 72 characters");
}

TEST(ScalarRules, RepeatedKeyIsRejectedAtTheRepeat) {
  Yaml yaml = ValidScalar();
  int first_key = AppendKeys(yaml, {"back", "forward", "back"});
  ExpectOnly(Check(yaml), first_key + 2, "key 'back' is listed twice");
}

TEST(ScalarRules, EmptyKeyIsRejectedAtItsLine) {
  Yaml yaml = ValidScalar();
  int first_key = AppendKeys(yaml, {"back", "\"\""});
  ExpectOnly(Check(yaml), first_key + 1, "a key must not be empty");
}

// --- record_into_store ---------------------------------------------------------------------

TEST(ScalarRules, RecordIntoStoreIsRead) {
  Yaml yaml =
      ValidScalar().Append("    record_into_store:").Append("      - main").Append("      - pr-2");
  std::shared_ptr<const Registry> registry = BuildScalars(yaml.str());
  ASSERT_NE(registry, nullptr);
  EXPECT_EQ(registry->scalars().at(0).record_into_store,
            (std::vector<std::string>{"main", "pr-2"}));
}

TEST(ScalarRules, BadStoreNameIsRejectedAtItsLine) {
  for (const std::string store : {"Main", "main_store", "-main", "main-", "my store"}) {
    SCOPED_TRACE(store);
    Yaml yaml = ValidScalar()
                    .Append("    record_into_store:")  // kAppendedLine
                    .Append("      - main")            // kAppendedLine + 1
                    .Append("      - " + store);       // kAppendedLine + 2
    ExpectOnly(Check(yaml), kAppendedLine + 2, "invalid store name '" + store + "'");
  }
}

TEST(ScalarRules, RepeatedStoreIsRejectedAtTheRepeat) {
  Yaml yaml = ValidScalar()
                  .Append("    record_into_store:")  // kAppendedLine
                  .Append("      - main")            // kAppendedLine + 1
                  .Append("      - events")          // kAppendedLine + 2
                  .Append("      - main");           // kAppendedLine + 3
  ExpectOnly(Check(yaml), kAppendedLine + 3, "'main' is listed twice in 'record_into_store'");
}

// --- operating_systems (obsolete) ----------------------------------------------------------

TEST(ScalarRules, OperatingSystemsGivesAWarningAndStillBuilds) {
  Yaml yaml = ValidScalar().Append("    operating_systems:").Append("      - mac");
  ExpectOnly(Check(yaml), kAppendedLine, "'operating_systems' is obsolete and ignored",
             Diagnostic::Severity::kWarning);
  std::shared_ptr<const Registry> registry = BuildScalars(yaml.str());
  ASSERT_NE(registry, nullptr);
  EXPECT_EQ(registry->scalars().at(0).operating_systems, std::vector<std::string>{"mac"});
}

TEST(ScalarRules, UnknownOperatingSystemIsAnErrorAtItsLine) {
  Yaml yaml = ValidScalar()
                  .Append("    operating_systems:")  // kAppendedLine
                  .Append("      - linux")           // kAppendedLine + 1
                  .Append("      - beos");           // kAppendedLine + 2
  std::vector<Diagnostic> diagnostics = Check(yaml);
  ASSERT_EQ(diagnostics.size(), 2u) << Describe(diagnostics);
  EXPECT_EQ(diagnostics[0].severity, Diagnostic::Severity::kWarning);
  EXPECT_EQ(diagnostics[0].location.line, kAppendedLine);
  EXPECT_EQ(diagnostics[1].severity, Diagnostic::Severity::kError);
  EXPECT_EQ(diagnostics[1].location.line, kAppendedLine + 2);
  EXPECT_NE(diagnostics[1].message.find("unknown operating system 'beos'"), std::string::npos)
      << Describe(diagnostics);
}

// --- Expiry --------------------------------------------------------------------------------

TEST(ScalarRules, ProbeExpiringInTheAppVersionGivesAWarning) {
  Yaml yaml = ValidScalar().Set(kExpiresLine, "    expires: \"121\"");
  RegistryOptions options{.app_version = "121.0"};
  ExpectOnly(Check(yaml, options), kExpiresLine, "expired in version 121 (app version 121.0)",
             Diagnostic::Severity::kWarning);
  EXPECT_NE(BuildScalars(yaml.str(), options), nullptr);  // A warning does not stop the build.
}

TEST(ScalarRules, ProbeExpiredInAnEarlierVersionGivesAWarning) {
  ExpectOnly(Check(ValidScalar().Set(kExpiresLine, "    expires: \"98\""),
                   RegistryOptions{.app_version = "121.0"}),
             kExpiresLine, "expired in version 98", Diagnostic::Severity::kWarning);
}

TEST(ScalarRules, ProbeExpiringInALaterVersionGivesNothing) {
  std::vector<Diagnostic> diagnostics =
      Check(ValidScalar().Set(kExpiresLine, "    expires: \"122\""), {.app_version = "121.0"});
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, ProbeThatNeverExpiresGivesNothing) {
  std::vector<Diagnostic> diagnostics = Check(ValidScalar(), {.app_version = "121.0"});
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, WithoutAnAppVersionNothingExpires) {
  std::vector<Diagnostic> diagnostics =
      Check(ValidScalar().Set(kExpiresLine, "    expires: \"1\""));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

// --- File structure ------------------------------------------------------------------------

TEST(ScalarRules, EmptyCategoryIsRejected) {
  Yaml yaml = ValidScalar().Insert(1, "empty.category:");  // The valid one moves to line 2.
  ExpectOnly(Check(yaml), 1, "a category must be a map holding at least one probe");
}

TEST(ScalarRules, CategoryThatIsAnEmptyMapIsRejected) {
  Yaml yaml = ValidScalar().Insert(1, "empty.category: {}");
  ExpectOnly(Check(yaml), 1, "a category must be a map holding at least one probe");
}

TEST(ScalarRules, CategoryThatIsNotAMapIsRejected) {
  for (const std::string value : {"5", "[a, b]", "text"}) {
    SCOPED_TRACE(value);
    Yaml yaml = ValidScalar().Append("other.category: " + value);
    ExpectOnly(Check(yaml), kAppendedLine, "a category must be a map holding at least one probe");
  }
}

TEST(ScalarRules, DefinitionThatIsNotAMapIsRejected) {
  for (const std::string value : {"5", "[kind, uint]", "uint"}) {
    SCOPED_TRACE(value);
    Yaml yaml = ValidScalar().Append("  other_probe: " + value);
    ExpectOnly(Check(yaml), kAppendedLine, "a probe definition must be a map of fields");
  }
}

TEST(ScalarRules, EmptyDefinitionIsRejected) {
  Yaml yaml = ValidScalar().Append("  other_probe:");
  ExpectOnly(Check(yaml), kAppendedLine, "a probe definition must be a map of fields");
}

TEST(ScalarRules, FileWhoseRootIsAListIsRejected) {
  ExpectOnly(Check(Yaml({"- browser.engagement", "- tab_count"})), 1,
             "the file must be a map of categories to probes");
}

TEST(ScalarRules, FileWhoseRootIsAStringIsRejected) {
  ExpectOnly(Check(Yaml({"", "just some text"})), 2,
             "the file must be a map of categories to probes");
}

TEST(ScalarRules, EmptyFileGivesNoDiagnostics) {
  std::vector<Diagnostic> diagnostics = ScalarDiagnostics("");
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, FileOfCommentsOnlyGivesNoDiagnostics) {
  std::vector<Diagnostic> diagnostics = Check(Yaml({"# Scalars.yaml", "", "# Nothing yet."}));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(ScalarRules, SameProbeTwiceInAFileIsRejectedAtTheSecond) {
  // The whole valid text twice: the second copy's category is line 14, its probe line 15.
  std::string twice = ValidScalar().str() + ValidScalar().str();
  ExpectOnly(ScalarDiagnostics(twice), kAppendedLine + 1,
             "is defined twice (first at test.yaml:" + std::to_string(kProbeLine) + ")");
}

// --- A bad definition does not take its neighbours down ------------------------------------

TEST(ScalarRules, DefinitionWithAnErrorIsLeftOutAndTheGoodOneBesideItKept) {
  const std::string good_and_bad = Yaml({
                                            "browser.engagement:",                 // 1
                                            "  bad_probe:",                        // 2
                                            "    bug_numbers: [1276190]",          // 3
                                            "    description: Has a bad kind.",    // 4
                                            "    expires: never",                  // 5
                                            "    kind: counter",                   // 6
                                            "    notification_emails: [a@b.org]",  // 7
                                            "    products: [firefox]",             // 8
                                            "    record_in_processes: [main]",     // 9
                                            "  good_probe:",                       // 10
                                            "    bug_numbers: [1276191]",          // 11
                                            "    description: Is fine.",           // 12
                                            "    expires: never",                  // 13
                                            "    kind: uint",                      // 14
                                            "    notification_emails: [a@b.org]",  // 15
                                            "    products: [firefox]",             // 16
                                            "    record_in_processes: [main]",     // 17
                                        })
                                       .str();
  RegistryBuilder builder;
  builder.AddScalarsYaml(good_and_bad, "test.yaml");
  ExpectOnly(builder.diagnostics(), 6, "unknown kind 'counter'");
  EXPECT_EQ(builder.diagnostics()[0].probe, "browser.engagement.bad_probe");

  // Loading the same text again shows what the first load kept: the good probe (now defined
  // twice) and not the bad one (which only repeats its own error).
  builder.AddScalarsYaml(good_and_bad, "again.yaml");
  const std::vector<Diagnostic>& diagnostics = builder.diagnostics();
  ASSERT_EQ(diagnostics.size(), 3u) << Describe(diagnostics);
  EXPECT_EQ(diagnostics[1].probe, "browser.engagement.bad_probe");
  EXPECT_NE(diagnostics[1].message.find("unknown kind 'counter'"), std::string::npos);
  EXPECT_EQ(diagnostics[2].probe, "browser.engagement.good_probe");
  EXPECT_EQ(diagnostics[2].location.file, "again.yaml");
  EXPECT_EQ(diagnostics[2].location.line, 10);
  EXPECT_NE(diagnostics[2].message.find("is defined twice (first at test.yaml:10)"),
            std::string::npos)
      << Describe(diagnostics);
  EXPECT_EQ(builder.Build(), nullptr);  // Errors stand, so no registry.
}

}  // namespace
}  // namespace telemetry::testing
