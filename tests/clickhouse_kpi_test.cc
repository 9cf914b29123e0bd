// The KPI job over a ClickHouse store (collector/kpi/clickhouse_kpi_job.h) against real
// clickhouse-server processes (tests/clickhouse_servers.h): on one server and on a two-shard
// cluster, the same events aggregated by the SQLite job and by ClickHouse give byte-identical
// `kpis` output (the table, segments, samples, JSON) and bit-identical rows; late and new days
// are taken in incrementally; a rerun does nothing; bad URLs and unreachable servers are one
// clear line and an exit code.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "clickhouse_servers.h"
#include "collector/clickhouse/cluster.h"
#include "collector/clickhouse/schema.h"
#include "collector/clickhouse/store_url.h"
#include "collector/clickhouse/tsv.h"
#include "collector/kpi/clickhouse_kpi_job.h"
#include "collector/kpi/kpi_job.h"
#include "collector/kpi/kpi_output.h"
#include "telemetry/base/sqlite.h"
#include "telemetry/base/utc_date.h"
#include "test_support.h"

namespace telemetry::collector::kpi {
namespace {

using clickhouse::Cluster;
using clickhouse::TsvWriter;
using telemetry::sqlite::Database;
using telemetry::testing::ClickHouseServers;
using telemetry::testing::ScopedTempDir;

const Day kStart = *ParseUtcDate("2016-02-01");
constexpr int kDays = 40;

// One activity event with every column of the event table.
struct Event {
  int64_t timestamp = 0;
  std::optional<std::string> seq_id;
  std::optional<int64_t> seq_time;
  std::string type;
  std::optional<std::string> uid, device;
  int new_user = 0;
  std::optional<std::string> browser, version, os, service, context, entrypoint, campaign,
      migration;
  std::string key;  // event_key: the event's identity.
  std::optional<int64_t> sample_id() const {
    if (!uid) return std::nullopt;
    uint32_t hash = 2166136261u;
    for (unsigned char c : *uid) hash = (hash ^ c) * 16777619u;
    return static_cast<int64_t>(hash % 100);
  }
};

// Made-up but the same every run: 36 users with one to three devices (so multi-device users,
// some of them only within the window), several OSes per user, Sync and other services,
// sequences begun without a uid, connections with and without seqTime for new and existing
// accounts.
class EventMaker {
 public:
  explicit EventMaker(unsigned seed) : random_(seed) {}
  std::vector<Event> Days(Day first, Day last, int users = 36) {
    std::vector<Event> out;
    static const char* const kOses[] = {"Windows 10", "Mac OS X", "Android", "iOS", "Linux,x"};
    static const char* const kTypes[] = {"account.login", "account.signed", "device.created",
                                         "account.verified", "custom.thing"};
    for (Day day = first; day <= last; ++day) {
      const int64_t day_ms = int64_t{day} * kDayMillis;
      for (int u = 0; u < users; ++u) {
        if (random_() % 5 < 3) continue;
        const std::string uid = "uid-" + std::to_string(u);
        const int devices = 1 + u % 3;
        const int events = 1 + static_cast<int>(random_() % 3);
        for (int k = 0; k < events; ++k) {
          Event e = Base(day_ms);
          e.type = kTypes[random_() % 5];
          e.uid = uid;
          const int device = static_cast<int>(random_() % devices);
          if (random_() % 10 != 0)
            e.device = "dev-" + std::to_string(u) + "-" + std::to_string(device);
          e.os = kOses[(u + device) % 5];
          if (random_() % 7 == 0) e.os.reset();
          e.service = random_() % 4 == 0 ? std::optional<std::string>("amo")
                                         : std::optional<std::string>("sync");
          if (random_() % 9 == 0) e.service.reset();
          out.push_back(e);
        }
        if (random_() % 10 < 4) {
          // A Sync sequence: begun (often without a uid), then mostly a device connected.
          Event begin = Base(day_ms);
          begin.type = "sequence.begin";
          begin.seq_id = "seq-" + std::to_string(day) + "-" + std::to_string(u);
          begin.new_user = u % 2;
          begin.service = "sync";
          if (random_() % 3 == 0) begin.uid = uid;
          out.push_back(begin);
          if (random_() % 10 < 8) {
            Event connected = begin;
            connected.key = NextKey();
            connected.type = "device.connected";
            connected.uid = uid;
            connected.device = "dev-" + std::to_string(u) + "-0";
            connected.timestamp += 1000;
            if (random_() % 8 != 0) connected.seq_time = 1000 + random_() % 40000;
            if (random_() % 12 == 0) connected.service = "amo";  // Not the connect service.
            out.push_back(connected);
          }
        }
      }
    }
    return out;
  }

