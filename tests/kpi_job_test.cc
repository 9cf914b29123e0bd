// The KPI job over a real SQLite database holding the collector's activity_events table:
// storage, idempotence, incremental runs against full recomputes, late data, sampling,
// segments, retention.
#include "collector/kpi/kpi_job.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <fstream>
#include <limits>
#include <mutex>
#include <random>
#include <thread>

#include "collector/kpi/kpi_output.h"
#include "collector/storage/sqlite_storage.h"
#include "telemetry/base/sqlite.h"
#include "test_support.h"

namespace telemetry::collector::kpi {
namespace {

using telemetry::sqlite::Database;
constexpr int64_t kDay = kDayMillis;
const Day kStart = *ParseUtcDate("2016-02-01");

// The collector's activity-event table (collector/storage), as the job reads it.
constexpr char kActivitySchema[] = R"sql(
CREATE TABLE activity_events(
  document_id TEXT, timestamp INTEGER NOT NULL, seqId TEXT, seqTime INTEGER, type TEXT NOT NULL,
  uid TEXT, deviceId TEXT, newUser INTEGER NOT NULL, userAgentBrowser TEXT,
  userAgentVersion TEXT, userAgentOS TEXT, service TEXT, context TEXT, entrypoint TEXT,
  campaign TEXT, migration TEXT, sample_id INTEGER);
)sql";

class KpiJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Sub("collector.db");
    db_ = std::move(Database::Open(path_, Database::Mode::kReadWrite)).value();
    ASSERT_TRUE(db_->Execute(kActivitySchema).ok());
  }
  void Insert(int64_t ts, const std::string& type, std::optional<std::string> uid,
              std::optional<std::string> device, const std::string& os = "Windows 10",
              int sample = 0, int64_t seq_time = 0, bool new_user = false) {
    auto insert =
        std::move(db_->Prepare("INSERT INTO activity_events (timestamp, type, uid, deviceId, "
                               "newUser, seqTime, userAgentOS, service, sample_id) VALUES "
                               "(?, ?, ?, ?, ?, ?, ?, 'sync', ?)"))
            .value();
    insert->Bind(1, ts).Bind(2, type);
    uid ? insert->Bind(3, *uid) : insert->BindNull(3);
    device ? insert->Bind(4, *device) : insert->BindNull(4);
    insert->Bind(5, int64_t{new_user}).Bind(6, seq_time).Bind(7, os).Bind(8, int64_t{sample});
    ASSERT_TRUE(insert->Run().ok());
  }
  // Random activity of 30 users over `days` days from kStart.
  void RandomActivity(int days, unsigned seed) {
    std::mt19937 random(seed);
    for (int d = 0; d < days; ++d) {
      for (int i = 0; i < 25; ++i) {
        int user = static_cast<int>(random() % 30);
        std::optional<std::string> device;
        if (random() % 4 != 0)
          device = "d" + std::to_string(user) + "-" + std::to_string(random() % 3);
        Insert((kStart + d) * kDay + static_cast<int64_t>(random() % kDay), "account.login",
               "u" + std::to_string(user), device, random() % 2 ? "Windows 10" : "Linux",
               user % 100);
      }
    }
  }
  AggregateResult RunAggregate(Day today) {
    AggregateOptions options;
    options.today = today;
    Result<AggregateResult> result = Aggregate(path_, options);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : AggregateResult{};
  }
  std::vector<KpiRow> Stored(Day from, Day to) {
    Result<std::vector<KpiRow>> rows = ReadKpis(path_, from, to);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<KpiRow>{};
  }
  std::vector<KpiRow> Recomputed(Day from, Day to) {
    QueryOptions query;
    query.from = from;
    query.to = to;
    Result<std::vector<KpiRow>> rows = ComputeKpis(path_, query);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<KpiRow>{};
  }

  testing::ScopedTempDir dir_;
  std::string path_;
  std::unique_ptr<Database> db_;
};

TEST_F(KpiJobTest, TheWorkedExampleIsStoredAndASecondRunChangesNothing) {
  const Day feb25 = *ParseUtcDate("2016-02-25");
  Insert(1456434139863, "sequence.begin", std::nullopt, std::nullopt);
  Insert(1456434152520, "account.created", "u1", std::nullopt, "Windows 7", 0, 12657, true);
  Insert(1456434160275, "device.connected", "u1", "dev1", "Windows 7", 0, 20412, true);
  AggregateResult first = RunAggregate(feb25 + 1);
  EXPECT_EQ(first.days, 1);
  std::vector<KpiRow> rows = Stored(feb25, feb25);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].dau, 1);
  EXPECT_NEAR(*rows[0].engagement_ratio, 14.2857, 1e-4);
  EXPECT_DOUBLE_EQ(*rows[0].ttc_new_p50, 20.412);
  EXPECT_DOUBLE_EQ(*rows[0].completion_rate, 100);
  EXPECT_EQ(RunAggregate(feb25 + 1).days, 0);  // Idempotent: nothing new, nothing done.
  EXPECT_EQ(Stored(feb25, feb25), rows);
}

