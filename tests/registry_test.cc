// The registry's own behaviour: lookups, run-time (dynamic) probes, expiry, diagnostics.
#include "telemetry/registry.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "probe_yaml_support.h"
#include "telemetry/project_probes.h"

namespace telemetry {
namespace {

constexpr char kDynamicScalars[] = R"(dynamic.things:
  loaded:
    bug_numbers: [2]
    description: Registered at run time.
    expires: never
    kind: uint
    notification_emails: [dev@example.org]
    products: [firefox]
    record_in_processes: [main]
    record_into_store: [main, custom-store]
)";

constexpr char kDynamicEvents[] = R"(dynamic.things:
  opened:
    objects: [panel]
    methods: [open, close]
    bug_numbers: [2]
    description: Registered at run time.
    expiry_version: never
    notification_emails: [dev@example.org]
    products: [firefox]
    record_in_processes: [main]
)";

TEST(Diagnostic, PrintsLikeACompiler) {
  Diagnostic d{Diagnostic::Severity::kError, {"Scalars.yaml", 12, 5}, "a.b", "unknown field 'x'"};
  EXPECT_EQ(d.ToString(), "Scalars.yaml:12:5: error: a.b: unknown field 'x'");
  d.severity = Diagnostic::Severity::kWarning;
  d.probe.clear();
  EXPECT_EQ(d.ToString(), "Scalars.yaml:12:5: warning: unknown field 'x'");
  d.location = {"f.yaml", 0, 0};
  EXPECT_EQ(d.ToString(), "f.yaml: warning: unknown field 'x'");
}

TEST(Registry, DynamicProbesExtendTheCompiledInRegistryAndKeepItsIds) {
  std::shared_ptr<const Registry> base = probes::CompiledRegistry();
  RegistryBuilder builder(*base);
  builder.AddScalarsYaml(kDynamicScalars, "<dynamic>");
  builder.AddEventsYaml(kDynamicEvents, "<dynamic>");
  std::shared_ptr<const Registry> extended = builder.Build();
  ASSERT_NE(extended, nullptr) << testing::Describe(builder.diagnostics());

  ASSERT_EQ(extended->scalars().size(), base->scalars().size() + 1);
  ASSERT_EQ(extended->events().size(), base->events().size() + 1);
  for (size_t i = 0; i < base->scalars().size(); ++i) {
    EXPECT_EQ(extended->scalars()[i].FullName(), base->scalars()[i].FullName());
  }
  EXPECT_EQ(extended->FindScalar("dynamic.things.loaded"), base->scalars().size());
  EXPECT_EQ(extended->FindEvent("dynamic.things", "opened"), base->events().size());
  EXPECT_EQ(extended->FindScalar("browser.engagement.tab_open_event_count"),
            probes::browser_engagement::kTabOpenEventCount.id());
  // The base is untouched: registries are immutable.
  EXPECT_FALSE(base->FindScalar("dynamic.things.loaded"));
}

TEST(Registry, DynamicProbesPassTheSameValidator) {
  RegistryBuilder builder(*probes::CompiledRegistry());
  builder.AddScalarsYaml("dynamic.things:\n  bad:\n    kind: float\n", "<dynamic>");
  EXPECT_EQ(builder.Build(), nullptr);
  ASSERT_FALSE(builder.diagnostics().empty());
  EXPECT_EQ(builder.diagnostics()[0].location.file, "<dynamic>");
  EXPECT_EQ(builder.diagnostics()[0].location.line, 2);
}

TEST(Registry, ADynamicProbeMayNotReuseACompiledInName) {
  RegistryBuilder builder(*probes::CompiledRegistry());
  std::string yaml = kDynamicScalars;
  yaml.replace(yaml.find("dynamic.things"), 14, "browser.engagement");
  yaml.replace(yaml.find("loaded"), 6, "active_ticks");
  builder.AddScalarsYaml(yaml, "<dynamic>");
  EXPECT_EQ(builder.Build(), nullptr);
  ASSERT_EQ(builder.diagnostics().size(), 1u) << testing::Describe(builder.diagnostics());
  EXPECT_EQ(builder.diagnostics()[0].probe, "browser.engagement.active_ticks");
  EXPECT_NE(builder.diagnostics()[0].message.find("defined twice (first at Scalars.yaml:"),
            std::string::npos)
      << builder.diagnostics()[0].ToString();
}

TEST(Registry, UnknownNamesAreNotFound) {
  std::shared_ptr<const Registry> registry = probes::CompiledRegistry();
  EXPECT_FALSE(registry->FindScalar("no.such_probe"));
  EXPECT_FALSE(registry->FindScalar(""));
  EXPECT_FALSE(registry->FindEvent("account", "no_such_event"));
  EXPECT_FALSE(registry->FindEvent("", ""));
}

TEST(Registry, BuildIsRefusedWhileAnyErrorStandsButWarningsPass) {
  RegistryBuilder warned({.app_version = "10"});
  std::string yaml = kDynamicScalars;
  yaml.replace(yaml.find("expires: never"), 14, "expires: '9'");
  warned.AddScalarsYaml(yaml, "w.yaml");
  EXPECT_NE(warned.Build(), nullptr);
  ASSERT_EQ(warned.diagnostics().size(), 1u);
  EXPECT_FALSE(warned.diagnostics()[0].is_error());
  EXPECT_FALSE(warned.has_errors());
}

TEST(Registry, AddFileTellsScalarsFromEventsByNameOrContent) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "registry_test_addfile";
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return (dir / name).string();
  };
  RegistryBuilder builder;
  builder.AddFile(write("probes-a.yaml", kDynamicScalars));  // By content: `kind`.
  builder.AddFile(write("probes-b.yaml", kDynamicEvents));   // By content: `objects`.
  builder.AddFile(write("MyEvents.yaml", kDynamicEvents));   // By name (a duplicate here).
  builder.AddFile(write("mystery.yaml", "{}"));
  std::vector<Diagnostic> diagnostics = builder.diagnostics();
  ASSERT_EQ(diagnostics.size(), 2u) << testing::Describe(diagnostics);
  EXPECT_NE(diagnostics[0].message.find("defined twice"), std::string::npos);
  EXPECT_NE(diagnostics[1].message.find("cannot tell whether"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Expiry, ExpiresAtTheFirstBuildOfItsMajorVersion) {
  EXPECT_FALSE(IsExpired("never", "1000.0"));
  EXPECT_FALSE(IsExpired("121", "120.0.1"));
  EXPECT_TRUE(IsExpired("121", "121.0a1"));
  EXPECT_TRUE(IsExpired("121", "121.0"));
  EXPECT_TRUE(IsExpired("121", "122.1"));
  EXPECT_FALSE(IsExpired("121", ""));         // No app version: nothing expires.
  EXPECT_FALSE(IsExpired("121", "nightly"));  // Unparsable: nothing expires.
}

}  // namespace
}  // namespace telemetry
