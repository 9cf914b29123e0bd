// Every validation rule of Events.yaml: one failing input each, with the exact line reported.
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "probe_yaml_support.h"

namespace telemetry::testing {
namespace {

// The lines of ValidEvent().
constexpr int kCategoryLine = 1;
constexpr int kEventLine = 2;
constexpr int kObjectsLine = 3;
constexpr int kObjectLine = 4;
constexpr int kBugNumbersLine = 5;
constexpr int kEmailsLine = 7;
constexpr int kEmailLine = 8;
constexpr int kProcessesLine = 9;
constexpr int kProcessLine = 10;
constexpr int kDescriptionLine = 11;
constexpr int kProductsLine = 12;
constexpr int kProductLine = 13;
constexpr int kExpiryLine = 14;
constexpr int kAppendedLine = 15;  // The first line Append() adds.

// browser.ui#click with every required field and nothing else.
Yaml ValidEvent() {
  return Yaml({
      "browser.ui:",                            // 1
      "  click:",                               // 2
      "    objects:",                           // 3
      "      - button",                         // 4
      "    bug_numbers:",                       // 5
      "      - 1456789",                        // 6
      "    notification_emails:",               // 7
      "      - telemetry@example.com",          // 8
      "    record_in_processes:",               // 9
      "      - main",                           // 10
      "    description: A click on a button.",  // 11
      "    products:",                          // 12
      "      - firefox",                        // 13
      "    expiry_version: never",              // 14
  });
}

std::vector<Diagnostic> Check(const Yaml& yaml, RegistryOptions options = {}) {
  return EventDiagnostics(yaml.str(), std::move(options));
}

// The registry built from `yaml`, or null (with the failure recorded) if it does not build.
std::shared_ptr<const Registry> BuildEvents(const std::string& yaml, RegistryOptions options = {}) {
  RegistryBuilder builder(std::move(options));
  builder.AddEventsYaml(yaml, "test.yaml");
  std::shared_ptr<const Registry> registry = builder.Build();
  EXPECT_NE(registry, nullptr) << Describe(builder.diagnostics());
  return registry;
}

// Appends a `methods` list; the first method is on kAppendedLine + 1.
Yaml& AppendMethods(Yaml& yaml, const std::vector<std::string>& methods) {
  yaml.Append("    methods:");
  for (const std::string& method : methods) yaml.Append("      - " + method);
  return yaml;
}

// Appends `extra_keys` holding `count` keys key1, key2, ...; key1 is on kAppendedLine + 1.
Yaml& AppendExtraKeys(Yaml& yaml, int count) {
  yaml.Append("    extra_keys:");
  for (int i = 1; i <= count; ++i) {
    yaml.Append("      key" + std::to_string(i) + ": Extra key " + std::to_string(i) + ".");
  }
  return yaml;
}

// --- A valid definition --------------------------------------------------------------------

TEST(EventRules, ValidDefinitionGivesNoDiagnostics) {
  std::vector<Diagnostic> diagnostics = Check(ValidEvent());
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(EventRules, ValidDefinitionIsReadWithItsDefaults) {
  std::shared_ptr<const Registry> registry = BuildEvents(ValidEvent().str());
  ASSERT_NE(registry, nullptr);
  ASSERT_EQ(registry->events().size(), 1u);
  const EventInfo& event = registry->events()[0];
  EXPECT_EQ(event.category, "browser.ui");
  EXPECT_EQ(event.name, "click");
  EXPECT_EQ(event.objects, std::vector<std::string>{"button"});
  EXPECT_EQ(event.bug_numbers, std::vector<int64_t>{1456789});
  EXPECT_EQ(event.description, "A click on a button.");
  EXPECT_EQ(event.expiry_version, "never");
  EXPECT_TRUE(event.extra_keys.empty());
  EXPECT_EQ(event.collection, CollectionPolicy::kOptIn);
  EXPECT_EQ(event.record_into_store, std::vector<std::string>{"main"});
  EXPECT_EQ(event.location.line, kEventLine);
}

TEST(EventRules, MethodsDefaultToTheEventName) {
  std::shared_ptr<const Registry> registry = BuildEvents(ValidEvent().str());
  ASSERT_NE(registry, nullptr);
  EXPECT_EQ(registry->events().at(0).methods, std::vector<std::string>{"click"});
}

TEST(EventRules, MethodsGivenAreRead) {
  Yaml yaml = ValidEvent();
  AppendMethods(yaml, {"open", "close"});
  std::shared_ptr<const Registry> registry = BuildEvents(yaml.str());
  ASSERT_NE(registry, nullptr);
  EXPECT_EQ(registry->events().at(0).methods, (std::vector<std::string>{"open", "close"}));
}

// --- Category names ------------------------------------------------------------------------

TEST(EventRules, CategoryOf30CharsIsAccepted) {
  std::vector<Diagnostic> diagnostics =
      Check(ValidEvent().Set(kCategoryLine, std::string(30, 'c') + ":"));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(EventRules, CategoryLongerThan30CharsIsRejected) {
  ExpectOnly(Check(ValidEvent().Set(kCategoryLine, std::string(31, 'c') + ":")), kCategoryLine,
             "category '" + std::string(31, 'c') + "' is longer than 30 characters");
}

TEST(EventRules, CategoryNotMatchingTheIdentifierPatternIsRejected) {
  for (const std::string name :
       {"1browser", "_browser", ".browser", "browser.", "browser_", "browser-ui", "b"}) {
    SCOPED_TRACE(name);
    ExpectOnly(Check(ValidEvent().Set(kCategoryLine, name + ":")), kCategoryLine,
               "category '" + name + "' must match ^[a-zA-Z][a-zA-Z0-9_.]*[a-zA-Z0-9]$");
  }
}

TEST(EventRules, CategoryWithDotsUnderscoresAndDigitsInsideIsAccepted) {
  std::vector<Diagnostic> diagnostics = Check(ValidEvent().Set(kCategoryLine, "Browser_ui.v2:"));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

// --- Event names ---------------------------------------------------------------------------

TEST(EventRules, EventNameOf20CharsIsAccepted) {
  std::vector<Diagnostic> diagnostics =
      Check(ValidEvent().Set(kEventLine, "  " + std::string(20, 'e') + ":"));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(EventRules, EventNameLongerThan20CharsIsRejected) {
  ExpectOnly(Check(ValidEvent().Set(kEventLine, "  " + std::string(21, 'e') + ":")), kEventLine,
             "event name '" + std::string(21, 'e') + "' is longer than 20 characters");
}

TEST(EventRules, EventNameNotMatchingTheIdentifierPatternIsRejected) {
  for (const std::string name : {"1click", "_click", "click_", "click.", "click-it", "c"}) {
    SCOPED_TRACE(name);
    ExpectOnly(Check(ValidEvent().Set(kEventLine, "  " + name + ":")), kEventLine,
               "event name '" + name + "' must match ^[a-zA-Z][a-zA-Z0-9_.]*[a-zA-Z0-9]$");
  }
}

TEST(EventRules, EventNameWithDotsAndUnderscoresInsideIsAccepted) {
  std::vector<Diagnostic> diagnostics = Check(ValidEvent().Set(kEventLine, "  click_it.v2:"));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

// --- Required, unknown and repeated fields -------------------------------------------------

struct RequiredField {
  std::string name;
  int first_line;  // The field's lines in ValidEvent().
  int line_count;
};

class EventRequiredField : public ::testing::TestWithParam<RequiredField> {};

TEST_P(EventRequiredField, MissingFieldIsReportedAtTheEventNameLine) {
  const RequiredField& field = GetParam();
  ExpectOnly(Check(ValidEvent().Remove(field.first_line, field.line_count)), kEventLine,
             "missing required field '" + field.name + "'");
}

INSTANTIATE_TEST_SUITE_P(EventRules, EventRequiredField,
                         ::testing::Values(RequiredField{"objects", kObjectsLine, 2},
                                           RequiredField{"bug_numbers", kBugNumbersLine, 2},
                                           RequiredField{"notification_emails", kEmailsLine, 2},
                                           RequiredField{"record_in_processes", kProcessesLine, 2},
                                           RequiredField{"description", kDescriptionLine, 1},
                                           RequiredField{"products", kProductsLine, 2},
                                           RequiredField{"expiry_version", kExpiryLine, 1}),
                         [](const ::testing::TestParamInfo<RequiredField>& field) {
                           return field.param.name;
                         });

TEST(EventRules, UnknownFieldIsRejectedAtItsLine) {
  // `expires` is the scalars' spelling; events say `expiry_version`.
  ExpectOnly(Check(ValidEvent().Append("    expires: never")), kAppendedLine,
             "unknown field 'expires'");
}

TEST(EventRules, FieldGivenTwiceIsRejectedAtTheSecond) {
  ExpectOnly(Check(ValidEvent().Append("    description: Again.")), kAppendedLine,
             "field 'description' is given twice");
}

// --- Field types ---------------------------------------------------------------------------

TEST(EventRules, ObjectsGivenAsAStringIsRejected) {
  ExpectOnly(Check(ValidEvent().Remove(kObjectLine).Set(kObjectsLine, "    objects: button")),
             kObjectsLine, "field 'objects' must be a list of strings, not a string");
}

TEST(EventRules, UnquotedNumericExpiryVersionIsAnIntegerNotAString) {
  ExpectOnly(Check(ValidEvent().Set(kExpiryLine, "    expiry_version: 122")), kExpiryLine,
             "field 'expiry_version' must be a string, not an integer");
}

TEST(EventRules, ExtraKeysGivenAsAListIsRejected) {
  ExpectOnly(Check(ValidEvent().Append("    extra_keys: [reason]")), kAppendedLine,
             "field 'extra_keys' must be a map of strings to strings, not a list");
}

TEST(EventRules, EmptyListIsRejected) {
  ExpectOnly(Check(ValidEvent().Remove(kObjectLine).Set(kObjectsLine, "    objects: []")),
             kObjectsLine, "field 'objects' must not be an empty list");
}

TEST(EventRules, ObjectsHoldingAnIntegerIsRejectedAtTheElementsLine) {
  ExpectOnly(Check(ValidEvent().Insert(kObjectLine + 1, "      - 42")), kObjectLine + 1,
             "field 'objects' must only hold strings, not an integer");
}

TEST(EventRules, BugNumbersHoldingAStringIsRejectedAtTheElementsLine) {
  ExpectOnly(Check(ValidEvent().Insert(kBugNumbersLine + 2, "      - bug1456790")),
             kBugNumbersLine + 2, "field 'bug_numbers' must only hold integers, not a string");
}

// --- Common field values -------------------------------------------------------------------

TEST(EventRules, EmailWithSpaceIsRejectedAtItsLine) {
  ExpectOnly(Check(ValidEvent().Set(kEmailLine, "      - telemetry client@example.com")),
             kEmailLine, "invalid notification email 'telemetry client@example.com'");
}

TEST(EventRules, UnknownProcessIsRejectedAtItsLine) {
  ExpectOnly(Check(ValidEvent().Set(kProcessLine, "      - parent")), kProcessLine,
             "unknown process 'parent' in 'record_in_processes'");
}

TEST(EventRules, UnknownProductIsRejectedAtItsLine) {
  ExpectOnly(Check(ValidEvent().Set(kProductLine, "      - seamonkey")), kProductLine,
             "unknown product 'seamonkey' in 'products'");
}

TEST(EventRules, ProductDeclaredInExtraProductsIsAccepted) {
  std::vector<Diagnostic> diagnostics = Check(ValidEvent().Set(kProductLine, "      - seamonkey"),
                                              RegistryOptions{.extra_products = {"seamonkey"}});
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(EventRules, BadReleaseChannelCollectionIsRejected) {
  ExpectOnly(Check(ValidEvent().Append("    release_channel_collection: opt-sometimes")),
             kAppendedLine,
             "unknown collection policy 'opt-sometimes' (expected opt-in or opt-out)");
}

TEST(EventRules, OptOutCollectionIsAccepted) {
  std::shared_ptr<const Registry> registry =
      BuildEvents(ValidEvent().Append("    release_channel_collection: opt-out").str());
  ASSERT_NE(registry, nullptr);
  EXPECT_EQ(registry->events().at(0).collection, CollectionPolicy::kOptOut);
}

// --- record_into_store (our extension to Firefox's event schema) ---------------------------

TEST(EventRules, RecordIntoStoreIsAcceptedAndRead) {
  Yaml yaml =
      ValidEvent().Append("    record_into_store:").Append("      - main").Append("      - events");
  std::vector<Diagnostic> diagnostics = Check(yaml);
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
  std::shared_ptr<const Registry> registry = BuildEvents(yaml.str());
  ASSERT_NE(registry, nullptr);
  EXPECT_EQ(registry->events().at(0).record_into_store,
            (std::vector<std::string>{"main", "events"}));
}

TEST(EventRules, BadStoreNameIsRejectedAtItsLine) {
  Yaml yaml = ValidEvent()
                  .Append("    record_into_store:")  // kAppendedLine
                  .Append("      - main")            // kAppendedLine + 1
                  .Append("      - Events_Store");   // kAppendedLine + 2
  ExpectOnly(Check(yaml), kAppendedLine + 2, "invalid store name 'Events_Store'");
}

TEST(EventRules, RepeatedStoreIsRejectedAtTheRepeat) {
  Yaml yaml = ValidEvent()
                  .Append("    record_into_store:")  // kAppendedLine
                  .Append("      - events")          // kAppendedLine + 1
                  .Append("      - events");         // kAppendedLine + 2
  ExpectOnly(Check(yaml), kAppendedLine + 2, "'events' is listed twice in 'record_into_store'");
}

TEST(EventRules, EmptyRecordIntoStoreIsRejected) {
  ExpectOnly(Check(ValidEvent().Append("    record_into_store: []")), kAppendedLine,
             "field 'record_into_store' must not be an empty list");
}

// --- Methods and objects -------------------------------------------------------------------

TEST(EventRules, MethodOf20CharsIsAccepted) {
  Yaml yaml = ValidEvent();
  std::vector<Diagnostic> diagnostics = Check(AppendMethods(yaml, {std::string(20, 'm')}));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(EventRules, MethodLongerThan20CharsIsRejectedAtItsLine) {
  Yaml yaml = ValidEvent();
  AppendMethods(yaml, {"open", std::string(21, 'm')});
  ExpectOnly(Check(yaml), kAppendedLine + 2,
             "method '" + std::string(21, 'm') + "' is longer than 20 characters");
}

TEST(EventRules, MethodNotMatchingTheIdentifierPatternIsRejectedAtItsLine) {
  for (const std::string method : {"2open", "open_", "_open", "open-tab", "o"}) {
    SCOPED_TRACE(method);
    Yaml yaml = ValidEvent();
    AppendMethods(yaml, {"close", method});
    ExpectOnly(Check(yaml), kAppendedLine + 2,
               "method '" + method + "' must match ^[a-zA-Z][a-zA-Z0-9_.]*[a-zA-Z0-9]$");
  }
}

TEST(EventRules, RepeatedMethodIsRejectedAtTheRepeat) {
  Yaml yaml = ValidEvent();
  AppendMethods(yaml, {"open", "close", "open"});
  ExpectOnly(Check(yaml), kAppendedLine + 3, "method 'open' is listed twice");
}

TEST(EventRules, ObjectOf20CharsIsAccepted) {
  std::vector<Diagnostic> diagnostics =
      Check(ValidEvent().Set(kObjectLine, "      - " + std::string(20, 'o')));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(EventRules, ObjectLongerThan20CharsIsRejectedAtItsLine) {
  Yaml yaml = ValidEvent().Insert(kObjectLine + 1, "      - " + std::string(21, 'o'));
  ExpectOnly(Check(yaml), kObjectLine + 1,
             "object '" + std::string(21, 'o') + "' is longer than 20 characters");
}

TEST(EventRules, ObjectNotMatchingTheIdentifierPatternIsRejectedAtItsLine) {
  for (const std::string object : {"9button", "button.", "_button", "tool bar", "x"}) {
    SCOPED_TRACE(object);
    Yaml yaml = ValidEvent().Insert(kObjectLine + 1, "      - " + object);
    ExpectOnly(Check(yaml), kObjectLine + 1,
               "object '" + object + "' must match ^[a-zA-Z][a-zA-Z0-9_.]*[a-zA-Z0-9]$");
  }
}

TEST(EventRules, RepeatedObjectIsRejectedAtTheRepeat) {
  Yaml yaml = ValidEvent()
                  .Insert(kObjectLine + 1, "      - menu")     // 5
                  .Insert(kObjectLine + 2, "      - button");  // 6
  ExpectOnly(Check(yaml), kObjectLine + 2, "object 'button' is listed twice");
}

// --- extra_keys ----------------------------------------------------------------------------

TEST(EventRules, ExtraKeysAreReadInFileOrder) {
  Yaml yaml = ValidEvent()
                  .Append("    extra_keys:")
                  .Append("      reason: Why it was clicked.")
                  .Append("      count: How many times.");
  std::shared_ptr<const Registry> registry = BuildEvents(yaml.str());
  ASSERT_NE(registry, nullptr);
  const std::vector<EventExtraKey>& keys = registry->events().at(0).extra_keys;
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].name, "reason");
  EXPECT_EQ(keys[0].description, "Why it was clicked.");
  EXPECT_EQ(keys[1].name, "count");
  EXPECT_EQ(keys[1].description, "How many times.");
}

TEST(EventRules, Exactly10ExtraKeysAreAccepted) {
  Yaml yaml = ValidEvent();
  std::vector<Diagnostic> diagnostics = Check(AppendExtraKeys(yaml, 10));
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(EventRules, MoreThan10ExtraKeysIsRejectedAtTheExtraKeysLine) {
  Yaml yaml = ValidEvent();
  ExpectOnly(Check(AppendExtraKeys(yaml, 11)), kAppendedLine,
             "'extra_keys' has 11 keys; at most 10 are allowed");
}

TEST(EventRules, ExtraKeyOf15CharsIsAccepted) {
  Yaml yaml =
      ValidEvent().Append("    extra_keys:").Append("      " + std::string(15, 'k') + ": Desc.");
  std::vector<Diagnostic> diagnostics = Check(yaml);
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(EventRules, ExtraKeyLongerThan15CharsIsRejectedAtItsLine) {
  Yaml yaml = ValidEvent()
                  .Append("    extra_keys:")                     // kAppendedLine
                  .Append("      reason: Why.")                  // kAppendedLine + 1
                  .Append("      a_long_extra_key: Too long.");  // kAppendedLine + 2
  ExpectOnly(Check(yaml), kAppendedLine + 2,
             "extra key 'a_long_extra_key' is longer than 15 characters");
}

TEST(EventRules, ExtraKeyNotMatchingTheIdentifierPatternIsRejectedAtItsLine) {
  for (const std::string key : {"_hidden", "2nd", "reason_", "re-ason", "r"}) {
    SCOPED_TRACE(key);
    Yaml yaml = ValidEvent()
                    .Append("    extra_keys:")            // kAppendedLine
                    .Append("      reason: Why.")         // kAppendedLine + 1
                    .Append("      " + key + ": Desc.");  // kAppendedLine + 2
    ExpectOnly(Check(yaml), kAppendedLine + 2,
               "extra key '" + key + "' must match ^[a-zA-Z][a-zA-Z0-9_.]*[a-zA-Z0-9]$");
  }
}

TEST(EventRules, ExtraKeyWithNonStringValueIsRejectedAtItsLine) {
  Yaml yaml = ValidEvent()
                  .Append("    extra_keys:")     // kAppendedLine
                  .Append("      reason: Why.")  // kAppendedLine + 1
                  .Append("      count: 5");     // kAppendedLine + 2
  ExpectOnly(Check(yaml), kAppendedLine + 2,
             "field 'extra_keys': the value of 'count' must be a string, not an integer");
}

TEST(EventRules, ExtraKeyThatIsNotAStringIsRejectedAtItsLine) {
  Yaml yaml = ValidEvent()
                  .Append("    extra_keys:")     // kAppendedLine
                  .Append("      reason: Why.")  // kAppendedLine + 1
                  .Append("      7: Lucky.");    // kAppendedLine + 2
  ExpectOnly(Check(yaml), kAppendedLine + 2,
             "field 'extra_keys' must have string keys, not an integer");
}

TEST(EventRules, EmptyExtraKeysMapIsRejected) {
  ExpectOnly(Check(ValidEvent().Append("    extra_keys: {}")), kAppendedLine,
             "field 'extra_keys' must not be an empty map");
}

// --- Expiry --------------------------------------------------------------------------------

TEST(EventRules, InvalidExpiryVersionIsRejected) {
  for (const std::string expiry : {"Never", "\"1000\"", "60a1", "\"121.0a1\"", "\"\""}) {
    SCOPED_TRACE(expiry);
    ExpectOnly(Check(ValidEvent().Set(kExpiryLine, "    expiry_version: " + expiry)), kExpiryLine,
               "invalid expiry_version '");
  }
}

TEST(EventRules, InvalidExpiryVersionNamesTheValue) {
  ExpectOnly(Check(ValidEvent().Set(kExpiryLine, "    expiry_version: Never")), kExpiryLine,
             "invalid expiry_version 'Never' (expected \"never\" or a major version");
}

TEST(EventRules, EventExpiringInTheAppVersionGivesAWarning) {
  Yaml yaml = ValidEvent().Set(kExpiryLine, "    expiry_version: \"121\"");
  RegistryOptions options{.app_version = "121.0"};
  ExpectOnly(Check(yaml, options), kExpiryLine, "expired in version 121 (app version 121.0)",
             Diagnostic::Severity::kWarning);
  EXPECT_NE(BuildEvents(yaml.str(), options), nullptr);  // A warning does not stop the build.
}

TEST(EventRules, EventExpiringInALaterVersionGivesNothing) {
  std::vector<Diagnostic> diagnostics =
      Check(ValidEvent().Set(kExpiryLine, "    expiry_version: \"122\""), {.app_version = "121.0"});
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(EventRules, EventThatNeverExpiresGivesNothing) {
  std::vector<Diagnostic> diagnostics = Check(ValidEvent(), {.app_version = "121.0"});
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

// --- operating_systems (obsolete) ----------------------------------------------------------

TEST(EventRules, OperatingSystemsGivesAWarningAndStillBuilds) {
  Yaml yaml = ValidEvent().Append("    operating_systems:").Append("      - windows");
  ExpectOnly(Check(yaml), kAppendedLine, "'operating_systems' is obsolete and ignored",
             Diagnostic::Severity::kWarning);
  EXPECT_NE(BuildEvents(yaml.str()), nullptr);
}

TEST(EventRules, UnknownOperatingSystemIsAnErrorAtItsLine) {
  Yaml yaml = ValidEvent().Append("    operating_systems:").Append("      - amiga");
  std::vector<Diagnostic> diagnostics = Check(yaml);
  ASSERT_EQ(diagnostics.size(), 2u) << Describe(diagnostics);
  EXPECT_EQ(diagnostics[0].severity, Diagnostic::Severity::kWarning);
  EXPECT_EQ(diagnostics[0].location.line, kAppendedLine);
  EXPECT_EQ(diagnostics[1].severity, Diagnostic::Severity::kError);
  EXPECT_EQ(diagnostics[1].location.line, kAppendedLine + 1);
  EXPECT_NE(diagnostics[1].message.find("unknown operating system 'amiga'"), std::string::npos)
      << Describe(diagnostics);
}

// --- File structure ------------------------------------------------------------------------

TEST(EventRules, EmptyCategoryIsRejected) {
  ExpectOnly(Check(ValidEvent().Insert(1, "empty.category:")), 1,
             "a category must be a map holding at least one probe");
}

TEST(EventRules, CategoryThatIsNotAMapIsRejected) {
  ExpectOnly(Check(ValidEvent().Append("other.category: [click]")), kAppendedLine,
             "a category must be a map holding at least one probe");
}

TEST(EventRules, DefinitionThatIsNotAMapIsRejected) {
  ExpectOnly(Check(ValidEvent().Append("  other_event: [button]")), kAppendedLine,
             "a probe definition must be a map of fields");
}

TEST(EventRules, FileWhoseRootIsAListIsRejected) {
  ExpectOnly(Check(Yaml({"- browser.ui", "- click"})), 1,
             "the file must be a map of categories to probes");
}

TEST(EventRules, EmptyFileGivesNoDiagnostics) {
  std::vector<Diagnostic> diagnostics = EventDiagnostics("");
  EXPECT_TRUE(diagnostics.empty()) << Describe(diagnostics);
}

TEST(EventRules, SameEventTwiceInAFileIsRejectedAtTheSecond) {
  // The whole valid text twice: the second copy's category is line 15, its event line 16.
  ExpectOnly(EventDiagnostics(ValidEvent().str() + ValidEvent().str()), kAppendedLine + 1,
             "is defined twice (first at test.yaml:" + std::to_string(kEventLine) + ")");
}

// --- A bad definition does not take its neighbours down ------------------------------------

TEST(EventRules, DefinitionWithAnErrorIsLeftOutAndTheGoodOneBesideItKept) {
  const std::string good_and_bad = Yaml({
                                            "browser.ui:",                         // 1
                                            "  good:",                             // 2
                                            "    objects: [button]",               // 3
                                            "    bug_numbers: [1456789]",          // 4
                                            "    notification_emails: [a@b.org]",  // 5
                                            "    record_in_processes: [main]",     // 6
                                            "    description: Is fine.",           // 7
                                            "    products: [firefox]",             // 8
                                            "    expiry_version: never",           // 9
                                            "  bad:",                              // 10
                                            "    objects: [button]",               // 11
                                            "    bug_numbers: [1456790]",          // 12
                                            "    notification_emails: [a@b.org]",  // 13
                                            "    record_in_processes: [main]",     // 14
                                            "    description: Expires oddly.",     // 15
                                            "    products: [firefox]",             // 16
                                            "    expiry_version: soon",            // 17
                                        })
                                       .str();
  RegistryBuilder builder;
  builder.AddEventsYaml(good_and_bad, "test.yaml");
  ExpectOnly(builder.diagnostics(), 17, "invalid expiry_version 'soon'");
  EXPECT_EQ(builder.diagnostics()[0].probe, "browser.ui.bad");

  // Loading the same text again shows what the first load kept: the good event (now defined
  // twice) and not the bad one (which only repeats its own error).
  builder.AddEventsYaml(good_and_bad, "again.yaml");
  const std::vector<Diagnostic>& diagnostics = builder.diagnostics();
  ASSERT_EQ(diagnostics.size(), 3u) << Describe(diagnostics);
  EXPECT_EQ(diagnostics[1].probe, "browser.ui.bad");
  EXPECT_NE(diagnostics[1].message.find("invalid expiry_version 'soon'"), std::string::npos);
  EXPECT_EQ(diagnostics[2].probe, "browser.ui.good");
  EXPECT_EQ(diagnostics[2].location.file, "again.yaml");
  EXPECT_EQ(diagnostics[2].location.line, 2);
  EXPECT_NE(diagnostics[2].message.find("is defined twice (first at test.yaml:2)"),
            std::string::npos)
      << Describe(diagnostics);
  EXPECT_EQ(builder.Build(), nullptr);
}

}  // namespace
}  // namespace telemetry::testing