TEST_F(KpiJobTest, DailyIncrementalRunsEqualAFullRecompute) {
  RandomActivity(40, 11);
  for (Day today = kStart + 1; today <= kStart + 40; ++today) RunAggregate(today);
  std::vector<KpiRow> incremental = Stored(kStart, kStart + 39);
  ASSERT_EQ(incremental.size(), 40u);
  EXPECT_EQ(incremental, Recomputed(kStart, kStart + 39));
}

TEST_F(KpiJobTest, LateDataMakesItsDayAndLaterOnesDirty) {
  RandomActivity(30, 5);
  RunAggregate(kStart + 30);
  const std::vector<KpiRow> before = Stored(kStart, kStart + 29);
  // A device of a new user shows up late, for day 10.
  Insert((kStart + 10) * kDay + 5, "account.login", "late-user", "late-device");
  AggregateResult rerun = RunAggregate(kStart + 30);
  EXPECT_EQ(rerun.first, kStart + 10);
  std::vector<KpiRow> after = Stored(kStart, kStart + 29);
  EXPECT_EQ(after, Recomputed(kStart, kStart + 29));
  EXPECT_EQ(after[10].dau, before[10].dau + 1);
  EXPECT_EQ(after[9], before[9]);                // Earlier days untouched.
  EXPECT_EQ(after[29].mau, before[29].mau + 1);  // Still in the 28-day window.
}

TEST_F(KpiJobTest, SampledQueriesCountOnlyTheSample) {
  for (int user = 0; user < 100; ++user) {
    Insert(kStart * kDay + user, "account.login", "u" + std::to_string(user), std::nullopt, "X",
           user);
  }
  QueryOptions query;
  query.from = query.to = kStart;
  query.sample = 10;
  Result<std::vector<KpiRow>> rows = ComputeKpis(path_, query);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0].dau, 10);
}

TEST_F(KpiJobTest, SegmentsCountAUserInEachOfItsSegments) {
  Insert(kStart * kDay + 1, "account.login", "u1", "a", "Windows 10");
  Insert(kStart * kDay + 2, "account.login", "u1", "b", "Linux");
  Insert(kStart * kDay + 3, "account.login", "u2", "c", "Linux");
  QueryOptions query;
  query.from = query.to = kStart;
  query.segment = "userAgentOS";
  Result<std::vector<SegmentRow>> rows = ComputeSegments(path_, query);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  std::map<std::string, int64_t> dau;
  for (const SegmentRow& row : *rows) dau[row.segment] = row.dau;
  EXPECT_EQ(dau["Linux"], 2);
  EXPECT_EQ(dau["Windows 10"], 1);
  query.segment = "multi_device";
  rows = ComputeSegments(path_, query);
  ASSERT_TRUE(rows.ok());
  dau.clear();
  for (const SegmentRow& row : *rows) dau[row.segment] = row.dau;
  EXPECT_EQ(dau["multi"], 1);   // u1: two devices today.
  EXPECT_EQ(dau["single"], 1);  // u2.
  query.segment = "uid";
  EXPECT_EQ(ComputeSegments(path_, query).status().code(), Status::Code::kInvalidArgument);
}

TEST_F(KpiJobTest, RetentionDeletesOldRawEventsButKeepsKpis) {
  RandomActivity(50, 3);
  AggregateOptions options;
  options.today = kStart + 50;
  options.retain_days = 20;
  EXPECT_EQ(Aggregate(path_, options).status().code(), Status::Code::kInvalidArgument);
  options.retain_days = 40;
  Result<AggregateResult> result = Aggregate(path_, options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->events_deleted, 10 * 25);  // Days 0-9.
  EXPECT_EQ(Stored(kStart, kStart + 49).size(), 50u);
}

TEST_F(KpiJobTest, UsersServicesDailyHasOneRowPerUserServiceAndDay) {
  Insert(kStart * kDay + 1, "account.login", "u1", "a", "Linux");
  Insert(kStart * kDay + 2, "account.signed", "u1", "a", "Linux");
  Insert(kStart * kDay + 3, "account.login", "u2", std::nullopt, "Linux");
  RunAggregate(kStart + 1);
  auto rows = std::move(db_->Prepare("SELECT uid, service, events, os FROM users_services_daily "
                                     "ORDER BY uid"))
                  .value();
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->Text(0), "u1");
  EXPECT_EQ(rows->Text(1), "sync");
  EXPECT_EQ(rows->Int(2), 2);
  EXPECT_EQ(rows->Text(3), "Linux");
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->Text(0), "u2");
  EXPECT_FALSE(*rows->Step());
}

