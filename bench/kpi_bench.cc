// The daily KPI job on synthetic data: 200,000 users with 1 to 4 devices over 35 days (about
// 4 million activity events in the collector's SQLite table). Ours: the whole 35-day backfill
// (`aggregate` from nothing), and one new day after 34 (the daily run, from the stored state).
// Baseline, on the same database in the same run: the seed's own strawman SQL (count distinct for
// DAU and MAU, its self-join for multi-device users) for the same days; the strawman's per-day
// costs are measured on a few days and multiplied out.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "collector/kpi/kpi_job.h"
#include "telemetry/base/sqlite.h"

namespace {

using telemetry::kDayMillis;
using telemetry::collector::kpi::Day;
using telemetry::sqlite::Database;

// As telemetry-collector does at its start (collector/cli/main.cc).
[[maybe_unused]] const bool kNoSqliteStatistics = telemetry::sqlite::DisableMemoryStatistics();

constexpr int kUsers = 200000;
constexpr int kDays = 35;
const Day kFirst = 16800;  // 2015-12-30

struct Data {
  std::string dir;
  std::string path;
  int64_t events = 0;
};

const Data& TheData() {
  static Data* data = [] {
    auto* d = new Data;
    std::string pattern = (std::filesystem::temp_directory_path() / "kpi-bench-XXXXXX");
    d->dir = mkdtemp(pattern.data());
    d->path = d->dir + "/collector.db";
    // The database is some 700 MB: gone when the benchmark ends.
    static const std::string dir = d->dir;
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    });
    auto db = std::move(Database::Open(d->path, Database::Mode::kReadWrite)).value();
    (void)db->Execute(R"sql(
      PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
      CREATE TABLE activity_events(
        document_id TEXT, timestamp INTEGER NOT NULL, seqId TEXT, seqTime INTEGER,
        type TEXT NOT NULL, uid TEXT, deviceId TEXT, newUser INTEGER NOT NULL,
        userAgentBrowser TEXT, userAgentVersion TEXT, userAgentOS TEXT, service TEXT,
        context TEXT, entrypoint TEXT, campaign TEXT, migration TEXT, sample_id INTEGER);)sql");
    auto insert =
        std::move(db->Prepare("INSERT INTO activity_events (timestamp, type, uid, deviceId, "
                              "newUser, seqTime, service, sample_id) VALUES (?, ?, ?, ?, 0, "
                              "?, 'sync', ?)"))
            .value();
    std::mt19937 random(35);
    (void)db->Execute("BEGIN");
    const char* types[] = {"account.login", "account.signed", "device.connected"};
    for (int day = 0; day < kDays; ++day) {
      for (int user = 0; user < kUsers; ++user) {
        if (random() % 100 >= 40) continue;  // 40% of users active on a day.
        const int devices = 1 + user % 4;
        const int events = 1 + static_cast<int>(random() % 2);
        for (int e = 0; e < events; ++e) {
          char uid[16], device[24];
          std::snprintf(uid, sizeof(uid), "u%06d", user);
          std::snprintf(device, sizeof(device), "u%06d-d%d", user,
                        static_cast<int>(random() % devices));
          insert->Bind(1, (kFirst + day) * kDayMillis + static_cast<int64_t>(random() % kDayMillis))
              .Bind(2, types[random() % 3])
              .Bind(3, uid)
              .Bind(4, device)
              .Bind(5, static_cast<int64_t>(random() % 60000))
              .Bind(6, static_cast<int64_t>(user % 100));
          (void)insert->Run();
          ++d->events;
        }
      }
    }
    (void)db->Execute("COMMIT");
    // The KPI job's index, made once (the collector's ingest keeps it up to date). The
    // strawman gets the indexes it needs too.
    (void)db->Execute(
        "CREATE INDEX IF NOT EXISTS activity_events_for_kpis_v2 ON activity_events"
        "(timestamp, uid, deviceId, type, service, newUser, seqTime, userAgentOS, "
        "userAgentBrowser)");
    return d;
  }();
  return *data;
}

