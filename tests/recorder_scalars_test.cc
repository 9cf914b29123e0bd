// Scalars: every call's effect on every store, and Firefox's limits, each counted.
#include <gtest/gtest.h>

#include <string>

#include "recorder_support.h"

namespace telemetry {
namespace {

using testing::Health;
using testing::Keyed;
using testing::Scalar;
using testing::SnapshotOrDie;
namespace kinds = test_probes::test_kinds;
namespace keyed = test_probes::test_keyed;
namespace policy = test_probes::test_policy;

// Tests that clear "main" read the health counters from "second-store", which keeps them.
class ScalarsTest : public ::testing::Test {
 protected:
  void SetUp() override { telemetry_ = testing::OpenOrDie(testing::TestConfig()); }
  StoreSnapshot Take(const std::string& store, bool clear = true) {
    return SnapshotOrDie(*telemetry_, store, clear);
  }
  std::unique_ptr<Telemetry> telemetry_;
};

TEST_F(ScalarsTest, AnAddLandsInEveryStoreOfItsProbe) {
  telemetry_->Add(kinds::kAUint, 2);
  telemetry_->Add(kinds::kAUint, 3);
  EXPECT_EQ(Scalar(Take("main"), "test.kinds.a_uint"), ScalarValue(5u));
  EXPECT_EQ(Scalar(Take("second-store"), "test.kinds.a_uint"), ScalarValue(5u));
}

TEST_F(ScalarsTest, ClearingOneStoreLeavesTheOthersWhole) {
  telemetry_->Add(kinds::kAUint, 7);
  telemetry_->Set(policy::kEngine, "duck");
  telemetry_->Set(policy::kEnabled, true);
  telemetry_->Add(policy::kSources, "urlbar", 2);
  StoreSnapshot main = Take("main");
  EXPECT_EQ(Scalar(main, "test.kinds.a_uint"), ScalarValue(7u));
  EXPECT_EQ(Scalar(main, "test.policy.engine"), ScalarValue(std::string("duck")));
  EXPECT_EQ(Scalar(main, "test.policy.enabled"), ScalarValue(true));
  EXPECT_EQ(Keyed(main, "test.policy.sources", "urlbar"), ScalarValue(2u));
  // main is now empty of them; second-store still holds everything.
  StoreSnapshot again = Take("main");
  EXPECT_FALSE(Scalar(again, "test.kinds.a_uint"));
  EXPECT_FALSE(Scalar(again, "test.policy.engine"));
  EXPECT_FALSE(Scalar(again, "test.policy.enabled"));
  EXPECT_TRUE(again.keyed_scalars.empty());
  StoreSnapshot second = Take("second-store");
  EXPECT_EQ(Scalar(second, "test.kinds.a_uint"), ScalarValue(7u));
  EXPECT_EQ(Scalar(second, "test.policy.engine"), ScalarValue(std::string("duck")));
  EXPECT_EQ(Scalar(second, "test.policy.enabled"), ScalarValue(true));
  EXPECT_EQ(Keyed(second, "test.policy.sources", "urlbar"), ScalarValue(2u));
}

TEST_F(ScalarsTest, AddsAfterAClearStartFromZeroInThatStoreOnly) {
  telemetry_->Add(kinds::kAUint, 4);
  Take("main");
  telemetry_->Add(kinds::kAUint, 1);
  EXPECT_EQ(Scalar(Take("main"), "test.kinds.a_uint"), ScalarValue(1u));
  EXPECT_EQ(Scalar(Take("second-store"), "test.kinds.a_uint"), ScalarValue(5u));
}

TEST_F(ScalarsTest, SnapshotWithoutClearKeepsValues) {
  telemetry_->Add(kinds::kAUint, 4);
  EXPECT_EQ(Scalar(Take("main", false), "test.kinds.a_uint"), ScalarValue(4u));
  EXPECT_EQ(Scalar(Take("main", false), "test.kinds.a_uint"), ScalarValue(4u));
}

TEST_F(ScalarsTest, SetReplacesAndLaterAddsBuildOnIt) {
  telemetry_->Add(kinds::kAUint, 10);
  telemetry_->Set(kinds::kAUint, 3);
  telemetry_->Add(kinds::kAUint, 2);
  EXPECT_EQ(Scalar(Take("main"), "test.kinds.a_uint"), ScalarValue(5u));
  telemetry_->Set(kinds::kAUint, 0);  // A set zero is a value: it is reported.
  EXPECT_EQ(Scalar(Take("main"), "test.kinds.a_uint"), ScalarValue(0u));
}

TEST_F(ScalarsTest, SetMaximumKeepsTheLargest) {
  telemetry_->SetMaximum(policy::kMaxTabs, 5);
  telemetry_->SetMaximum(policy::kMaxTabs, 3);
  EXPECT_EQ(Scalar(Take("main"), "test.policy.max_tabs"), ScalarValue(5u));
  telemetry_->SetMaximum(policy::kMaxTabs, 2);  // After a clear, any value is the maximum.
  EXPECT_EQ(Scalar(Take("main"), "test.policy.max_tabs"), ScalarValue(2u));
  EXPECT_EQ(Scalar(Take("second-store"), "test.policy.max_tabs"), ScalarValue(5u));
}

TEST_F(ScalarsTest, UintSaturatesAtTheTopOfItsRangeAndIsCounted) {
  telemetry_->Add(kinds::kAUint, UINT32_MAX);
  telemetry_->Add(kinds::kAUint, 10);
  EXPECT_EQ(Scalar(Take("main"), "test.kinds.a_uint"), ScalarValue(UINT32_MAX));
  EXPECT_EQ(Health(*telemetry_, "uint_overflows", "second-store"), 1u);
  telemetry_->Add(keyed::kCounts, "alpha", UINT32_MAX);
  telemetry_->Add(keyed::kCounts, "alpha", 1);
  EXPECT_EQ(Keyed(Take("main"), "test.keyed.counts", "alpha"), ScalarValue(UINT32_MAX));
  EXPECT_EQ(Health(*telemetry_, "uint_overflows", "second-store"), 2u);
}

TEST_F(ScalarsTest, StringsOver50CharactersAreTruncatedAndCounted) {
  std::string long_value(60, 'x');
  telemetry_->Set(kinds::kAString, long_value);
  EXPECT_EQ(Scalar(Take("main"), "test.kinds.a_string"), ScalarValue(std::string(50, 'x')));
  EXPECT_EQ(Health(*telemetry_, "truncated_values", "second-store"), 1u);
  // 50 characters, not bytes: 60 two-byte characters keep 50 whole ones.
  std::string accents;
  for (int i = 0; i < 60; ++i) accents += "\xC3\xA9";  // é
  telemetry_->Set(kinds::kAString, accents);
  EXPECT_EQ(Scalar(Take("main"), "test.kinds.a_string"), ScalarValue(accents.substr(0, 100)));
  telemetry_->Set(kinds::kAString, std::string(50, 'y'));  // Exactly 50: kept, not counted.
  EXPECT_EQ(Health(*telemetry_, "truncated_values", "second-store"), 2u);
}

TEST_F(ScalarsTest, KeysOver72CharactersAreRejectedAndCounted) {
  telemetry_->Add(policy::kSources, std::string(73, 'k'), 1);
  telemetry_->Add(policy::kSources, std::string(72, 'k'), 1);
  StoreSnapshot main = Take("main");
  EXPECT_FALSE(Keyed(main, "test.policy.sources", std::string(73, 'k')));
  EXPECT_EQ(Keyed(main, "test.policy.sources", std::string(72, 'k')), ScalarValue(1u));
  EXPECT_EQ(Health(*telemetry_, "rejected_keys", "second-store"), 1u);
}

TEST_F(ScalarsTest, KeysOutsideTheAllowListAreRejectedAndCounted) {
  telemetry_->Add(keyed::kCounts, "alpha", 1);
  telemetry_->Add(keyed::kCounts, "gamma", 1);  // keys: [alpha, beta]
  StoreSnapshot main = Take("main");
  EXPECT_EQ(Keyed(main, "test.keyed.counts", "alpha"), ScalarValue(1u));
  EXPECT_FALSE(Keyed(main, "test.keyed.counts", "gamma"));
  EXPECT_EQ(Health(*telemetry_, "rejected_keys", "second-store"), 1u);
}

TEST_F(ScalarsTest, The101stKeyIsRejectedButExistingKeysStillUpdate) {
  for (int i = 0; i < 100; ++i) telemetry_->Add(policy::kSources, "key" + std::to_string(i), 1);
  telemetry_->Add(policy::kSources, "one-too-many", 1);
  telemetry_->Add(policy::kSources, "key7", 1);
  StoreSnapshot main = Take("main");
  ASSERT_EQ(main.keyed_scalars.size(), 1u);
  EXPECT_EQ(main.keyed_scalars[0].values.size(), 100u);
  EXPECT_FALSE(Keyed(main, "test.policy.sources", "one-too-many"));
  EXPECT_EQ(Keyed(main, "test.policy.sources", "key7"), ScalarValue(2u));
  EXPECT_EQ(Health(*telemetry_, "rejected_keys", "second-store"), 1u);
  // The limit is per store contents: after the clear there is room again.
  telemetry_->Add(policy::kSources, "one-too-many", 1);
  EXPECT_EQ(Keyed(Take("main"), "test.policy.sources", "one-too-many"), ScalarValue(1u));
}

TEST_F(ScalarsTest, KeyedKindsHoldTheirOwnValues) {
  telemetry_->Set(keyed::kLabels, "a", "first");
  telemetry_->Set(keyed::kLabels, "a", "second");
  telemetry_->Set(keyed::kFlags, "x", true);
  telemetry_->Set(keyed::kFlags, "y", false);
  telemetry_->Set(keyed::kCounts, "beta", 9);
  telemetry_->SetMaximum(keyed::kCounts, "beta", 4);
  telemetry_->SetMaximum(keyed::kCounts, "alpha", 4);
  StoreSnapshot main = Take("main");
  EXPECT_EQ(Keyed(main, "test.keyed.labels", "a"), ScalarValue(std::string("second")));
  EXPECT_EQ(Keyed(main, "test.keyed.flags", "x"), ScalarValue(true));
  EXPECT_EQ(Keyed(main, "test.keyed.flags", "y"), ScalarValue(false));
  EXPECT_EQ(Keyed(main, "test.keyed.counts", "beta"), ScalarValue(9u));
  EXPECT_EQ(Keyed(main, "test.keyed.counts", "alpha"), ScalarValue(4u));
}

TEST_F(ScalarsTest, OnlyProbesWithAValueAppearSortedByName) {
  telemetry_->Set(kinds::kABool, false);
  telemetry_->Add(kinds::kAUint, 1);
  StoreSnapshot main = Take("main");
  ASSERT_EQ(main.scalars.size(), 2u);
  EXPECT_EQ(main.scalars[0].name, "test.kinds.a_bool");
  EXPECT_EQ(main.scalars[1].name, "test.kinds.a_uint");
  EXPECT_EQ(main.store, "main");
}

TEST_F(ScalarsTest, ExpiredProbesAreNotRecordedAndCountedOnce) {
  telemetry_->Add(policy::kExpiredCount, 1);
  telemetry_->Add(policy::kExpiredCount, 1);
  StoreSnapshot main = Take("main", false);
  EXPECT_FALSE(Scalar(main, "test.policy.expired_count"));
  EXPECT_EQ(Health(*telemetry_, "expired_probes"), 1u);
}

TEST_F(ScalarsTest, OptInProbesNeedExtendedCollection) {
  telemetry_->SetExtendedCollection(false);
  telemetry_->Add(policy::kOptInCount, 1);
  telemetry_->Add(policy::kMaxTabs, 1);  // opt-out: recorded.
  StoreSnapshot main = Take("main");
  EXPECT_FALSE(Scalar(main, "test.policy.opt_in_count"));
  EXPECT_EQ(Scalar(main, "test.policy.max_tabs"), ScalarValue(1u));
  telemetry_->SetExtendedCollection(true);
  telemetry_->Add(policy::kOptInCount, 1);
  EXPECT_EQ(Scalar(Take("main"), "test.policy.opt_in_count"), ScalarValue(1u));
}

TEST_F(ScalarsTest, NothingIsRecordedWhileRecordingIsOff) {
  telemetry_->SetRecordingEnabled(false);
  telemetry_->Add(policy::kMaxTabs, 1);
  telemetry_->Set(policy::kEnabled, true);
  EXPECT_TRUE(Take("main").empty());
  telemetry_->SetRecordingEnabled(true);
  telemetry_->Add(policy::kMaxTabs, 1);
  EXPECT_EQ(Scalar(Take("main"), "test.policy.max_tabs"), ScalarValue(1u));
}

TEST_F(ScalarsTest, AHandleOfTheWrongKindOrRegistryIsCountedNotRecorded) {
  telemetry_->Add(UintScalar(kinds::kAString.id()), 1);  // A string probe's id as a uint.
  telemetry_->Add(UintScalar(100000), 1);                // No such probe.
  EXPECT_EQ(Health(*telemetry_, "type_mismatches"), 1u);
  EXPECT_EQ(Health(*telemetry_, "unknown_probes"), 1u);
  EXPECT_FALSE(Scalar(Take("main"), "test.kinds.a_string"));
}

TEST_F(ScalarsTest, HealthCountersLandInEveryStore) {
  telemetry_->Add(UintScalar(100000), 1);
  for (const std::string& store : telemetry_->Stores()) {
    EXPECT_EQ(Health(*telemetry_, "unknown_probes", store), 1u) << store;
  }
}

}  // namespace
}  // namespace telemetry
