// The KPI job over a real SQLite database holding the collector's activity_events table:
// storage, idempotence, incremental runs against full recomputes, late data, sampling,
// segments, retention.
#include "collector/kpi/kpi_job.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "collector/kpi/kpi_output.h"
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
