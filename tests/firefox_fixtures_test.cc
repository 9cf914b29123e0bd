// Real input: Firefox's own Scalars.yaml and Events.yaml, read from ../shared at test time.
#include <gtest/gtest.h>

#include "probe_yaml_support.h"
#include "telemetry/registry.h"

namespace telemetry {
namespace {

std::shared_ptr<const Registry> LoadFirefox(RegistryOptions options,
                                            std::vector<Diagnostic>* diagnostics) {
  RegistryBuilder builder(std::move(options));
  builder.AddScalarsFile(testing::FirefoxFixture("Scalars.yaml"));
  builder.AddEventsFile(testing::FirefoxFixture("Events.yaml"));
  *diagnostics = builder.diagnostics();
  return builder.Build();
}

TEST(FirefoxFixtures, LoadWithoutErrorsOrWarnings) {
  std::vector<Diagnostic> diagnostics;
  std::shared_ptr<const Registry> registry = LoadFirefox({}, &diagnostics);
  ASSERT_NE(registry, nullptr) << testing::Describe(diagnostics);
  EXPECT_TRUE(diagnostics.empty()) << testing::Describe(diagnostics);
  EXPECT_EQ(registry->scalars().size(), 281u);
  EXPECT_EQ(registry->events().size(), 88u);
  EXPECT_EQ(registry->EventPairCount(), 357u);
}

TEST(FirefoxFixtures, EveryFieldIsRead) {
  std::vector<Diagnostic> diagnostics;
  std::shared_ptr<const Registry> registry = LoadFirefox({}, &diagnostics);
  ASSERT_NE(registry, nullptr);

  // The first scalar of the file, field by field.
  std::optional<uint32_t> id = registry->FindScalar("a11y.always_underline_links");
  ASSERT_TRUE(id);
  const ScalarInfo& scalar = registry->scalars()[*id];
  EXPECT_EQ(scalar.kind, ScalarKind::kBoolean);
  EXPECT_FALSE(scalar.keyed);
  EXPECT_EQ(scalar.bug_numbers, std::vector<int64_t>{1835194});
  EXPECT_EQ(scalar.expires, "never");
  EXPECT_EQ(scalar.notification_emails,
            (std::vector<std::string>{"accessibility@mozilla.com", "mreschenberg@mozilla.com"}));
  EXPECT_EQ(scalar.products, std::vector<std::string>{"firefox"});
  EXPECT_EQ(scalar.record_in_processes, std::vector<std::string>{"main"});
  EXPECT_EQ(scalar.record_into_store, std::vector<std::string>{"main"});
  EXPECT_EQ(scalar.collection, CollectionPolicy::kOptOut);
  EXPECT_EQ(scalar.description,
            "Bool tracking if the user has always underline links enabled in firefox.\n");
  EXPECT_EQ(scalar.location.line, 10);
  EXPECT_EQ(scalar.location.column, 3);

  // Stores other than main are declared by real probes.
  std::vector<std::string> stores = registry->Stores();
  EXPECT_NE(std::find(stores.begin(), stores.end(), "new-profile"), stores.end());

  // Events: the method defaults to the event's name; extras are kept in file order.
  std::optional<uint32_t> view = registry->FindEvent("readermode", "view");
  ASSERT_TRUE(view);
  const EventInfo& event = registry->events()[*view];
  EXPECT_EQ(event.methods, std::vector<std::string>{"view"});
  EXPECT_EQ(event.objects, (std::vector<std::string>{"on", "off"}));
  ASSERT_EQ(event.extra_keys.size(), 3u);
  EXPECT_EQ(event.extra_keys[0].name, "subcategory");
  EXPECT_EQ(event.record_in_processes, std::vector<std::string>{"content"});
  EXPECT_EQ(event.record_into_store, std::vector<std::string>{"main"});
  EXPECT_EQ(event.collection, CollectionPolicy::kOptOut);
}

TEST(FirefoxFixtures, ExpiredProbesAreWarningsForALaterAppVersion) {
  std::vector<Diagnostic> diagnostics;
  std::shared_ptr<const Registry> registry = LoadFirefox({.app_version = "170.0"}, &diagnostics);
  ASSERT_NE(registry, nullptr) << testing::Describe(diagnostics);
  ASSERT_FALSE(diagnostics.empty());
  for (const Diagnostic& d : diagnostics) {
    EXPECT_EQ(d.severity, Diagnostic::Severity::kWarning) << d.ToString();
    EXPECT_NE(d.message.find("expired"), std::string::npos) << d.ToString();
    EXPECT_GT(d.location.line, 0) << d.ToString();
  }
  EXPECT_EQ(registry->scalars().size(), 281u);  // Expired probes still load.
}

}  // namespace
}  // namespace telemetry