// A database of an older version kept users_services_daily as a rowid table: the job converts
// it to WITHOUT ROWID, keeping the rows of days it does not compute again.
TEST_F(KpiJobTest, AnOlderUsersServicesTableIsConvertedWithItsRows) {
  ASSERT_TRUE(db_->Execute("CREATE TABLE users_services_daily (date TEXT NOT NULL, uid TEXT NOT "
                           "NULL, service TEXT NOT NULL, events INTEGER NOT NULL, os TEXT, "
                           "browser TEXT, country TEXT, PRIMARY KEY (date, uid, service)); "
                           "INSERT INTO users_services_daily VALUES "
                           "('2015-06-01', 'old', 'sync', 4, 'Linux', NULL, 'FR');")
                  .ok());
  Insert(kStart * kDay + 1, "account.login", "u1", "a", "Linux");
  RunAggregate(kStart + 1);
  auto sql = std::move(db_->Prepare("SELECT sql FROM sqlite_master WHERE name = "
                                    "'users_services_daily'"))
                 .value();
  ASSERT_TRUE(*sql->Step());
  EXPECT_NE(sql->Text(0).find("WITHOUT ROWID"), std::string::npos) << sql->Text(0);
  auto rows = std::move(db_->Prepare("SELECT date, uid, events, os, browser IS NULL, country "
                                     "FROM users_services_daily ORDER BY date"))
                  .value();
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->Text(0) + rows->Text(1) + std::to_string(rows->Int(2)) + rows->Text(3) +
                std::to_string(rows->Int(4)) + rows->Text(5),
            "2015-06-01old4Linux1FR");
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->Text(1), "u1");
  EXPECT_FALSE(*rows->Step());
}

// A day that cannot be written (a trigger refuses it) ends the run with that error, whatever the
// threads ahead of the writer are doing: the days before it are stored, none after it, the state
// does not advance, and once the cause is gone the next run does every day.
TEST_F(KpiJobTest, AWriteThatFailsEndsTheRunWithItsErrorAndLosesNothing) {
  RandomActivity(20, 7);
  const Day refused = kStart + 12;
  // The job creates kpi_daily on its first run: a first run of 5 days makes it exist.
  EXPECT_EQ(RunAggregate(kStart + 5).days, 5);
  ASSERT_TRUE(db_->Execute("CREATE TRIGGER refuse BEFORE INSERT ON kpi_daily WHEN NEW.day = " +
                           std::to_string(refused) +
                           " BEGIN SELECT RAISE(ABORT, 'this day is refused'); END;")
                  .ok());
  AggregateOptions options;
  options.today = kStart + 20;
  Result<AggregateResult> failed = Aggregate(path_, options);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("this day is refused"), std::string::npos)
      << failed.status().ToString();
  const std::vector<KpiRow> stored = Stored(kStart, kStart + 19);
  ASSERT_EQ(stored.size(), static_cast<size_t>(refused - kStart));
  EXPECT_EQ(stored.back().day, refused - 1);
  ASSERT_TRUE(db_->Execute("DROP TRIGGER refuse").ok());
  EXPECT_EQ(RunAggregate(kStart + 20).days, 15);  // From the state of day 5 on.
  EXPECT_EQ(Stored(kStart, kStart + 19).size(), 20u);
  EXPECT_EQ(Stored(kStart, kStart + 19), Recomputed(kStart, kStart + 19));
}

