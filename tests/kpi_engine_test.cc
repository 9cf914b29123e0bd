// The KPI engine against ../shared/KPI.md: its worked example, every window edge, and a
// brute-force reading of the definitions on random data, day by day.
#include "collector/kpi/kpi_engine.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <sstream>

#include "collector/kpi/kpi_output.h"
#include "telemetry/base/zstd.h"

namespace telemetry::collector::kpi {
namespace {

constexpr int64_t kDay = kDayMillis;
const Day kFeb25 = *ParseUtcDate("2016-02-25");

ActivityEvent Event(int64_t ts, std::string type, std::optional<std::string> uid,
                    std::optional<std::string> device, bool new_user = false,
                    std::optional<int64_t> seq_time = std::nullopt,
                    std::optional<std::string> service = std::string("sync")) {
  return {ts,       std::move(type), std::move(uid),    std::move(device),
          new_user, seq_time,        std::move(service)};
}

// Midday of `day` plus `ms`.
int64_t At(Day day, int64_t ms = kDay / 2) { return static_cast<int64_t>(day) * kDay + ms; }

TEST(KpiDates, RoundTrip) {
  EXPECT_EQ(UtcDateOfDay(kFeb25), "2016-02-25");
  EXPECT_EQ(UtcDayOf(1456434139863), kFeb25);
  EXPECT_FALSE(ParseUtcDate("2016-02-30"));
  EXPECT_FALSE(ParseUtcDate("yesterday"));
  EXPECT_EQ(UtcDayOf(At(kFeb25, kDay - 1)), kFeb25);  // 23:59:59.999
  EXPECT_EQ(UtcDayOf(At(kFeb25, kDay)), kFeb25 + 1);  // Midnight belongs to the next day.
}

TEST(KpiPercentiles, AreContinuous) {
  EXPECT_FALSE(PercentileCont({}, 0.5));
  EXPECT_EQ(*PercentileCont({20.412}, 0.25), 20.412);
  EXPECT_DOUBLE_EQ(*PercentileCont({1, 2, 3, 4}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(*PercentileCont({4, 1, 3, 2}, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(*PercentileCont({10, 20}, 0.75), 17.5);
}

TEST(KpiEngine, TheWorkedExampleOfKpiMd) {
  const std::string seq = "e17f606faf93812dfc45bdb308390119";
  const std::string uid = "1161b57840f20ad4ea19ea0a87a99632";
  const std::string dev = "3ccdd1cb9c3bee8a2d1750c4754d00c6";
  std::vector<ActivityEvent> events = {
      Event(1456434139863, "sequence.begin", std::nullopt, std::nullopt, false, 0),
      Event(1456434152520, "account.created", uid, std::nullopt, true, 12657),
      Event(1456434152525, "device.created", uid, dev, true, 20417),
      Event(1456434159933, "account.verified", uid, dev, true, 20070),
      Event(1456434160275, "device.connected", uid, dev, true, 20412),
      Event(1456434161650, "account.signed", uid, dev, false, 0),
  };
  KpiEngine engine;
  KpiRow row = engine.AddDay(kFeb25, events);
  EXPECT_EQ(row.dau, 1);
  EXPECT_EQ(row.wau, 1);
  EXPECT_EQ(row.mau, 1);
  ASSERT_TRUE(row.engagement_ratio);
  EXPECT_NEAR(*row.engagement_ratio, 14.2857, 1e-4);
  EXPECT_EQ(row.md_dau, 0);
  EXPECT_EQ(row.md_mau, 0);
  EXPECT_FALSE(row.md_engagement_ratio);
  EXPECT_EQ(row.ttc_new_n, 1);
  EXPECT_DOUBLE_EQ(*row.ttc_new_p25, 20.412);
  EXPECT_DOUBLE_EQ(*row.ttc_new_p50, 20.412);
  EXPECT_DOUBLE_EQ(*row.ttc_new_p75, 20.412);
  EXPECT_EQ(row.ttc_existing_n, 0);
  EXPECT_FALSE(row.ttc_existing_p50);
  EXPECT_EQ(row.sequences_begun, 1);
  EXPECT_EQ(row.devices_connected, 1);
  EXPECT_DOUBLE_EQ(*row.completion_rate, 100.0);
}

TEST(KpiEngine, MauCountsDay27ButNotDay28) {
  KpiEngine engine;
  EXPECT_EQ(engine.AddDay(0, {Event(At(0), "account.login", "u", std::nullopt)}).mau, 1);
  KpiRow day6 = engine.AddDay(6, {});
  EXPECT_EQ(day6.wau, 1);
  EXPECT_EQ(day6.dau, 0);
  EXPECT_EQ(engine.AddDay(7, {}).wau, 0);
  EXPECT_EQ(engine.AddDay(27, {}).mau, 1);
  KpiRow day28 = engine.AddDay(28, {});
  EXPECT_EQ(day28.mau, 0);
  EXPECT_FALSE(day28.engagement_ratio);     // NULL when MAU is 0.
  EXPECT_EQ(engine.RememberedUsers(), 0u);  // Forgotten once out of every window.
}

TEST(KpiEngine, MultiDeviceWindowIsTheDayAndTheFiveBefore) {
  KpiEngine engine;
  engine.AddDay(0, {Event(At(0), "account.login", "u", "a")});
  EXPECT_EQ(engine.AddDay(5, {Event(At(5), "account.login", "u", "b")}).md_dau, 1);  // 5 days.
  KpiEngine later;
  later.AddDay(0, {Event(At(0), "account.login", "u", "a")});
  EXPECT_EQ(later.AddDay(6, {Event(At(6), "account.login", "u", "b")}).md_dau, 0);  // 6 days.
}

TEST(KpiEngine, TwoDevicesOnOneDayMakeAMultiDeviceUser) {
  KpiEngine engine;
  KpiRow row = engine.AddDay(
      3, {Event(At(3), "account.login", "u", "a"), Event(At(3, 1), "device.connected", "u", "b")});
  EXPECT_EQ(row.md_dau, 1);
  EXPECT_EQ(row.md_mau, 1);
  ASSERT_TRUE(row.md_engagement_ratio);
  EXPECT_NEAR(*row.md_engagement_ratio, 100.0 / 7, 1e-9);
  // An active day without a device on it is not a multi-device day.
  EXPECT_EQ(engine.AddDay(4, {Event(At(4), "account.login", "u", std::nullopt)}).md_dau, 0);
  EXPECT_EQ(engine.AddDay(30, {}).md_mau, 1);  // 27 days after day 3.
  EXPECT_EQ(engine.AddDay(31, {}).md_mau, 0);
}

TEST(KpiEngine, EventsWithoutUidAreNotActivity) {
  KpiEngine engine;
  KpiRow row = engine.AddDay(1, {Event(At(1), "device.connected", std::nullopt, "a", true, 5000),
                                 Event(At(1), "sequence.begin", std::nullopt, std::nullopt)});
  EXPECT_EQ(row.dau, 0);
  EXPECT_EQ(row.devices_connected, 1);  // Still a connection, still timed.
  EXPECT_EQ(row.ttc_new_n, 1);
  EXPECT_EQ(row.sequences_begun, 1);
}

TEST(KpiEngine, OnlySyncCountsForConnections) {
  KpiEngine engine;
  KpiRow row =
      engine.AddDay(1, {Event(At(1), "device.connected", "u", "a", false, 3000, std::string("amo")),
                        Event(At(1), "sequence.begin", "u", std::nullopt, false, 0, std::nullopt)});
  EXPECT_EQ(row.devices_connected, 0);
  EXPECT_EQ(row.sequences_begun, 0);
  EXPECT_FALSE(row.completion_rate);  // No sync sequence began.
  EXPECT_EQ(row.dau, 1);              // But both are activity.
}

TEST(KpiEngine, DaysBeforeTheFirstCountAsZeroAndSkippedDaysToo) {
  KpiEngine engine;
  engine.AddDay(10, {Event(At(10), "account.login", "u", std::nullopt)});
  KpiRow row = engine.AddDay(12, {Event(At(12), "account.login", "u", std::nullopt)});
  // DAU over [6, 12]: 1 (day 10) + 0 (day 11, skipped) + 1 = 2; MAU 1.
  EXPECT_NEAR(*row.engagement_ratio, 100.0 * 2 / 7, 1e-9);
}

TEST(KpiEngine, ActivityTypesAreConfiguration) {
  KpiEngine engine({.activity_types = {"account.login"}});
  KpiRow row = engine.AddDay(
      1, {Event(At(1), "account.signed", "u", "a"), Event(At(1), "account.login", "v", "b")});
  EXPECT_EQ(row.dau, 1);
}

TEST(KpiEngine, EventsOfOtherDaysAreIgnored) {
  KpiEngine engine;
  EXPECT_EQ(engine.AddDay(1, {Event(At(2), "account.login", "u", std::nullopt)}).dau, 0);
}

// KPI.md read literally, with sets, for every day: the reference the engine must equal.
struct Reference {
  std::vector<std::vector<ActivityEvent>> days;  // Index: day.
  int window = 6;

  std::set<std::string> Active(int d) const {
    std::set<std::string> out;
    if (d < 0) return out;
    for (const auto& e : days[d]) {
      if (e.uid) out.insert(*e.uid);
    }
    return out;
  }
  std::set<std::string> Union(int first, int last, bool md) const {
    std::set<std::string> out;
    for (int d = std::max(first, 0); d <= last; ++d) {
      for (const std::string& u : md ? MultiDevice(d) : Active(d)) out.insert(u);
    }
    return out;
  }
  std::set<std::string> MultiDevice(int d) const {
    std::set<std::string> out;
    for (const auto& now : days[d]) {
      if (!now.uid || !now.device_id) continue;
      for (int p = std::max(0, d - window + 1); p <= d; ++p) {
        for (const auto& prev : days[p]) {
          if (prev.uid == now.uid && prev.device_id && *prev.device_id != *now.device_id) {
            out.insert(*now.uid);
          }
        }
      }
    }
    return out;
  }
};

TEST(KpiEngine, EqualsTheDefinitionsOnRandomData) {
  std::mt19937 random(7);
  Reference reference;
  const int kDays = 70;
  reference.days.resize(kDays);
  for (int d = 0; d < kDays; ++d) {
    const int events = d % 9 == 4 ? 0 : static_cast<int>(random() % 40);  // Some empty days.
    for (int i = 0; i < events; ++i) {
      std::string uid = "u" + std::to_string(random() % 25);
      std::optional<std::string> device;
      if (random() % 3 != 0) device = uid + "-d" + std::to_string(random() % 3);
      std::optional<std::string> user;
      if (random() % 10 != 0) user = uid;
      reference.days[d].push_back(
          Event(At(d, static_cast<int64_t>(random() % kDay)), "account.login", user, device));
    }
  }
  KpiEngine engine;
  KpiEngine resumed;  // Restored from the first engine's state half-way: a later run.
  for (int d = 0; d < kDays; ++d) {
    KpiRow row = engine.AddDay(d, reference.days[d]);
    SCOPED_TRACE("day " + std::to_string(d));
    EXPECT_EQ(row.dau, static_cast<int64_t>(reference.Active(d).size()));
    EXPECT_EQ(row.wau, static_cast<int64_t>(reference.Union(d - 6, d, false).size()));
    EXPECT_EQ(row.mau, static_cast<int64_t>(reference.Union(d - 27, d, false).size()));
    EXPECT_EQ(row.md_dau, static_cast<int64_t>(reference.MultiDevice(d).size()));
    EXPECT_EQ(row.md_mau, static_cast<int64_t>(reference.Union(d - 27, d, true).size()));
    if (d == kDays / 2) {
      Result<std::string> state = engine.SaveState();
      ASSERT_TRUE(state.ok());
      ASSERT_TRUE(resumed.RestoreState(*state).ok());
    } else if (d > kDays / 2) {
      EXPECT_EQ(resumed.AddDay(d, reference.days[d]), row);
    }
  }
}

// The saved state is read back exactly, and damaged bytes are a clear error, never a crash or
// a silently different engine.
TEST(KpiEngine, SavedStateRoundTripsAndDamageIsAnError) {
  KpiEngine engine;
  engine.AddDay(0, {Event(At(0), "account.login", "u", "a"), Event(At(0), "x", "v", "b")});
  engine.AddDay(1, {Event(At(1), "account.login", "u", "c")});
  Result<std::string> state = engine.SaveState();
  ASSERT_TRUE(state.ok());
  KpiEngine resumed;
  ASSERT_TRUE(resumed.RestoreState(*state).ok());
  EXPECT_TRUE(resumed.MultiDeviceOnLastDay("u"));
  EXPECT_EQ(resumed.RememberedUsers(), 2u);
  EXPECT_EQ(resumed.AddDay(2, {}), engine.AddDay(2, {}));
  KpiEngine broken;
  EXPECT_FALSE(broken.RestoreState(state->substr(0, state->size() / 2)).ok());
  EXPECT_FALSE(broken.RestoreState("not a state").ok());
}

// A state saved by the previous version (1: no sizes up front) still restores exactly.
TEST(KpiEngine, AVersionOneStateStillRestores) {
  KpiEngine engine;
  engine.AddDay(0, {Event(At(0), "account.login", "u", "a")});
  engine.AddDay(1, {Event(At(1), "account.login", "u", "b")});
  // Version 1, last day 1, recent DAU [1, 1] and md_dau [0, 1], then user "u": active 0 days
  // ago, multi-device 0 days ago (+1), two devices: "a" a day ago, "b" today.
  const std::string v1 = {1, 1, 2, 1, 1, 2, 0, 1, 1, 'u', 0, 1, 2, 1, 'a', 1, 1, 'b', 0};
  Result<std::string> blob = ZstdCompress(v1);
  ASSERT_TRUE(blob.ok());
  KpiEngine resumed;
  ASSERT_TRUE(resumed.RestoreState(*blob).ok());
  EXPECT_TRUE(resumed.MultiDeviceOnLastDay("u"));
  const std::vector<ActivityEvent> day2 = {Event(At(2), "account.login", "u", "a")};
  EXPECT_EQ(resumed.AddDay(2, day2), engine.AddDay(2, day2));
  Result<std::string> again = resumed.SaveState();
  ASSERT_TRUE(again.ok());
  Result<std::string> expected = engine.SaveState();
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(*ZstdDecompress(*again, 1 << 20), *ZstdDecompress(*expected, 1 << 20));
}

// The interner against a std::map of the same strings: every shape of id (short, 64 hex digits
// as the collector stores HMACs, long ones, ones that differ only by trailing NULs, by length or
// by case) gets one id per distinct string, through several growths of its table.
TEST(IdInterner, GivesOneIdPerDistinctStringOfEveryShape) {
  std::mt19937 random(64);
  const char* digits = "0123456789abcdefABCDEF-xyz";
  std::vector<std::string> names = {"",
                                    std::string(1, '\0'),
                                    std::string(2, '\0'),
                                    "a",
                                    std::string("a\0", 2),
                                    std::string(32, 'f'),
                                    std::string(64, '0'),
                                    std::string(64, 'f'),
                                    std::string(64, 'F'),
                                    std::string(63, 'f'),
                                    std::string(65, 'f'),
                                    std::string(200, 'q')};
  for (int i = 0; i < 20000; ++i) {
    const size_t length = i % 3 == 0 ? 64 : random() % 80;
    const size_t alphabet = i % 5 == 0 ? 26 : 16;  // Mostly lowercase hex.
    std::string name;
    for (size_t c = 0; c < length; ++c) name += digits[random() % alphabet];
    names.push_back(name);
    if (i % 7 == 0) names.push_back(name);  // Repeats.
    if (length == 64 && i % 11 == 0) {      // One digit's case flipped.
      std::string upper = name;
      upper[random() % 64] = 'A';
      names.push_back(upper);
    }
  }
  IdInterner interner;
  std::map<std::string, uint32_t> expected;
  for (const std::string& name : names) {
    const uint32_t id = interner.Intern(name);
    auto [it, added] = expected.emplace(name, static_cast<uint32_t>(expected.size()));
    ASSERT_EQ(id, it->second) << "'" << name << "' (" << name.size() << " bytes)";
  }
  EXPECT_EQ(interner.size(), expected.size());
  for (const auto& [name, id] : expected) {
    EXPECT_EQ(interner.Name(id), name);
    EXPECT_EQ(interner.Find(name), id);
  }
  // An empty view without a data pointer (SQLite's empty text) is the empty string.
  EXPECT_EQ(interner.Intern(std::string_view()), expected[""]);
  EXPECT_EQ(interner.Find(std::string_view()), expected[""]);
  EXPECT_EQ(interner.Find(std::string(64, 'e')), IdInterner::kNone);
  EXPECT_EQ(interner.Find("never interned"), IdInterner::kNone);
}

// Stored bytes cannot crash an output (issue 13, item 3): a segment value that is not UTF-8
// (an older database, an imported row) is printed with U+FFFD instead of aborting.
TEST(KpiOutput, SegmentsJsonSurvivesInvalidUtf8) {
  std::vector<SegmentRow> rows(1);
  rows[0].segment = std::string("bad \xff\x00 bytes", 12);
  rows[0].dau = 1;
  std::ostringstream out;
  WriteSegmentsJson("userAgentBrowser", rows, out);
  EXPECT_NE(out.str().find("bad \xef\xbf\xbd"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace telemetry::collector::kpi