 private:
  Event Base(int64_t day_ms) {
    Event e;
    e.timestamp = day_ms + static_cast<int64_t>(random_() % (kDayMillis - 5000));
    e.key = NextKey();
    e.browser = random_() % 2 ? "Firefox" : "Firefox Mobile";
    e.version = std::to_string(50 + random_() % 3);
    e.os = "Windows 10";
    e.context = random_() % 2 ? std::optional<std::string>("fx_desktop_v3") : std::nullopt;
    e.entrypoint = "menupanel";
    return e;
  }
  std::string NextKey() { return "key-" + std::to_string(seed_base_++); }

  std::mt19937 random_;
  int64_t seed_base_ = 0;
};

constexpr char kSqliteSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS activity_events(
  document_id TEXT, timestamp INTEGER NOT NULL, seqId TEXT, seqTime INTEGER, type TEXT NOT NULL,
  uid TEXT, deviceId TEXT, newUser INTEGER NOT NULL, userAgentBrowser TEXT,
  userAgentVersion TEXT, userAgentOS TEXT, service TEXT, context TEXT, entrypoint TEXT,
  campaign TEXT, migration TEXT, sample_id INTEGER, import_key TEXT);
)sql";

void StoreInSqlite(const std::string& path, const std::vector<Event>& events) {
  std::unique_ptr<Database> db =
      std::move(Database::Open(path, Database::Mode::kReadWrite)).value();
  ASSERT_TRUE(db->Execute(kSqliteSchema).ok());
  ASSERT_TRUE(db->Execute("BEGIN").ok());
  std::unique_ptr<sqlite::Statement> insert =
      std::move(db->Prepare("INSERT INTO activity_events (timestamp, seqId, seqTime, type, uid, "
                            "deviceId, newUser, userAgentBrowser, userAgentVersion, userAgentOS, "
                            "service, context, entrypoint, campaign, migration, sample_id, "
                            "import_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                            "?)"))
          .value();
  for (const Event& e : events) {
    auto text = [&](int i, const std::optional<std::string>& v) {
      v ? insert->Bind(i, *v) : insert->BindNull(i);
    };
    auto integer = [&](int i, const std::optional<int64_t>& v) {
      v ? insert->Bind(i, *v) : insert->BindNull(i);
    };
    insert->Bind(1, e.timestamp);
    text(2, e.seq_id);
    integer(3, e.seq_time);
    insert->Bind(4, e.type);
    text(5, e.uid);
    text(6, e.device);
    insert->Bind(7, int64_t{e.new_user});
    text(8, e.browser);
    text(9, e.version);
    text(10, e.os);
    text(11, e.service);
    text(12, e.context);
    text(13, e.entrypoint);
    text(14, e.campaign);
    text(15, e.migration);
    integer(16, e.sample_id());
    insert->Bind(17, e.key);
    ASSERT_TRUE(insert->Run().ok());
  }
  ASSERT_TRUE(db->Execute("COMMIT").ok());
}

// Each event into its shard's activity_events_local (placed by uid, else by its key), one
// insert per shard.
void StoreInClickHouse(Cluster& cluster, const std::vector<Event>& events) {
  std::vector<TsvWriter> rows(static_cast<size_t>(cluster.shards()));
  for (const Event& e : events) {
    TsvWriter& out = rows[static_cast<size_t>(cluster.ShardOf(e.uid ? *e.uid : e.key))];
    out.Int(UtcDayOf(e.timestamp)).Text(e.key).Null().Int(e.timestamp).Text(e.seq_id);
    out.Int(e.seq_time).Text(e.type).Text(e.uid.value_or("")).Text(e.device.value_or(""));
    out.Int(e.new_user).Text(e.browser).Text(e.version).Text(e.os).Text(e.service);
    out.Text(e.context).Text(e.entrypoint).Text(e.campaign).Text(e.migration);
    out.Int(e.sample_id()).Text(e.key).EndRow();
  }
  for (int i = 0; i < cluster.shards(); ++i) {
    if (rows[static_cast<size_t>(i)].empty()) continue;
    Status s =
        cluster.shard(i).Insert(Cluster::Local("activity_events"), clickhouse::kActivityColumns,
                                rows[static_cast<size_t>(i)].data());
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
}

struct Output {
  int code = -1;
  std::string out, err;
};

// Runs the collector binary; stdout and stderr apart.
Output Collector(const std::string& args, const std::string& dir) {
  const std::string err_path = dir + "/stderr.txt";
  const std::string command = std::string(TELEMETRY_COLLECTOR) + " " + args + " 2>" + err_path;
  Output result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) result.out.append(buffer, n);
  const int status = pclose(pipe);
  result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::FILE* err = std::fopen(err_path.c_str(), "r");
  if (err != nullptr) {
    while (size_t n = fread(buffer, 1, sizeof(buffer), err)) result.err.append(buffer, n);
    std::fclose(err);
  }
  return result;
}

std::string Date(Day day) { return UtcDateOfDay(day); }

// One store of each kind holding the same events.
class ClickHouseKpiTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    servers_ = std::make_unique<ClickHouseServers>(GetParam());
    ASSERT_TRUE(servers_->ok()) << servers_->error();
    url_ = servers_->StoreUrl("telemetry", /*with_cluster=*/GetParam() > 1);
    Result<StoreUrl> parsed = ParseStoreUrl(url_);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    Result<std::unique_ptr<Cluster>> cluster = Cluster::Connect(*parsed);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(cluster).value();
    Status schema = clickhouse::EnsureSchema(*cluster_, "");
    ASSERT_TRUE(schema.ok()) << schema.ToString();
    db_ = dir_.Sub("collector.db");
  }