// users_services_daily against SQL's own GROUP BY over the raw rows (no code shared with the
// job): random users, services (NULL and '' are one), user agents (NULL among them), event
// types the KPIs do not count as activity, rows without a uid; then a late row and a --from/--to
// rerun, which must replace a day's rows, not add to them.
TEST_F(KpiJobTest, UsersServicesDailyEqualsAGroupByOfTheRawRows) {
  auto insert = std::move(db_->Prepare("INSERT INTO activity_events (timestamp, type, uid, "
                                       "deviceId, newUser, userAgentOS, userAgentBrowser, "
                                       "service) VALUES (?, ?, ?, 'd', 0, ?, ?, ?)"))
                    .value();
  const std::optional<std::string> services[] = {"sync", "", std::nullopt, "pocket", "amo"};
  const std::optional<std::string> agents[] = {"Linux", "Windows 10", "Windows 7",
                                               "",      std::nullopt, "Mac OS X"};
  const char* types[] = {"account.login", "account.signed", "device.connected", "odd.type"};
  std::mt19937 random(16);
  auto bind = [&](int column, const std::optional<std::string>& value) {
    value ? insert->Bind(column, *value) : insert->BindNull(column);
  };
  auto add = [&](int64_t ts) {
    insert->Bind(1, ts).Bind(2, types[random() % 4]);
    random() % 10 == 0 ? insert->BindNull(3) : insert->Bind(3, "u" + std::to_string(random() % 40));
    bind(4, agents[random() % 6]);
    bind(5, agents[random() % 6]);
    bind(6, services[random() % 5]);
    ASSERT_TRUE(insert->Run().ok());
  };
  ASSERT_TRUE(db_->Execute("BEGIN").ok());
  for (int i = 0; i < 3000; ++i) {
    add((kStart + static_cast<int64_t>(random() % 12)) * kDay +
        static_cast<int64_t>(random() % kDay));
  }
  ASSERT_TRUE(db_->Execute("COMMIT").ok());
  auto table = [&](const std::string& sql) {
    std::vector<std::string> out;
    auto select = std::move(db_->Prepare(sql)).value();
    for (Result<bool> row = select->Step(); row.ok() && *row; row = select->Step()) {
      std::string line;
      for (int c = 0; c < 6; ++c) line += (select->IsNull(c) ? "NULL" : select->Text(c)) + "|";
      out.push_back(line);
    }
    return out;
  };
  const std::string stored =
      "SELECT date, uid, service, events, os, browser FROM users_services_daily "
      "ORDER BY date, uid, service";
  const std::string expected =
      "SELECT date(timestamp / 1000, 'unixepoch'), uid, coalesce(service, ''), count(*), "
      "min(userAgentOS), min(userAgentBrowser) FROM activity_events WHERE uid IS NOT NULL "
      "AND timestamp < " +
      std::to_string((kStart + 12) * kDay) + " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3";
  AggregateOptions options;
  options.today = kStart + 12;
  options.config.activity_types = {"account.login"};  // Other types are still rows here.
  ASSERT_TRUE(Aggregate(path_, options).ok());
  const std::vector<std::string> first = table(stored);
  EXPECT_GT(first.size(), 12u * 40u);
  EXPECT_EQ(first, table(expected));
  EXPECT_EQ(first.front().substr(0, 10), UtcDateOfDay(kStart));
  // A late row for day 3, a plain run, then a rerun of days 2-5: still the GROUP BY's rows.
  add((kStart + 3) * kDay + 7);
  ASSERT_TRUE(Aggregate(path_, options).ok());
  EXPECT_EQ(table(stored), table(expected));
  options.from = kStart + 2;
  options.to = kStart + 5;
  ASSERT_TRUE(Aggregate(path_, options).ok());
  EXPECT_EQ(table(stored), table(expected));
  // A rerun writes only the rows that differ from the stored ones: every kind of difference in
  // days 2-5 (a count, an OS, a country, a row that should not be there, a missing row) is
  // repaired, and the rows of other days stay as they are.
  const std::string day3 = "'" + UtcDateOfDay(kStart + 3) + "'";
  ASSERT_TRUE(
      db_->Execute("UPDATE users_services_daily SET events = events + 1 WHERE date = " + day3 +
                   " AND uid = (SELECT min(uid) FROM users_services_daily WHERE "
                   "date = " +
                   day3 + ")")
          .ok());
  const std::string day4 = "'" + UtcDateOfDay(kStart + 4) + "'";
  ASSERT_TRUE(
      db_->Execute("UPDATE users_services_daily SET os = NULL WHERE date = " + day4 +
                   " AND uid = (SELECT max(uid) FROM users_services_daily WHERE date = " + day4 +
                   "); UPDATE users_services_daily SET country = 'FR' WHERE date "
                   "= " +
                   day3 +
                   " AND uid = (SELECT max(uid) FROM users_services_daily "
                   "WHERE date = " +
                   day3 + "); INSERT INTO users_services_daily VALUES (" + day3 +
                   ", 'u15', 'not-a-service', 1, NULL, NULL, NULL), (" + day4 +
                   ", 'zz', '', 2, 'Linux', NULL, NULL); DELETE FROM "
                   "users_services_daily WHERE date = '" +
                   UtcDateOfDay(kStart + 5) +
                   "' AND uid = (SELECT min(uid) FROM users_services_daily WHERE date = '" +
                   UtcDateOfDay(kStart + 5) + "')")
          .ok());
  ASSERT_NE(table(stored), table(expected));
  ASSERT_TRUE(Aggregate(path_, options).ok());
  EXPECT_EQ(table(stored), table(expected));
}

}  // namespace
}  // namespace telemetry::collector::kpi

