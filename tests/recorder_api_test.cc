// The API around recording: opening, by-name scalars, run-time probes, stores, shutdown.
#include <gtest/gtest.h>

#include <string>

#include "recorder_support.h"
#include "telemetry/project_probes.h"

namespace telemetry {
namespace {

using testing::Health;
using testing::Scalar;
using testing::SnapshotOrDie;

constexpr char kDynamicScalars[] = R"(dynamic.things:
  loads:
    bug_numbers: [3]
    description: Registered at run time, into a store of its own and main.
    expires: never
    kind: uint
    notification_emails: [dev@example.org]
    products: [firefox]
    record_in_processes: [main]
    release_channel_collection: opt-out
    record_into_store: [main, dynamic-store]
  label:
    bug_numbers: [3]
    description: A keyed string registered at run time.
    expires: never
    kind: string
    keyed: true
    notification_emails: [dev@example.org]
    products: [firefox]
    record_in_processes: [main]
    release_channel_collection: opt-out
)";

TEST(TelemetryOpen, ARegistryIsRequired) {
  TelemetryConfig config;
  Result<std::unique_ptr<Telemetry>> opened = Telemetry::Open(config);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(opened.status().message().find("registry"), std::string::npos);
}

TEST(TelemetryOpen, HealthProbesAreBuiltInWhenTheRegistryLacksThem) {
  std::unique_ptr<Telemetry> telemetry = testing::OpenOrDie(testing::TestConfig());
  EXPECT_TRUE(telemetry->registry()->FindScalar("telemetry.recorder.rejected_keys"));
  EXPECT_EQ(telemetry->Stores(), (std::vector<std::string>{"main", "second-store"}));
}

TEST(TelemetryOpen, TheProjectsOwnHealthProbesAreUsed) {
  TelemetryConfig config = testing::TestConfig();
  config.registry = probes::CompiledRegistry();
  std::unique_ptr<Telemetry> telemetry = testing::OpenOrDie(std::move(config));
  EXPECT_EQ(telemetry->registry()->scalars().size(), probes::CompiledRegistry()->scalars().size());
  telemetry->Add(probes::browser_engagement::kTabOpenEventCount, 2);
  telemetry->Add(UintScalar(999999), 1);
  StoreSnapshot custom = SnapshotOrDie(*telemetry, "custom-store", true);
  EXPECT_EQ(Scalar(custom, "browser.engagement.tab_open_event_count"), ScalarValue(2u));
  EXPECT_EQ(Scalar(custom, "telemetry.recorder.unknown_probes"), ScalarValue(1u));
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { telemetry_ = testing::OpenOrDie(testing::TestConfig()); }
  StoreSnapshot Take(const std::string& store, bool clear = true) {
    return SnapshotOrDie(*telemetry_, store, clear);
  }
  std::unique_ptr<Telemetry> telemetry_;
};

TEST_F(ApiTest, ByNameScalarsCheckKindAndValue) {
  EXPECT_TRUE(telemetry_->ScalarAdd("test.kinds.a_uint", 4).ok());
  EXPECT_TRUE(telemetry_->ScalarSetMaximum("test.policy.max_tabs", 9).ok());
  EXPECT_TRUE(telemetry_->ScalarSet("test.kinds.a_string", std::string("s")).ok());
  EXPECT_TRUE(telemetry_->ScalarSet("test.kinds.a_bool", true).ok());
  EXPECT_TRUE(telemetry_->KeyedScalarAdd("test.keyed.counts", "alpha", 2).ok());
  EXPECT_TRUE(telemetry_->KeyedScalarSet("test.keyed.labels", "k", std::string("v")).ok());
  EXPECT_TRUE(telemetry_->KeyedScalarSetMaximum("test.keyed.counts", "beta", 5).ok());

  EXPECT_EQ(telemetry_->ScalarAdd("test.kinds.a_uint", -1).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(telemetry_->ScalarAdd("test.kinds.a_string", 1).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(telemetry_->ScalarSet("test.kinds.a_uint", std::string("1")).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(telemetry_->ScalarAdd("test.keyed.counts", 1).code(),
            Status::Code::kInvalidArgument);  // Keyed: needs a key.
  EXPECT_EQ(telemetry_->KeyedScalarAdd("test.kinds.a_uint", "k", 1).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(telemetry_->ScalarAdd("no.such_probe", 1).code(), Status::Code::kNotFound);

  StoreSnapshot main = Take("main");
  EXPECT_EQ(Scalar(main, "test.kinds.a_uint"), ScalarValue(4u));
  EXPECT_EQ(Scalar(main, "test.policy.max_tabs"), ScalarValue(9u));
  EXPECT_EQ(Scalar(main, "test.kinds.a_string"), ScalarValue(std::string("s")));
  EXPECT_EQ(Scalar(main, "test.kinds.a_bool"), ScalarValue(true));
  EXPECT_EQ(testing::Keyed(main, "test.keyed.counts", "alpha"), ScalarValue(2u));
  EXPECT_EQ(testing::Keyed(main, "test.keyed.counts", "beta"), ScalarValue(5u));
  EXPECT_EQ(testing::Keyed(main, "test.keyed.labels", "k"), ScalarValue(std::string("v")));
  EXPECT_EQ(Health(*telemetry_, "type_mismatches", "second-store"), 5u);
  EXPECT_EQ(Health(*telemetry_, "unknown_probes", "second-store"), 1u);
}

TEST_F(ApiTest, AByNameValuePastTheUintRangeSaturatesAndCounts) {
  EXPECT_TRUE(telemetry_->ScalarAdd("test.kinds.a_uint", int64_t{1} << 40).ok());
  EXPECT_EQ(Scalar(Take("main"), "test.kinds.a_uint"), ScalarValue(UINT32_MAX));
  EXPECT_GE(Health(*telemetry_, "uint_overflows", "second-store"), 1u);
}

TEST_F(ApiTest, RunTimeProbesAreRecordedByNameIntoNewStores) {
  ASSERT_TRUE(telemetry_->RegisterScalars(kDynamicScalars).ok());
  EXPECT_TRUE(telemetry_->ScalarAdd("dynamic.things.loads", 3).ok());
  EXPECT_TRUE(telemetry_->KeyedScalarSet("dynamic.things.label", "k", std::string("v")).ok());
  EXPECT_EQ(telemetry_->Stores(),
            (std::vector<std::string>{"dynamic-store", "main", "second-store"}));
  EXPECT_EQ(Scalar(Take("dynamic-store"), "dynamic.things.loads"), ScalarValue(3u));
  StoreSnapshot main = Take("main");
  EXPECT_EQ(Scalar(main, "dynamic.things.loads"), ScalarValue(3u));
  EXPECT_EQ(testing::Keyed(main, "dynamic.things.label", "k"), ScalarValue(std::string("v")));
  // Compiled-in handles keep working beside them.
  telemetry_->Add(test_probes::test_kinds::kAUint, 1);
  EXPECT_EQ(Scalar(Take("main"), "test.kinds.a_uint"), ScalarValue(1u));
}

TEST_F(ApiTest, RunTimeEventsAreRecordedByName) {
  ASSERT_TRUE(telemetry_
                  ->RegisterEvents(R"(dynamic.ui:
  opened:
    objects: [panel]
    methods: [open, close]
    bug_numbers: [3]
    description: d
    expiry_version: never
    notification_emails: [dev@example.org]
    products: [firefox]
    record_in_processes: [main]
    release_channel_collection: opt-out
    extra_keys:
      why: Why.
)")
                  .ok());
  std::vector<EventExtra> extras = {{"why", "test"}};
  EXPECT_TRUE(telemetry_->RecordEvent("dynamic.ui", "close", "panel", std::nullopt, extras).ok());
  StoreSnapshot main = Take("main");
  ASSERT_EQ(main.events.size(), 1u);
  EXPECT_EQ(main.events[0].method, "close");
}

TEST_F(ApiTest, ABadRegistrationChangesNothingAndSaysWhy) {
  std::string yaml = kDynamicScalars;
  yaml.replace(yaml.find("kind: uint"), 10, "kind: float");
  Status status = telemetry_->RegisterScalars(yaml);
  EXPECT_EQ(status.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(status.message().find("<dynamic>:6:5: error: dynamic.things.loads: unknown kind"),
            std::string::npos)
      << status.message();
  EXPECT_FALSE(telemetry_->registry()->FindScalar("dynamic.things.label"));  // All or nothing.
  EXPECT_EQ(telemetry_->ScalarAdd("dynamic.things.label", 1).code(), Status::Code::kNotFound);
  // Registering a compiled-in name again is refused.
  std::string again = kDynamicScalars;
  again.replace(again.find("dynamic.things"), 14, "test.kinds");
  again.replace(again.find("loads"), 5, "a_uint");
  EXPECT_EQ(telemetry_->RegisterScalars(again).code(), Status::Code::kInvalidArgument);
}

TEST_F(ApiTest, RegistrationsBeyondTheRoomLeftAreRefused) {
  TelemetryConfig config = testing::TestConfig();
  config.max_dynamic_scalars = 1;
  std::unique_ptr<Telemetry> small = testing::OpenOrDie(std::move(config));
  Status status = small->RegisterScalars(kDynamicScalars);  // Two probes, room for one.
  EXPECT_EQ(status.code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(status.message().find("max_dynamic_scalars"), std::string::npos);
  EXPECT_FALSE(small->registry()->FindScalar("dynamic.things.loads"));
}

TEST_F(ApiTest, AnUnknownStoreIsNotFound) {
  Result<StoreSnapshot> snapshot = telemetry_->Snapshot("nowhere", true);
  EXPECT_EQ(snapshot.status().code(), Status::Code::kNotFound);
}

TEST_F(ApiTest, AfterShutdownEveryCallDoesNothing) {
  telemetry_->Add(test_probes::test_kinds::kAUint, 1);
  telemetry_->Shutdown();
  telemetry_->Shutdown();  // Twice is fine.
  telemetry_->Add(test_probes::test_kinds::kAUint, 1);
  telemetry_->Set(test_probes::test_policy::kEngine, "x");
  telemetry_->Add(test_probes::test_policy::kSources, "k", 1);
  telemetry_->Record(test_probes::test_policy::kSeenEvent,
                     test_probes::test_policy::SeenEvent::Object::kThing);
  EXPECT_EQ(telemetry_->ScalarAdd("test.kinds.a_uint", 1).code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(telemetry_->RecordEvent("test.policy", "seen", "thing").code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(telemetry_->RegisterScalars(kDynamicScalars).code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(telemetry_->Snapshot("main", true).status().code(), Status::Code::kFailedPrecondition);
}

}  // namespace
}  // namespace telemetry
