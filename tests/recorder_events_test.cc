// Events: stores, limits, ordering, categories, each rejection counted.
#include <gtest/gtest.h>

#include <string>

#include "recorder_support.h"

namespace telemetry {
namespace {

using testing::Health;
using testing::SnapshotOrDie;
namespace policy = test_probes::test_policy;
namespace ui = test_probes::test_ui;
using Seen = policy::SeenEvent;
using Click = ui::ClickEvent;

class EventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_ = std::make_shared<ManualClock>(testing::kStartMillis);
    telemetry_ = testing::OpenOrDie(testing::TestConfig(clock_));
  }
  StoreSnapshot Take(const std::string& store, bool clear = true) {
    return SnapshotOrDie(*telemetry_, store, clear);
  }
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<Telemetry> telemetry_;
};

TEST_F(EventsTest, AnEventLandsInEveryStoreWithItsFields) {
  telemetry_->Record(policy::kSeenEvent, Seen::Object::kThing, "v",
                     {{Seen::Extra::kFirst, "1"}, {Seen::Extra::kThird, "3"}});
  for (const char* store : {"main", "second-store"}) {
    StoreSnapshot snapshot = Take(store);
    ASSERT_EQ(snapshot.events.size(), 1u) << store;
    const EventEntry& e = snapshot.events[0];
    EXPECT_EQ(e.timestamp_ms, testing::kStartMillis);
    EXPECT_EQ(e.category, "test.policy");
    EXPECT_EQ(e.method, "seen");
    EXPECT_EQ(e.object, "thing");
    EXPECT_EQ(e.value, std::optional<std::string>("v"));
    EXPECT_EQ(e.extras,
              (std::vector<std::pair<std::string, std::string>>{{"first", "1"}, {"third", "3"}}));
  }
  EXPECT_TRUE(Take("main").events.empty());  // Cleared.
}

TEST_F(EventsTest, MethodsAndObjectsAreRecordedByTheirNames) {
  telemetry_->Record(ui::kClickEvent, Click::Method::kDoubleClick, Click::Object::kLinkText);
  StoreSnapshot snapshot = Take("main");
  ASSERT_EQ(snapshot.events.size(), 1u);
  EXPECT_EQ(snapshot.events[0].method, "double_click");
  EXPECT_EQ(snapshot.events[0].object, "link.text");
  EXPECT_FALSE(snapshot.events[0].value.has_value());
  EXPECT_TRUE(snapshot.events[0].extras.empty());
}

TEST_F(EventsTest, ValuesAndExtrasAreCutTo80BytesOnACodePointBoundary) {
  std::string euros;
  for (int i = 0; i < 30; ++i) euros += "\xE2\x82\xAC";  // € is 3 bytes: 90 bytes.
  telemetry_->Record(
      policy::kSeenEvent, Seen::Object::kThing, euros,
      {{Seen::Extra::kFirst, std::string(81, 'x')}, {Seen::Extra::kSecond, std::string(80, 'y')}});
  StoreSnapshot snapshot = Take("main");
  ASSERT_EQ(snapshot.events.size(), 1u);
  EXPECT_EQ(*snapshot.events[0].value, euros.substr(0, 78));  // 26 whole euros.
  EXPECT_EQ(snapshot.events[0].extras[0].second, std::string(80, 'x'));
  EXPECT_EQ(snapshot.events[0].extras[1].second, std::string(80, 'y'));
  EXPECT_EQ(Health(*telemetry_, "truncated_values", "second-store"), 2u);
}

TEST_F(EventsTest, EventsComeOutInTimestampOrder) {
  clock_->Set(testing::kStartMillis + 500);
  telemetry_->Record(policy::kSeenEvent, Seen::Object::kThing, "late");
  clock_->Set(testing::kStartMillis + 100);
  telemetry_->Record(policy::kSeenEvent, Seen::Object::kThing, "early");
  StoreSnapshot snapshot = Take("main");
  ASSERT_EQ(snapshot.events.size(), 2u);
  EXPECT_EQ(snapshot.events[0].value, std::optional<std::string>("early"));
  EXPECT_EQ(snapshot.events[1].value, std::optional<std::string>("late"));
}

TEST_F(EventsTest, ARepeatedExtraKeyKeepsItsLastValue) {
  telemetry_->Record(policy::kSeenEvent, Seen::Object::kThing, std::nullopt,
                     {{Seen::Extra::kFirst, "a"}, {Seen::Extra::kFirst, "b"}});
  StoreSnapshot snapshot = Take("main");
  ASSERT_EQ(snapshot.events.size(), 1u);
  EXPECT_EQ(snapshot.events[0].extras,
            (std::vector<std::pair<std::string, std::string>>{{"first", "b"}}));
}