namespace telemetry::collector::kpi {
namespace {

// The command line as a user runs it: import the seed's example table, aggregate, print.
TEST(KpiCommandLine, TheWorkedExampleThroughImportAggregateAndKpis) {
  testing::ScopedTempDir dir;
  const std::string csv = dir.Sub("events.csv");
  std::ofstream(csv)
      << "timestamp,seqId,seqTime,type,uid,deviceId,newUser,userAgentBrowser,"
         "userAgentVersion,userAgentOS,service,context,entrypoint,campaign,migration\n"
         "1456434139863,e17f,0,sequence.begin,NULL,NULL,0,Firefox,40,Windows 7,sync,,,,\n"
         "1456434152520,e17f,12657,account.created,uid1,NULL,1,Firefox,40,Windows 7,sync,,,,\n"
         "1456434152525,e17f,20417,device.created,uid1,dev1,1,Firefox,40,Windows 7,sync,,,,\n"
         "1456434159933,e17f,20070,account.verified,uid1,dev1,1,Firefox,40,Windows 7,sync,,,,\n"
         "1456434160275,e17f,20412,device.connected,uid1,dev1,1,Firefox,40,Windows 7,sync,,,,\n"
         "1456434161650,5470,0,account.signed,uid1,dev1,0,Firefox,40,Windows 7,sync,,,,\n";
  const std::string collector = TELEMETRY_COLLECTOR;
  const std::string db = " --db " + dir.Sub("c.db");
  std::string output;
  ASSERT_EQ(
      testing::RunCommand(
          collector + " import --format fxa-csv --insecure-dev-key" + db + " " + csv, &output),
      0)
      << output;
  ASSERT_EQ(testing::RunCommand(collector + " aggregate" + db, &output), 0) << output;
  ASSERT_EQ(
      testing::RunCommand(
          collector + " kpis --from 2016-02-25 --to 2016-02-25" + db + " 2>/dev/null", &output),
      0)
      << output;
  EXPECT_EQ(output, std::string(kKpiCsvHeader) + "\n" +
                        "2016-02-25,1,1,1,14.28571429,0,0,,1,20.412,20.412,20.412,0,,,,1,1,100\n");
  EXPECT_EQ(
      testing::RunCommand(collector + " kpis --from 2016-02-30 --to 2016-03-01" + db, &output), 2);
  EXPECT_NE(output.find("YYYY-MM-DD"), std::string::npos) << output;
}

}  // namespace
}  // namespace telemetry::collector::kpi

namespace telemetry::collector::kpi {
namespace {

// Issue 13, item 4: a recomputation of chosen days up to yesterday used to move the
// high-water mark past a late row of an earlier day, and the next plain run said "nothing to do".
// Issue 13, item 3: rows from before the door's time window (written by older versions) never
// make the job walk from their day, nor overflow the day type and hide good rows beside them.
TEST_F(KpiJobTest, AbsurdOldTimesNeitherWalkMillionsOfDaysNorHideGoodRows) {
  Insert(std::numeric_limits<int64_t>::min(), "account.login", "ancient", std::nullopt);
  Insert(-1000000000000000, "account.login", "older", std::nullopt);
  Insert(kStart * kDay + 5, "account.login", "u1", std::nullopt);
  AggregateResult first = RunAggregate(kStart + 1);
  ASSERT_TRUE(first.first);
  EXPECT_EQ(*first.first, *ParseUtcDate("2000-01-01"));
  EXPECT_EQ(first.last, kStart);
  std::vector<KpiRow> rows = Stored(kStart, kStart);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].dau, 1);  // The good row counted.
  // A late absurd row after the state exists: recomputed from 2000-01-01 at the earliest.
  Insert(-5000000000000000, "account.login", "late-ancient", std::nullopt);
  AggregateResult rerun = RunAggregate(kStart + 1);
  ASSERT_TRUE(rerun.first);
  EXPECT_EQ(*rerun.first, *ParseUtcDate("2000-01-01"));
}

TEST_F(KpiJobTest, AFromToRunDoesNotHideLateRowsOfOtherDays) {
  RandomActivity(30, 7);
  RunAggregate(kStart + 30);
  const std::vector<KpiRow> before = Stored(kStart, kStart + 29);
  Insert((kStart + 10) * kDay + 5, "account.login", "late-user", "late-device");
  AggregateOptions options;
  options.today = kStart + 30;
  options.from = options.to = kStart + 29;  // Yesterday only.
  ASSERT_TRUE(Aggregate(path_, options).ok());
  AggregateResult rerun = RunAggregate(kStart + 30);
  EXPECT_EQ(rerun.first, kStart + 10);
  const std::vector<KpiRow> after = Stored(kStart, kStart + 29);
  EXPECT_EQ(after, Recomputed(kStart, kStart + 29));
  ASSERT_EQ(after.size(), 30u);
  EXPECT_EQ(after[10].dau, before[10].dau + 1);
}