  void Add(const std::vector<Event>& events) {
    StoreInSqlite(db_, events);
    StoreInClickHouse(*cluster_, events);
  }
  // Into ClickHouse only: duplicates of events it has (a retried forward).
  void AddDuplicates(const std::vector<Event>& events) { StoreInClickHouse(*cluster_, events); }

  // Runs `command args` against both stores: the same exit code and stdout.
  Output Both(const std::string& command, const std::string& args) {
    Output sqlite = Collector(command + " --db " + db_ + " " + args, dir_.path());
    Output ch = Collector(command + " --store '" + url_ + "' " + args, dir_.path());
    EXPECT_EQ(sqlite.code, ch.code)
        << command << " " << args << "\nsqlite: " << sqlite.err << "\nclickhouse: " << ch.err;
    EXPECT_EQ(sqlite.out, ch.out) << command << " " << args << "\nclickhouse: " << ch.err;
    return ch;
  }

  void ExpectSameRows(Day from, Day to) {
    Result<std::vector<KpiRow>> sqlite = ReadKpis(db_, from, to);
    Result<std::vector<KpiRow>> ch = ReadKpis(*cluster_, from, to);
    ASSERT_TRUE(sqlite.ok()) << sqlite.status().ToString();
    ASSERT_TRUE(ch.ok()) << ch.status().ToString();
    ASSERT_EQ(sqlite->size(), ch->size());
    for (size_t i = 0; i < ch->size(); ++i) {
      EXPECT_TRUE((*sqlite)[i] == (*ch)[i]) << "day " << Date((*ch)[i].day);  // Bit for bit.
    }
  }

