// base: UTC days and dates, the zstd codec's caps, UUIDs, the SQLite layer's read-only modes.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "telemetry/base/sqlite.h"
#include "telemetry/base/utc_date.h"
#include "telemetry/base/uuid.h"
#include "telemetry/base/zstd.h"
#include "test_support.h"

namespace telemetry {
namespace {

TEST(UtcDate, DaysAreFlooredAtMidnightUtc) {
  EXPECT_EQ(UtcDayOf(0), 0);
  EXPECT_EQ(UtcDayOf(kDayMillis - 1), 0);
  EXPECT_EQ(UtcDayOf(-1), -1);  // 1969-12-31T23:59:59.999Z
  EXPECT_EQ(UtcDayOf(-kDayMillis), -1);
  EXPECT_EQ(UtcDayOf(-kDayMillis - 1), -2);
  EXPECT_EQ(UtcDayOf(1456434139863), 16856);  // 2016-02-25T21:02:19.863Z
  EXPECT_EQ(UtcDateOfDay(16856), "2016-02-25");
  EXPECT_EQ(UtcDate(-1), "1969-12-31");
  EXPECT_EQ(UtcDateTime(1456434139863), "2016-02-25 21:02:19Z");
}

TEST(UtcDate, ParsesExactlyRealDates) {
  EXPECT_EQ(ParseUtcDate("2016-02-25"), 16856);
  EXPECT_EQ(ParseUtcDate("1970-01-01"), 0);
  EXPECT_EQ(ParseUtcDate("2016-02-29"), 16860);
  for (const char* bad : {"2016-02-30", "2015-02-29", "2016-13-01", "2016-2-25", "2016-02-25 ",
                          "yesterday", "", "+016-02-25", "2016/02/25"}) {
    EXPECT_FALSE(ParseUtcDate(bad)) << bad;
  }
}

TEST(UtcDate, FarDaysDoNotOverflowTheCalendar) {
  const int64_t lowest = std::numeric_limits<int64_t>::min();
  const int64_t highest = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(UtcDate(lowest), "0000-01-01");  // Shown at the calendar's ends...
  EXPECT_EQ(UtcDate(highest), "9999-12-31");
  EXPECT_LT(UtcDayOf(lowest), 0);  // ...while the day numbers stay exact.
  EXPECT_GT(UtcDayOf(highest), 0);
}

TEST(UtcDate, HttpDatesRoundTrip) {
  EXPECT_EQ(HttpDate(784111777000), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example.
  EXPECT_EQ(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777000);
  EXPECT_EQ(ParseHttpDate(HttpDate(1796158956000)), 1796158956000);
  for (const char* bad : {"Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                          "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:49:37 GMT",
                          "Sun, 06 Xyz 1994 08:49:37 GMT", "120"}) {
    EXPECT_FALSE(ParseHttpDate(bad)) << bad;
  }
}

TEST(Zstd, RoundTripsAndRefusesPastItsCap) {
  const std::string text(200000, 'x');
  Result<std::string> packed = ZstdCompress(text);
  ASSERT_TRUE(packed.ok());
  EXPECT_LT(packed->size(), 1000u);
  Result<std::string> back = ZstdDecompress(*packed, text.size());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, text);
  Result<std::string> capped = ZstdDecompress(*packed, text.size() - 1);
  EXPECT_EQ(capped.status().code(), Status::Code::kResourceExhausted);
}

TEST(Zstd, BrokenTruncatedAndEmptyInputsAreCorruption) {
  Result<std::string> packed = ZstdCompress(std::string(5000, 'y') + "tail");
  ASSERT_TRUE(packed.ok());
  EXPECT_EQ(ZstdDecompress(packed->substr(0, packed->size() - 3), 1 << 20).status().code(),
            Status::Code::kCorruption);
  EXPECT_EQ(ZstdDecompress("not zstd at all", 1 << 20).status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ZstdDecompress("", 1 << 20).status().code(), Status::Code::kCorruption);
  // Two frames decode as one body.
  Result<std::string> second = ZstdCompress("second");
  ASSERT_TRUE(second.ok());
  Result<std::string> both = ZstdDecompress(*packed + *second, 1 << 20);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->substr(both->size() - 10), "tailsecond");
}

TEST(Uuid, NewOnesAreVersion4AndCanonicalFormsAreLowerCase) {
  const std::string id = NewUuid();
  EXPECT_TRUE(IsUuid(id));
  EXPECT_EQ(id[14], '4');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
  EXPECT_NE(NewUuid(), id);
  EXPECT_TRUE(IsUuid("0FDAC909-D2EC-454C-B625-261A3E5D5C9B"));
  EXPECT_EQ(CanonicalUuid("0FDAC909-D2EC-454C-B625-261A3E5D5C9B"),
            "0fdac909-d2ec-454c-b625-261a3e5d5c9b");
  for (const char* bad :
       {"", "0fdac909d2ec454cb625261a3e5d5c9b", "0fdac909-d2ec-454c-b625-261a3e5d5c9",
        "0fdac909-d2ec-454c-b625-261a3e5d5c9g"}) {
    EXPECT_FALSE(IsUuid(bad)) << bad;
  }
}

TEST(Sqlite, AnImmutableOpenReadsAFileAsItStands) {
  testing::ScopedTempDir dir;
  const std::string path = dir.Sub("odd?name#.db");
  {
    auto db = sqlite::Database::Open(path, sqlite::Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)
                    ->Execute("PRAGMA journal_mode=WAL; CREATE TABLE t(v); "
                              "INSERT INTO t VALUES(42);")
                    .ok());
  }
  auto db = sqlite::Database::Open(path, sqlite::Database::Mode::kImmutable);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  auto select = (*db)->Prepare("SELECT v FROM t");
  ASSERT_TRUE(select.ok()) << select.status().ToString();
  ASSERT_TRUE(*(*select)->Step());
  EXPECT_EQ((*select)->Int(0), 42);
  EXPECT_FALSE((*db)->Execute("INSERT INTO t VALUES(1)").ok());  // Never writes.
}

}  // namespace
}  // namespace telemetry
