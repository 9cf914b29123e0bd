// The simulator's reference KPIs (tools/simulate/reference_kpis.h) against ../shared/KPI.md:
// its worked example as the exact CSV line, and each window edge. The reference is what the
// end-to-end test holds the collector to, so it is checked here on its own.
#include "tools/simulate/reference_kpis.h"

#include <gtest/gtest.h>

#include "telemetry/base/utc_date.h"

namespace telemetry::simulate {
namespace {

const int64_t kFeb25 = *ParseUtcDate("2016-02-25");
const std::string kHeader =
    "date,dau,wau,mau,engagement_ratio,md_dau,md_mau,md_engagement_ratio,ttc_new_n,ttc_new_p25,"
    "ttc_new_p50,ttc_new_p75,ttc_existing_n,ttc_existing_p25,ttc_existing_p50,ttc_existing_p75,"
    "sequences_begun,devices_connected,completion_rate\n";

ActivityEvent Event(int64_t ts, std::string type, std::optional<std::string> uid,
                    std::optional<std::string> device, bool new_user = false,
                    std::optional<int64_t> seq_time = std::nullopt,
                    std::optional<std::string> service = std::string("sync")) {
  return {ts,       std::move(type), std::move(uid),    std::move(device),
          new_user, seq_time,        std::move(service)};
}

// Midday of `day` plus `ms`.
int64_t At(int64_t day, int64_t ms = kDayMillis / 2) { return day * kDayMillis + ms; }

ReferenceKpiRow Row(const std::vector<ActivityEvent>& events, int64_t day) {
  return ReferenceKpis(events, day, day).at(0);
}

TEST(ReferenceKpis, TheWorkedExampleOfKpiMdAsCsv) {
  const std::string uid = "1161b57840f20ad4ea19ea0a87a99632";
  const std::string dev = "3ccdd1cb9c3bee8a2d1750c4754d00c6";
  const std::vector<ActivityEvent> events = {
      Event(1456434139863, "sequence.begin", std::nullopt, std::nullopt, false, 0),
      Event(1456434152520, "account.created", uid, std::nullopt, true, 12657),
      Event(1456434152525, "device.created", uid, dev, true, 20417),
      Event(1456434159933, "account.verified", uid, dev, true, 20070),
      Event(1456434160275, "device.connected", uid, dev, true, 20412),
      Event(1456434161650, "account.signed", uid, dev, false, 0),
  };
  EXPECT_EQ(ReferenceKpisCsv(ReferenceKpis(events, kFeb25, kFeb25)),
            kHeader + "2016-02-25,1,1,1,14.28571429,0,0,,1,20.412,20.412,20.412,0,,,,1,1,100\n");
}

TEST(ReferenceKpis, WauIsSevenDaysAndMauTwentyEight) {
  const std::vector<ActivityEvent> events = {Event(At(100), "account.login", "u", std::nullopt)};
  EXPECT_EQ(Row(events, 106).wau, 1);
  EXPECT_EQ(Row(events, 107).wau, 0);
  EXPECT_EQ(Row(events, 127).mau, 1);
  EXPECT_EQ(Row(events, 128).mau, 0);
  EXPECT_EQ(Row(events, 106).dau, 0);
}

TEST(ReferenceKpis, EngagementIsTheWeeksMeanDauOverMauWithDaysBeforeDataAsZero) {
  const std::vector<ActivityEvent> events = {Event(At(100), "x", "a", std::nullopt),
                                             Event(At(101), "x", "a", std::nullopt),
                                             Event(At(101), "x", "b", std::nullopt)};
  // Mean DAU over [95, 101] is 3/7; MAU is 2.
  EXPECT_DOUBLE_EQ(*Row(events, 101).engagement_ratio, 100.0 * (3.0 / 7.0) / 2.0);
  EXPECT_FALSE(Row(events, 99).engagement_ratio);  // MAU 0: NULL.
}

TEST(ReferenceKpis, MultiDeviceWindowIsTheDayAndTheFiveBefore) {
  const std::vector<ActivityEvent> events = {Event(At(100), "x", "u", "phone"),
                                             Event(At(105), "x", "u", "laptop"),
                                             Event(At(106), "x", "u", "tablet")};
  EXPECT_EQ(Row(events, 100).md_dau, 0);
  EXPECT_EQ(Row(events, 105).md_dau, 1);  // The phone, five days before.
  EXPECT_EQ(Row(events, 106).md_dau, 1);  // The laptop, one day before; not the phone.
  EXPECT_EQ(Row(events, 106).md_mau, 1);
  EXPECT_EQ(
      Row({Event(At(100), "x", "u", "phone"), Event(At(106), "x", "u", "laptop")}, 106).md_dau, 0);
}

TEST(ReferenceKpis, TwoDevicesOnOneDayAndNotWithoutAUid) {
  EXPECT_EQ(Row({Event(At(100), "x", "u", "a"), Event(At(100), "x", "u", "b")}, 100).md_dau, 1);
  // A device on an event without a uid is not an active device, and is no activity.
  const ReferenceKpiRow row =
      Row({Event(At(100), "x", "u", "a"), Event(At(100), "x", std::nullopt, "b")}, 100);
  EXPECT_EQ(row.md_dau, 0);
  EXPECT_EQ(row.dau, 1);
  // Two users' devices do not make either multi-device.
  EXPECT_EQ(Row({Event(At(100), "x", "u", "a"), Event(At(100), "x", "v", "b")}, 100).md_dau, 0);
  // md_mau: multi-device on day 100 counts until day 127.
  const std::vector<ActivityEvent> md = {Event(At(100), "x", "u", "a"),
                                         Event(At(100), "x", "u", "b")};
  EXPECT_EQ(Row(md, 127).md_mau, 1);
  EXPECT_EQ(Row(md, 128).md_mau, 0);
  EXPECT_DOUBLE_EQ(*Row(md, 100).md_engagement_ratio, 100.0 / 7.0);
}

TEST(ReferenceKpis, ConnectionsCountSyncOnlyWithContinuousPercentiles) {
  std::vector<ActivityEvent> events;
  for (int64_t seconds : {4, 1, 3, 2}) {
    events.push_back(Event(At(100), "device.connected", "u", "d", true, seconds * 1000));
  }
  events.push_back(Event(At(100), "device.connected", "u", "d", false, 10000));
  events.push_back(Event(At(100), "device.connected", "u", "d", false, 20000));
  events.push_back(Event(At(100), "device.connected", "u", "d", false, 99000, "amo"));
  for (int i = 0; i < 8; ++i) events.push_back(Event(At(100), "sequence.begin", {}, {}));
  events.push_back(Event(At(100), "sequence.begin", {}, {}, false, 0, std::nullopt));
  const ReferenceKpiRow row = Row(events, 100);
  EXPECT_EQ(row.ttc_new_n, 4);
  EXPECT_DOUBLE_EQ(*row.ttc_new_p25, 1.75);
  EXPECT_DOUBLE_EQ(*row.ttc_new_p50, 2.5);
  EXPECT_DOUBLE_EQ(*row.ttc_new_p75, 3.25);
  EXPECT_EQ(row.ttc_existing_n, 2);
  EXPECT_DOUBLE_EQ(*row.ttc_existing_p75, 17.5);
  EXPECT_EQ(row.sequences_begun, 8);
  EXPECT_EQ(row.devices_connected, 6);
  EXPECT_DOUBLE_EQ(*row.completion_rate, 75.0);
  EXPECT_FALSE(Row({Event(At(100), "device.connected", "u", "d", true, 1)}, 100).completion_rate);
}

TEST(ReferenceKpis, NullsAreEmptyFieldsAndRatiosHaveTenDigits) {
  const std::vector<ActivityEvent> events = {Event(At(100), "x", "a", std::nullopt),
                                             Event(At(100), "x", "b", std::nullopt),
                                             Event(At(100), "x", "c", std::nullopt)};
  EXPECT_EQ(ReferenceKpisCsv(ReferenceKpis(events, 100, 101)),
            kHeader + "1970-04-11,3,3,3,14.28571429,0,0,,0,,,,0,,,,0,0,\n" +
                "1970-04-12,0,3,3,14.28571429,0,0,,0,,,,0,,,,0,0,\n");
}

}  // namespace
}  // namespace telemetry::simulate