  // users_services_daily, row for row: SQLite's table against every shard's (FINAL).
  void ExpectSameUsersServices() {
    std::vector<std::string> sqlite, ch;
    std::unique_ptr<Database> db =
        std::move(Database::Open(db_, Database::Mode::kReadOnly)).value();
    std::unique_ptr<telemetry::sqlite::Statement> rows =
        std::move(db->Prepare("SELECT date, uid, service, events, ifnull(os, '<null>'), "
                              "ifnull(browser, '<null>') FROM users_services_daily"))
            .value();
    while (*rows->Step()) {
      std::string line;
      for (int i = 0; i < 6; ++i) line += rows->Text(i) + "|";
      sqlite.push_back(line);
    }
    for (int shard = 0; shard < cluster_->shards(); ++shard) {
      Result<std::string> out = cluster_->shard(shard).Query(
          "SELECT date, uid, service, events, ifNull(os, '<null>'), ifNull(browser, '<null>') "
          "FROM users_services_daily_local FINAL FORMAT TabSeparated");
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      Result<std::vector<clickhouse::TsvRow>> parsed = clickhouse::ParseTsv(*out);
      ASSERT_TRUE(parsed.ok());
      for (const clickhouse::TsvRow& row : *parsed) {
        std::string line;
        for (const std::optional<std::string>& field : row) line += field.value_or("\\N") + "|";
        ch.push_back(line);
      }
    }
    std::sort(sqlite.begin(), sqlite.end());
    std::sort(ch.begin(), ch.end());
    EXPECT_GT(sqlite.size(), 100u);
    EXPECT_EQ(sqlite, ch);
  }

  std::string Range(Day from, Day to) { return "--from " + Date(from) + " --to " + Date(to); }

  ScopedTempDir dir_;
  std::unique_ptr<ClickHouseServers> servers_;
  std::string url_;
  std::unique_ptr<Cluster> cluster_;
  std::string db_;
};

TEST_P(ClickHouseKpiTest, SameKpisAsSqlite) {
  EventMaker maker(7);
  std::vector<Event> events = maker.Days(kStart, kStart + kDays - 1);
  Add(events);
  // Duplicates not merged yet: FINAL counts them once.
  AddDuplicates(std::vector<Event>(events.begin(), events.begin() + 400));
  const Day last = kStart + kDays - 1;
  Output run = Both("aggregate", "--through " + Date(last));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "aggregate: 40 days computed, 2016-02-01 to 2016-03-11\n");
  // A few days before and after the data too.
  const std::string all = Range(kStart - 3, last + 2);
  Output table = Both("kpis", all);
  EXPECT_EQ(std::count(table.out.begin(), table.out.end(), '\n'), kDays + 1);
  EXPECT_NE(table.out.find("2016-02-20,"), std::string::npos) << table.out;
  Both("kpis", all + " --format json");
  ExpectSameRows(kStart, last);
  ExpectSameUsersServices();
  for (const char* segment : {"userAgentOS", "multi_device", "service", "userAgentBrowser"}) {
    Output segments = Both("kpis", Range(kStart + 2, last) + " --segment " + segment);
    EXPECT_GT(segments.out.size(), 1000u) << segments.out;
  }
  Both("kpis", Range(kStart, last) + " --segment userAgentOS --sample 50");
  Output sampled = Both("kpis", Range(kStart, last) + " --sample 50");
  EXPECT_EQ(sampled.out.rfind("# sampled", 0), 0u) << sampled.out;
  Both("kpis", Range(kStart + 30, last) + " --sample 13 --format json");
  // The other knobs: a recomputation with chosen activity types and a shorter multi-device
  // window (a --from/--to run leaves the incremental state alone on both).
  run = Both("aggregate", Range(kStart + 10, kStart + 25) +
                              " --activity-types account.login,device.created --md-window-days 3");
  EXPECT_EQ(run.code, 0) << run.err;
  Both("kpis", all);
  ExpectSameRows(kStart, last);
  ExpectSameUsersServices();
  // A rerun: nothing to do.
  run = Both("aggregate", "--through " + Date(last));
  EXPECT_EQ(run.code, 3) << run.err;
}