TEST_F(EventsTest, ADisabledCategoryDropsAndCounts) {
  telemetry_->SetEventCategoryEnabled("test.policy", false);
  telemetry_->Record(policy::kSeenEvent, Seen::Object::kThing);
  telemetry_->Record(ui::kPlainEvent, ui::PlainEvent::Object::kPage);  // Other category.
  StoreSnapshot snapshot = Take("main");
  ASSERT_EQ(snapshot.events.size(), 1u);
  EXPECT_EQ(snapshot.events[0].category, "test.ui");
  EXPECT_EQ(Health(*telemetry_, "dropped_events", "second-store"), 1u);
  telemetry_->SetEventCategoryEnabled("test.policy", true);
  telemetry_->Record(policy::kSeenEvent, Seen::Object::kThing);
  EXPECT_EQ(Take("main").events.size(), 1u);
}

TEST_F(EventsTest, AFullStoreDropsAndCounts) {
  TelemetryConfig config = testing::TestConfig(clock_);
  config.max_events_per_store = 3;
  std::unique_ptr<Telemetry> small = testing::OpenOrDie(std::move(config));
  for (int i = 0; i < 5; ++i) small->Record(policy::kSeenEvent, Seen::Object::kThing);
  EXPECT_EQ(SnapshotOrDie(*small, "main", true).events.size(), 3u);
  EXPECT_EQ(Health(*small, "dropped_events", "second-store"), 4u);  // 2 per store, 2 stores.
  small->Record(policy::kSeenEvent, Seen::Object::kThing);          // Room again in main.
  EXPECT_EQ(SnapshotOrDie(*small, "main", true).events.size(), 1u);
}

TEST_F(EventsTest, ExpiredAndOptInEventsFollowTheirPolicy) {
  telemetry_->Record(policy::kExpiredEvent, policy::ExpiredEvent::Object::kThing);
  telemetry_->Record(policy::kExpiredEvent, policy::ExpiredEvent::Object::kThing);
  telemetry_->SetExtendedCollection(false);
  telemetry_->Record(policy::kOptedInEvent, policy::OptedInEvent::Object::kThing);
  EXPECT_TRUE(Take("main", false).events.empty());
  EXPECT_EQ(Health(*telemetry_, "expired_probes"), 1u);
  telemetry_->SetExtendedCollection(true);
  telemetry_->Record(policy::kOptedInEvent, policy::OptedInEvent::Object::kThing);
  EXPECT_EQ(Take("main").events.size(), 1u);
}

TEST_F(EventsTest, ByNameEventsAreCheckedAgainstTheRegistry) {
  std::vector<EventExtra> extras = {{"first", "1"}};
  EXPECT_TRUE(telemetry_->RecordEvent("test.policy", "seen", "thing", "v", extras).ok());
  EXPECT_EQ(telemetry_->RecordEvent("test.policy", "seen", "nothing").code(),
            Status::Code::kNotFound);
  EXPECT_EQ(telemetry_->RecordEvent("no.such", "seen", "thing").code(), Status::Code::kNotFound);
  std::vector<EventExtra> unknown = {{"fourth", "4"}};
  Status status = telemetry_->RecordEvent("test.policy", "seen", "thing", "v", unknown);
  EXPECT_EQ(status.code(), Status::Code::kNotFound);
  EXPECT_NE(status.message().find("fourth"), std::string::npos);
  StoreSnapshot snapshot = Take("main");
  ASSERT_EQ(snapshot.events.size(), 1u);  // Only the good one.
  EXPECT_EQ(snapshot.events[0].extras[0].first, "first");
  EXPECT_EQ(Health(*telemetry_, "unknown_probes", "second-store"), 3u);
}

TEST_F(EventsTest, TypedIndexesOutOfRangeAreDroppedAndCounted) {
  telemetry_->Record(policy::kSeenEvent, static_cast<Seen::Object>(7));
  telemetry_->Record(policy::kSeenEvent, Seen::Object::kThing, std::nullopt,
                     {{static_cast<Seen::Extra>(9), "x"}});
  EXPECT_TRUE(Take("main", false).events.empty());
  EXPECT_EQ(Health(*telemetry_, "unknown_probes"), 2u);
}

}  // namespace
}  // namespace telemetry