// Drops the job's tables: the next aggregate starts from nothing.
void DropKpiTables(const Data& data) {
  auto db = std::move(Database::Open(data.path, Database::Mode::kReadWrite)).value();
  (void)db->Execute(
      "DROP TABLE IF EXISTS kpi_daily; DROP TABLE IF EXISTS kpi_meta; "
      "DROP TABLE IF EXISTS kpi_state; "
      "DROP TABLE IF EXISTS users_services_daily; DROP TABLE IF EXISTS kpi_dirty_days; "
      "DROP TRIGGER IF EXISTS kpi_log_arrivals;");
}

// A plain `aggregate` (yesterday is today - 1) on the data set; the number of days computed.
int Aggregate(const Data& data, Day today) {
  telemetry::collector::kpi::AggregateOptions options;
  options.today = today;
  auto result = telemetry::collector::kpi::Aggregate(data.path, options);
  return result.ok() ? result->days : -1;
}

void BM_Ours_Backfill35Days(benchmark::State& state) {
  const Data& data = TheData();
  for (auto _ : state) {
    state.PauseTiming();
    DropKpiTables(data);
    state.ResumeTiming();
    if (Aggregate(data, kFirst + kDays) != kDays) state.SkipWithError("aggregate failed");
  }
  state.counters["events"] = static_cast<double>(data.events);
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(data.events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Ours_Backfill35Days)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

// The daily job's usual run: 34 days aggregated (untimed), then the 35th, from the stored state.
void BM_Ours_OneNewDay(benchmark::State& state) {
  const Data& data = TheData();
  for (auto _ : state) {
    state.PauseTiming();
    DropKpiTables(data);
    if (Aggregate(data, kFirst + kDays - 1) != kDays - 1) state.SkipWithError("backfill failed");
    state.ResumeTiming();
    if (Aggregate(data, kFirst + kDays) != 1) state.SkipWithError("aggregate failed");
  }
}
BENCHMARK(BM_Ours_OneNewDay)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

// Runs `sql` with ?1 = the day's start, ?2 = its end; returns the first column.
int64_t Query(Database& db, const std::string& sql, Day day) {
  auto statement = std::move(db.Prepare(sql)).value();
  statement->Bind(1, day * kDayMillis).Bind(2, (day + 1) * kDayMillis);
  (void)statement->Step();
  return statement->Int(0);
}

const char kDau[] =
    "SELECT COUNT(DISTINCT uid) FROM activity_events WHERE timestamp >= ?1 AND timestamp < ?2";
const char kMau[] =
    "SELECT COUNT(DISTINCT uid) FROM activity_events "
    "WHERE timestamp >= ?2 - 28 * 86400000 AND timestamp < ?2";
const char kMultiDevice[] =
    "SELECT COUNT(DISTINCT eNow.uid) FROM activity_events AS eNow "
    "INNER JOIN activity_events AS ePrev ON eNow.uid = ePrev.uid "
    "WHERE eNow.timestamp >= ?1 AND eNow.timestamp < ?2 "
    "AND ePrev.timestamp >= ?1 - 5 * 86400000 AND ePrev.timestamp < eNow.timestamp "
    "AND eNow.deviceId IS NOT NULL AND ePrev.deviceId IS NOT NULL "
    "AND eNow.deviceId != ePrev.deviceId";

// The strawman's DAU + MAU + multi-device DAU for one day (the last one, with the longest
// windows), timed; the counter "x35_seconds" is the per-day cost times the 35 days.
void BM_Baseline_StrawmanSql_OneDay(benchmark::State& state) {
  const Data& data = TheData();
  auto db = std::move(Database::Open(data.path, Database::Mode::kReadWrite)).value();
  (void)db->Execute(
      "CREATE INDEX IF NOT EXISTS activity_events_by_uid ON activity_events(uid, timestamp);");
  const Day day = kFirst + kDays - 1;
  int64_t md = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(Query(*db, kDau, day));
    benchmark::DoNotOptimize(Query(*db, kMau, day));
    md = Query(*db, kMultiDevice, day);
  }
  state.counters["md_dau"] = static_cast<double>(md);
}
BENCHMARK(BM_Baseline_StrawmanSql_OneDay)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