TEST_P(ClickHouseKpiTest, IncrementalAndIdempotent) {
  EventMaker maker(11);
  Add(maker.Days(kStart, kStart + 30));
  Output run = Both("aggregate", "--through " + Date(kStart + 30));
  EXPECT_EQ(run.out, "aggregate: 31 days computed, 2016-02-01 to 2016-03-02\n") << run.err;
  // A new day, and late events of day 20.
  std::vector<Event> late = maker.Days(kStart + 31, kStart + 31);
  for (Event& e : maker.Days(kStart + 20, kStart + 20, 12)) late.push_back(e);
  Add(late);
  AddDuplicates(late);
  std::vector<Day> computed;
  AggregateOptions options;
  options.today = kStart + 32;
  options.progress = [&](Day day, Day first, Day last, const KpiRow&) {
    EXPECT_EQ(first, kStart + 20);
    EXPECT_EQ(last, kStart + 31);
    computed.push_back(day);
  };
  Result<AggregateResult> result = Aggregate(*cluster_, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->days, 12);  // Day 20 on, as the SQLite job.
  ASSERT_EQ(computed.size(), 12u);
  for (size_t i = 0; i < computed.size(); ++i) EXPECT_EQ(computed[i], kStart + 20 + Day(i));
  Output sqlite =
      Collector("aggregate --db " + db_ + " --through " + Date(kStart + 31), dir_.path());
  EXPECT_EQ(sqlite.out, "aggregate: 12 days computed, 2016-02-21 to 2016-03-03\n") << sqlite.err;
  Both("kpis", Range(kStart, kStart + 33));
  ExpectSameRows(kStart, kStart + 31);
  // Nothing changed: nothing to do, even after more duplicates of stored events.
  AddDuplicates(late);
  run = Both("aggregate", "--through " + Date(kStart + 31));
  EXPECT_EQ(run.code, 3) << run.err;
  // A --from/--to run in between does not make the next plain run forget late data.
  Add(maker.Days(kStart + 5, kStart + 5, 6));
  Both("aggregate", Range(kStart + 29, kStart + 31));
  run = Both("aggregate", "--through " + Date(kStart + 31));
  EXPECT_EQ(run.out, "aggregate: 27 days computed, 2016-02-06 to 2016-03-03\n") << run.err;
  Both("kpis", Range(kStart, kStart + 31));
  ExpectSameRows(kStart, kStart + 31);
  // Two runs at once leave whole rows: the same table as one run.
  ASSERT_TRUE(Aggregate(*cluster_, AggregateOptions{kStart, kStart + 31}).ok());
  Result<StoreUrl> url = ParseStoreUrl(url_);
  ASSERT_TRUE(url.ok());
  std::thread other([&] {
    Result<std::unique_ptr<Cluster>> second = Cluster::Connect(*url);
    ASSERT_TRUE(second.ok());
    EXPECT_TRUE(Aggregate(**second, AggregateOptions{kStart, kStart + 31}).ok());
  });
  EXPECT_TRUE(Aggregate(*cluster_, AggregateOptions{kStart, kStart + 31}).ok());
  other.join();
  Both("kpis", Range(kStart, kStart + 31));
  ExpectSameRows(kStart, kStart + 31);
}

INSTANTIATE_TEST_SUITE_P(Shards, ClickHouseKpiTest, ::testing::Values(1, 2),
                         [](const ::testing::TestParamInfo<int>& param) {
                           return param.param == 1 ? std::string("OneServer")
                                                   : std::string("TwoShards");
                         });