// Issue 13, item 5: late-day detection by "rowid above the last one seen" missed rows whose
// rowid SQLite reused after retention deleted the rows with the highest rowids.
TEST_F(KpiJobTest, LateRowsAreSeenWhenRetentionFreedTheHighestRowids) {
  RandomActivity(50, 9);
  // The row with the highest rowid is old: retention deletes it, and SQLite hands its rowid to
  // the next insert.
  Insert((kStart + 5) * kDay + 1, "account.login", "old-user", std::nullopt);
  AggregateOptions options;
  options.today = kStart + 50;
  options.retain_days = 40;
  ASSERT_TRUE(Aggregate(path_, options).ok());
  const std::vector<KpiRow> before = Stored(kStart + 45, kStart + 45);
  ASSERT_EQ(before.size(), 1u);
  Insert((kStart + 45) * kDay + 1, "account.login", "late-user", std::nullopt);
  AggregateResult rerun = RunAggregate(kStart + 50);
  EXPECT_EQ(rerun.first, kStart + 45);
  const std::vector<KpiRow> after = Stored(kStart + 45, kStart + 49);
  ASSERT_EQ(after.size(), 5u);
  EXPECT_EQ(after[0].dau, before[0].dau + 1);
  EXPECT_EQ(after, Recomputed(kStart + 45, kStart + 49));
}

// Waits, boundedly, for a flag another thread sets; false when it never came.
bool WaitFor(std::mutex& mutex, std::condition_variable& changed, const bool& flag) {
  std::unique_lock lock(mutex);
  return changed.wait_for(lock, std::chrono::seconds(60), [&] { return flag; });
}

// Rows for the collector's own storage (the real schema, the real ingestion path).
std::vector<collector::ActivityEvent> Logins(Day day, int users, const std::string& prefix) {
  std::vector<collector::ActivityEvent> rows;
  for (int user = 0; user < users; ++user) {
    collector::ActivityEvent event;
    event.timestamp_ms = day * kDay + user;
    event.type = "account.login";
    event.uid = prefix + std::to_string(user);
    event.import_key = prefix + std::to_string(day) + "-" + std::to_string(user);
    rows.push_back(event);
  }
  return rows;
}

// Issue 13, item 4: the job held the write lock for its whole run, so ingestion waited (and
// past its busy timeout, failed). Now a commit made in the middle of a run goes through, and the
// row it adds for a day the run already computed is picked up by the next run.
TEST(KpiJobIngestion, CommitsGoThroughWhileARunIsInProgress) {
  testing::ScopedTempDir dir;
  const std::string path = dir.Sub("collector.db");
  Result<std::unique_ptr<Storage>> storage = OpenSqliteStorage(path);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  for (Day day = kStart; day < kStart + 5; ++day) {
    ASSERT_TRUE((*storage)->AppendActivity(Logins(day, 3, "u")).ok());
  }
  std::mutex mutex;
  std::condition_variable changed;
  bool in_run = false, ingested = false, waited = false;
  AggregateOptions options;
  options.today = kStart + 5;
  options.progress = [&](Day day, Day, Day, const KpiRow&) {
    if (day != kStart) return;
    {
      std::lock_guard lock(mutex);
      in_run = true;
    }
    changed.notify_all();
    waited = WaitFor(mutex, changed, ingested);  // Ingestion happens here, mid-run.
  };
  Result<AggregateResult> result = Status::Internal("not run");
  std::thread job([&] { result = Aggregate(path, options); });
  ASSERT_TRUE(WaitFor(mutex, changed, in_run));
  Result<int64_t> commit = (*storage)->AppendActivity(Logins(kStart, 1, "late"));
  {
    std::lock_guard lock(mutex);
    ingested = true;
  }
  changed.notify_all();
  job.join();
  ASSERT_TRUE(commit.ok()) << commit.status().ToString();
  EXPECT_EQ(*commit, 1);
  EXPECT_TRUE(waited);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->days, 5);
  // The run read its snapshot: the late row is not in its day 0 yet, and the next run adds it.
  std::vector<KpiRow> stored = std::move(ReadKpis(path, kStart, kStart)).value();
  EXPECT_EQ(stored.at(0).dau, 3);
  options.progress = nullptr;
  Result<AggregateResult> rerun = Aggregate(path, options);
  ASSERT_TRUE(rerun.ok());
  EXPECT_EQ(rerun->first, kStart);
  stored = std::move(ReadKpis(path, kStart, kStart)).value();
  EXPECT_EQ(stored.at(0).dau, 4);
}

