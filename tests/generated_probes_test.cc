// The code generator's output, compiled: typed handles whose ids, kinds and enums match the
// compiled-in registry, for the project's probes and for the test probes in tests/data.
#include <gtest/gtest.h>

#include <algorithm>
#include <type_traits>

#include "probe_yaml_support.h"
#include "telemetry/project_probes.h"
#include "telemetry/registry.h"
#include "telemetry/test_probes.h"

namespace telemetry {
namespace {

// Handles are constants: usable at compile time and free to copy.
static_assert(std::is_trivially_copyable_v<UintScalar>);
static_assert(test_probes::test_kinds::kAUint.id() == 0);
static_assert(std::is_same_v<decltype(test_probes::test_keyed::kCounts), const KeyedUintScalar>);
static_assert(std::is_same_v<decltype(test_probes::test_keyed::kLabels), const KeyedStringScalar>);
static_assert(std::is_same_v<decltype(test_probes::test_keyed::kFlags), const KeyedBooleanScalar>);
static_assert(std::is_same_v<decltype(test_probes::test_kinds::kAString), const StringScalar>);
static_assert(std::is_same_v<decltype(test_probes::test_kinds::kABool), const BooleanScalar>);

// An event's methods, objects and extra keys are enums of their own: a key of one event does
// not convert to another's, nor from an integer.
using Click = decltype(test_probes::test_ui::kClickEvent);
using Plain = decltype(test_probes::test_ui::kPlainEvent);
static_assert(!std::is_convertible_v<Click::Extra, uint32_t>);
static_assert(!std::is_convertible_v<uint32_t, Click::Extra>);
static_assert(!std::is_same_v<Click::Object, Plain::Object>);
static_assert(Click::kMethodCount == 2 && Click::kObjectCount == 3 && Click::kExtraCount == 2);
static_assert(Plain::kMethodCount == 1 && Plain::kExtraCount == 0);

TEST(GeneratedProbes, CompiledRegistryMatchesTheYamlItCameFrom) {
  std::shared_ptr<const Registry> compiled = test_probes::CompiledRegistry();
  ASSERT_NE(compiled, nullptr);
  RegistryBuilder builder;
  builder.AddScalarsFile(std::string(TELEMETRY_SOURCE_DIR) + "/tests/data/TestScalars.yaml");
  builder.AddEventsFile(std::string(TELEMETRY_SOURCE_DIR) + "/tests/data/TestEvents.yaml");
  std::shared_ptr<const Registry> parsed = builder.Build();
  ASSERT_NE(parsed, nullptr) << testing::Describe(builder.diagnostics());

  ASSERT_EQ(compiled->scalars().size(), parsed->scalars().size());
  for (size_t i = 0; i < parsed->scalars().size(); ++i) {
    const ScalarInfo& a = compiled->scalars()[i];
    const ScalarInfo& b = parsed->scalars()[i];
    EXPECT_EQ(a.FullName(), b.FullName());
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.keyed, b.keyed);
    EXPECT_EQ(a.keys, b.keys);
    EXPECT_EQ(a.description, b.description);
    EXPECT_EQ(a.expires, b.expires);
    EXPECT_EQ(a.bug_numbers, b.bug_numbers);
    EXPECT_EQ(a.notification_emails, b.notification_emails);
    EXPECT_EQ(a.record_in_processes, b.record_in_processes);
    EXPECT_EQ(a.products, b.products);
    EXPECT_EQ(a.record_into_store, b.record_into_store);
    EXPECT_EQ(a.collection, b.collection);
    EXPECT_EQ(a.location.line, b.location.line);
    EXPECT_EQ(a.location.file, "TestScalars.yaml");
  }
  ASSERT_EQ(compiled->events().size(), parsed->events().size());
  for (size_t i = 0; i < parsed->events().size(); ++i) {
    const EventInfo& a = compiled->events()[i];
    const EventInfo& b = parsed->events()[i];
    EXPECT_EQ(a.FullName(), b.FullName());
    EXPECT_EQ(a.methods, b.methods);
    EXPECT_EQ(a.objects, b.objects);
    ASSERT_EQ(a.extra_keys.size(), b.extra_keys.size());
    for (size_t k = 0; k < a.extra_keys.size(); ++k) {
      EXPECT_EQ(a.extra_keys[k].name, b.extra_keys[k].name);
      EXPECT_EQ(a.extra_keys[k].description, b.extra_keys[k].description);
    }
    EXPECT_EQ(a.record_into_store, b.record_into_store);
    EXPECT_EQ(a.expiry_version, b.expiry_version);
  }
}

TEST(GeneratedProbes, HandleIdsPointAtTheirDefinitions) {
  std::shared_ptr<const Registry> registry = test_probes::CompiledRegistry();
  EXPECT_EQ(registry->scalars()[test_probes::test_keyed::kCounts.id()].FullName(),
            "test.keyed.counts");
  EXPECT_EQ(registry->scalars()[test_probes::test_kinds::kAString.id()].description,
            "A string with \"quotes\", a backslash \\ and ünïcödé.");
  const EventInfo& click = registry->events()[test_probes::test_ui::kClickEvent.id()];
  EXPECT_EQ(click.FullName(), "test.ui.click");
  EXPECT_EQ(click.methods[Click::Index(Click::Method::kDoubleClick)], "double_click");
  EXPECT_EQ(click.objects[Click::Index(Click::Object::kLinkText)], "link.text");
  EXPECT_EQ(click.objects[Click::Index(Click::Object::kFileExtension)], "fileExtension");
  EXPECT_EQ(click.extra_keys[Click::Index(Click::Extra::kModifierKey)].name, "modifier_key");
  const EventInfo& plain = registry->events()[test_probes::test_ui::kPlainEvent.id()];
  EXPECT_EQ(plain.methods, std::vector<std::string>{"plain"});
  EXPECT_EQ(test_probes::kScalarCount, registry->scalars().size());
  EXPECT_EQ(test_probes::kEventCount, registry->events().size());
}

TEST(GeneratedProbes, CompiledRegistryIsBuiltOnce) {
  EXPECT_EQ(test_probes::CompiledRegistry().get(), test_probes::CompiledRegistry().get());
}

TEST(ProjectProbes, DeclareTheKpiEventsIntoMainAndAccountEcosystem) {
  std::shared_ptr<const Registry> registry = probes::CompiledRegistry();
  const std::vector<std::string> kpi_events = {
      "sequence.begin",   "account.created",     "account.login",  "account.verified",
      "account.reset",    "account.deleted",     "account.signed", "device.created",
      "device.connected", "device.disconnected", "device.deleted"};
  for (const std::string& name : kpi_events) {
    size_t dot = name.find('.');
    std::optional<uint32_t> id = registry->FindEvent(name.substr(0, dot), name.substr(dot + 1));
    ASSERT_TRUE(id.has_value()) << name;
    const EventInfo& event = registry->events()[*id];
    // The activity type is <category>.<method>: the method is the event's name.
    EXPECT_EQ(event.methods, std::vector<std::string>{name.substr(dot + 1)});
    EXPECT_EQ(event.record_into_store, (std::vector<std::string>{"main", "account-ecosystem"}));
    std::vector<std::string> extras;
    for (const EventExtraKey& extra : event.extra_keys) extras.push_back(extra.name);
    for (const char* column : {"seq_id", "seq_time", "uid", "device_id", "new_user", "service"}) {
      EXPECT_NE(std::find(extras.begin(), extras.end(), column), extras.end())
          << name << " lacks " << column;
    }
  }
  EXPECT_EQ(probes::account::kCreatedEvent.id(), *registry->FindEvent("account", "created"));
  EXPECT_EQ(probes::device::kConnectedEvent.id(), *registry->FindEvent("device", "connected"));
}

TEST(ProjectProbes, OneScalarLandsInBothMainAndTheCustomStore) {
  std::shared_ptr<const Registry> registry = probes::CompiledRegistry();
  const ScalarInfo& tabs = registry->scalars()[probes::browser_engagement::kTabOpenEventCount.id()];
  EXPECT_EQ(tabs.record_into_store, (std::vector<std::string>{"main", "custom-store"}));
  EXPECT_EQ(registry->Stores(),
            (std::vector<std::string>{"account-ecosystem", "custom-store", "main"}));
}

TEST(ProjectProbes, HealthCountersAreUintsInEveryStore) {
  std::shared_ptr<const Registry> registry = probes::CompiledRegistry();
  int health = 0;
  for (const ScalarInfo& scalar : registry->scalars()) {
    if (scalar.category != "telemetry.recorder") continue;
    ++health;
    EXPECT_EQ(scalar.kind, ScalarKind::kUint) << scalar.FullName();
    std::vector<std::string> stores = scalar.record_into_store;
    std::sort(stores.begin(), stores.end());
    EXPECT_EQ(stores, registry->Stores()) << scalar.FullName();
  }
  EXPECT_GE(health, 5);
  for (const char* name : {"rejected_keys", "truncated_values", "unknown_probes", "uint_overflows",
                           "storage_errors"}) {
    EXPECT_TRUE(registry->FindScalar(std::string("telemetry.recorder.") + name)) << name;
  }
}

}  // namespace
}  // namespace telemetry