TEST(ClickHouseKpiErrors, BadUrlsAndUnreachableServersAreOneLine) {
  ScopedTempDir dir;
  // Nothing listens on port 1.
  Output out = Collector(
      "kpis --store clickhouse://127.0.0.1:1/telemetry --from 2016-02-01 "
      "--to 2016-02-02",
      dir.path());
  EXPECT_EQ(out.code, 1);
  EXPECT_EQ(out.out, "");
  EXPECT_EQ(std::count(out.err.begin(), out.err.end(), '\n'), 1) << out.err;
  EXPECT_EQ(out.err.rfind("telemetry-collector kpis: cannot use clickhouse://127.0.0.1:1/", 0), 0u)
      << out.err;
  out = Collector("aggregate --store clickhouse://127.0.0.1:1/telemetry", dir.path());
  EXPECT_EQ(out.code, 1);
  EXPECT_EQ(out.err.rfind("telemetry-collector aggregate: cannot use ", 0), 0u) << out.err;
  for (const char* bad : {"clickhouse://", "clickhouse://127.0.0.1:99999/x", "mysql://x/y",
                          "clickhouse://127.0.0.1:8123"}) {
    out = Collector(std::string("aggregate --store '") + bad + "'", dir.path());
    EXPECT_EQ(out.code, 2) << bad << ": " << out.err;
    EXPECT_EQ(std::count(out.err.begin(), out.err.end(), '\n'), 1) << bad << ": " << out.err;
  }
  out = Collector("aggregate --db x.db --store clickhouse://127.0.0.1:1/t", dir.path());
  EXPECT_EQ(out.code, 2);
  EXPECT_EQ(out.err, "telemetry-collector aggregate: give --store or --db, not both\n");
  out = Collector("kpis --from 2016-02-01 --to 2016-02-02", dir.path());
  EXPECT_EQ(out.code, 2);
  EXPECT_NE(out.err.find("--store"), std::string::npos) << out.err;
}

TEST(ClickHouseKpiErrors, DatabaseWithoutEventsAndRefusedOptions) {
  ClickHouseServers servers(1);
  ASSERT_TRUE(servers.ok()) << servers.error();
  ScopedTempDir dir;
  std::string ignored;
  ASSERT_TRUE(servers.Query(0, "CREATE DATABASE empty", &ignored)) << ignored;
  Output out = Collector("aggregate --store " + servers.StoreUrl("empty", false), dir.path());
  EXPECT_EQ(out.code, 1);
  EXPECT_NE(out.err.find("has no activity_events_local table"), std::string::npos) << out.err;
  EXPECT_EQ(std::count(out.err.begin(), out.err.end(), '\n'), 1) << out.err;
  out = Collector("aggregate --store " + servers.StoreUrl("missing", false), dir.path());
  EXPECT_EQ(out.code, 1) << out.err;
  EXPECT_EQ(std::count(out.err.begin(), out.err.end(), '\n'), 1) << out.err;

  Result<StoreUrl> url = ParseStoreUrl(servers.StoreUrl("telemetry", false));
  ASSERT_TRUE(url.ok());
  Result<std::unique_ptr<Cluster>> cluster = Cluster::Connect(*url);
  ASSERT_TRUE(cluster.ok());
  ASSERT_TRUE(clickhouse::EnsureSchema(**cluster, "").ok());
  AggregateOptions options;
  options.today = kStart;
  Result<AggregateResult> nothing = Aggregate(**cluster, options);  // No events at all.
  ASSERT_TRUE(nothing.ok()) << nothing.status().ToString();
  EXPECT_EQ(nothing->days, 0);
  options.from = kStart + 1;
  options.to = kStart;
  EXPECT_EQ(Aggregate(**cluster, options).status().code(), Status::Code::kInvalidArgument);
  options.from.reset();
  options.to.reset();
  options.retain_days = 40;
  EXPECT_EQ(Aggregate(**cluster, options).status().code(), Status::Code::kInvalidArgument);
  QueryOptions query;
  query.from = kStart;
  query.to = kStart;
  query.segment = "uid; DROP TABLE x";
  EXPECT_EQ(ComputeSegments(**cluster, query).status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace telemetry::collector::kpi