// Issue 13, item 8: a second `aggregate` while one runs says so, exits 4 and changes nothing.
TEST(KpiJobLock, ASecondRunExitsBusyAndChangesNothing) {
  testing::ScopedTempDir dir;
  const std::string path = dir.Sub("collector.db");
  {
    Result<std::unique_ptr<Storage>> storage = OpenSqliteStorage(path);
    ASSERT_TRUE(storage.ok());
    for (Day day = kStart; day < kStart + 3; ++day) {
      ASSERT_TRUE((*storage)->AppendActivity(Logins(day, 2, "u")).ok());
    }
  }
  std::mutex mutex;
  std::condition_variable changed;
  bool in_run = false, release = false;
  AggregateOptions options;
  options.today = kStart + 3;
  options.progress = [&](Day day, Day, Day, const KpiRow&) {
    if (day != kStart) return;
    {
      std::lock_guard lock(mutex);
      in_run = true;
    }
    changed.notify_all();
    WaitFor(mutex, changed, release);
  };
  Result<AggregateResult> result = Status::Internal("not run");
  std::thread job([&] { result = Aggregate(path, options); });
  ASSERT_TRUE(WaitFor(mutex, changed, in_run));
  const auto count = [&] {
    auto db = std::move(Database::Open(path, Database::Mode::kReadOnly)).value();
    auto s = std::move(db->Prepare("SELECT count(*), total(dau) FROM kpi_daily")).value();
    EXPECT_TRUE(*s->Step());
    return std::to_string(s->Int(0)) + "/" + s->Text(1);
  };
  const std::string during = count();
  std::string output;
  const int code = testing::RunCommand(std::string(TELEMETRY_COLLECTOR) + " aggregate --db " +
                                           path + " --from 2016-02-01 --to 2016-02-03",
                                       &output);
  AggregateOptions second;
  second.today = kStart + 3;
  const Status in_process = Aggregate(path, second).status();
  const std::string after = count();
  {
    std::lock_guard lock(mutex);
    release = true;
  }
  changed.notify_all();
  job.join();
  EXPECT_EQ(code, 4) << output;
  EXPECT_NE(output.find("another aggregate (pid " + std::to_string(getpid()) + ") holds the job"),
            std::string::npos)
      << output;
  EXPECT_EQ(in_process.code(), Status::Code::kUnavailable) << in_process.ToString();
  EXPECT_EQ(during, after);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->days, 3);
}

}  // namespace
}  // namespace telemetry::collector::kpi

namespace telemetry::collector::kpi {
namespace {

constexpr char kWorkedExampleCsv[] =
    "timestamp,seqId,seqTime,type,uid,deviceId,newUser,userAgentBrowser,"
    "userAgentVersion,userAgentOS,service,context,entrypoint,campaign,migration\n"
    "1456434139863,e17f,0,sequence.begin,NULL,NULL,0,Firefox,40,Windows 7,sync,,,,\n"
    "1456434152520,e17f,12657,account.created,uid1,NULL,1,Firefox,40,Windows 7,sync,,,,\n"
    "1456434152525,e17f,20417,device.created,uid1,dev1,1,Firefox,40,Windows 7,sync,,,,\n"
    "1456434159933,e17f,20070,account.verified,uid1,dev1,1,Firefox,40,Windows 7,sync,,,,\n"
    "1456434160275,e17f,20412,device.connected,uid1,dev1,1,Firefox,40,Windows 7,sync,,,,\n"
    "1456434161650,5470,0,account.signed,uid1,dev1,0,Firefox,40,Windows 7,sync,,,,\n";

std::string Collector(const std::string& args, int* code) {
  std::string output;
  *code = testing::RunCommand(std::string(TELEMETRY_COLLECTOR) + " " + args, &output);
  return output;
}

// Issue 13, item 5: importing the same rows again (the same file, an overlapping one, the same
// row as NDJSON) stores nothing, says so, and changes no KPI.
TEST(KpiCommandLine, ImportingTheSameRowsAgainChangesNoKpi) {
  testing::ScopedTempDir dir;
  const std::string csv = dir.Sub("events.csv");
  std::ofstream(csv) << kWorkedExampleCsv;
  // Overlapping: two rows of the file, as NDJSON in another column order, and a new one (a day
  // later).
  std::ofstream(dir.Sub("overlap.ndjson"))
      << "{\"type\": \"sequence.begin\", \"timestamp\": 1456434139863, \"seqId\": \"e17f\", "
         "\"seqTime\": 0, \"newUser\": false, \"userAgentBrowser\": \"Firefox\", "
         "\"userAgentVersion\": \"40\", \"userAgentOS\": \"Windows 7\", \"service\": \"sync\"}\n"
         "{\"timestamp\": 1456434161650, \"seqId\": \"5470\", \"seqTime\": 0, \"type\": "
         "\"account.signed\", \"uid\": \"uid1\", \"deviceId\": \"dev1\", \"newUser\": 0, "
         "\"userAgentBrowser\": \"Firefox\", \"userAgentVersion\": \"40\", \"userAgentOS\": "
         "\"Windows 7\", \"service\": \"sync\"}\n"
         "{\"timestamp\": 1456444801000, \"type\": \"account.login\", \"uid\": \"uid2\"}\n";
  const std::string db = " --db " + dir.Sub("c.db");
  const std::string import = "import --insecure-dev-key" + db;
  int code = 0;
  std::string out = Collector(import + " --format fxa-csv " + csv, &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("imported 6, already there 0"), std::string::npos) << out;
  out = Collector(import + " --format fxa-csv " + csv + " " + csv, &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("rows read 12, imported 0, already there 12"), std::string::npos) << out;
  out = Collector(import + " --format fxa-ndjson " + dir.Sub("overlap.ndjson"), &code);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("rows read 3, imported 1, already there 2"), std::string::npos) << out;
  out = Collector("aggregate --from 2016-02-25 --to 2016-02-25" + db, &code);
  ASSERT_EQ(code, 0) << out;
  out = Collector("kpis --from 2016-02-25 --to 2016-02-25" + db + " 2>/dev/null", &code);
  ASSERT_EQ(code, 0) << out;
  // KPI.md's worked example as it is: one sequence begun, one device connected, not two.
  EXPECT_EQ(out, std::string(kKpiCsvHeader) + "\n" +
                     "2016-02-25,1,1,1,14.28571429,0,0,,1,20.412,20.412,20.412,0,,,,1,1,100\n");
}

// Issue 13, items 7 and 8: what a scheduler sees. One line per day on a log, exit statuses it
// can act on, and no database made up where there is none.
TEST(KpiCommandLine, ExitStatusesProgressLinesAndClearErrors) {
  testing::ScopedTempDir dir;
  const std::string csv = dir.Sub("events.csv");
  std::ofstream(csv) << kWorkedExampleCsv;
  const std::string path = dir.Sub("c.db");
  const std::string db = " --db " + path;
  int code = 0;
  std::string out = Collector("import --insecure-dev-key --format fxa-csv" + db + " " + csv, &code);
  ASSERT_EQ(code, 0) << out;
  // --through: a plain run that stops at a given day (a day before the data: nothing to do).
  out = Collector("aggregate --through 2016-02-24" + db, &code);
  EXPECT_EQ(code, 3) << out;
  out = Collector("aggregate --through 2016-02-25" + db, &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("aggregate: 1 days computed, 2016-02-25 to 2016-02-25\n"), std::string::npos)
      << out;
  out = Collector("aggregate --through 2016-02-30" + db, &code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("--through wants a date as YYYY-MM-DD"), std::string::npos) << out;
  out = Collector("aggregate --from 2016-02-24 --to 2016-02-25" + db, &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("aggregate: 2016-02-24 done (day 1 of 2): dau 0, wau 0, mau 0\n"
                     "aggregate: 2016-02-25 done (day 2 of 2): dau 1, wau 1, mau 1\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find('\r'), std::string::npos) << out;
  out = Collector("aggregate" + db + " 2>/dev/null", &code);
  EXPECT_EQ(code, 0) << out;
  out = Collector("aggregate" + db, &code);
  EXPECT_EQ(code, 3) << out;
  EXPECT_NE(out.find("nothing to do"), std::string::npos) << out;
  out = Collector("aggregate --from 2016-02-25 --to 2016-02-24" + db, &code);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("--from 2016-02-25 is after --to 2016-02-24"), std::string::npos) << out;
  EXPECT_EQ(out.find("nothing to do"), std::string::npos) << out;

  const std::string missing = dir.Sub("missing.db");
  for (const std::string& command :
       {"aggregate --db " + missing, "kpis --from 2016-02-25 --to 2016-02-25 --db " + missing}) {
    out = Collector(command, &code);
    EXPECT_EQ(code, 1) << command << "\n" << out;
    EXPECT_EQ(out, "telemetry-collector " + command.substr(0, command.find(' ')) +
                       ": no database at " + missing + "\n")
        << command;
    EXPECT_FALSE(std::filesystem::exists(missing)) << command;
  }
  std::ofstream(dir.Sub("empty.db")) << "";
  out = Collector("aggregate --db " + dir.Sub("empty.db"), &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_NE(out.find("is not a collector database (no activity_events table)"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("CREATE"), std::string::npos) << out;
  out = Collector("aggregate --retain-days 0x50" + db, &code);
  EXPECT_EQ(code, 2) << out;
  out = Collector("aggregate --md-window-days 40" + db, &code);
  EXPECT_EQ(code, 2) << out;
}

}  // namespace
}  // namespace telemetry::collector::kpi
