// The daily KPI job over the collector's SQLite database: `aggregate` computes and stores the
// KPIs of ../shared/KPI.md day by day, incrementally; `kpis` reads them back or, for a sampled
// or segmented query, computes them from the raw activity events.
//
// Tables it owns (beside the collector's activity_events): kpi_daily (one row per day, KPI.md's
// columns), kpi_state / kpi_meta (the engine's state, one compressed blob, as of the last
// aggregated day), kpi_dirty_days (per day, the activity rows that arrived since the job last
// took the day in, kept by a trigger on activity_events), users_services_daily (one row per
// user per service per day). Runs are idempotent; events that arrive for days already
// aggregated make those days and every later one be computed again on the next plain run, even
// when a --from/--to run came in between.
//
// A run reads one snapshot (a read transaction on a connection of its own) and writes each day
// in a short transaction of its own, so ingestion goes on while it runs. One run at a time per
// database: Aggregate() takes an exclusive lock on <db>.kpi.lock and fails with Unavailable,
// changing nothing, while another run holds it. Never creates a database.
#ifndef COLLECTOR_KPI_KPI_JOB_H_
#define COLLECTOR_KPI_KPI_JOB_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "collector/kpi/kpi_engine.h"
#include "telemetry/base/sqlite.h"
#include "telemetry/base/status.h"

namespace telemetry::collector::kpi {

// Raw events older than this many days before a day cannot change it: a recomputation replays
// the 27 days of the MAU window plus the multi-device window before it.
inline constexpr int kWarmUpDays = 33;
inline constexpr int kMinRetainDays = kWarmUpDays + 2;

struct AggregateOptions {
  std::optional<Day> from;  // With `to`: recompute exactly these days.
  std::optional<Day> to;
  Day today = 0;        // Without dates: up to the day before this one (UTC).
  int retain_days = 0;  // > 0: afterwards delete raw events older than this many days.
  KpiConfig config;
  // Called after each day is stored, with the run's first and last days and the day's KPIs.
  std::function<void(Day day, Day first, Day last, const KpiRow& kpis)> progress;
};

struct AggregateResult {
  int days = 0;  // Days computed.
  std::optional<Day> first, last;
  int64_t events_deleted = 0;
};

// InvalidArgument for options no store can run: --from without --to, a reversed range, too few
// retained days. Both jobs (this one and clickhouse_kpi_job.h) check with it.
Status CheckAggregateOptions(const AggregateOptions& options);

// InvalidArgument for bad options (a reversed range), NotFound for a missing database,
// Unavailable when another run holds the job.
Result<AggregateResult> Aggregate(const std::string& db_path, const AggregateOptions& options);

// The stored KPIs of [from, to]; days not aggregated yet are missing from the result.
Result<std::vector<KpiRow>> ReadKpis(const std::string& db_path, Day from, Day to);

// For readers that must never write (the dashboard): opens an existing, aggregated collector
// database read-only (no schema is added, no lock taken). NotFound for a missing file,
// FailedPrecondition for a file that is not a collector database or was never aggregated.
Result<std::unique_ptr<sqlite::Database>> OpenForReading(const std::string& db_path);
// ReadKpis and ComputeSegments over a connection opened by OpenForReading: the same reading code.
Result<std::vector<KpiRow>> ReadKpis(sqlite::Database& db, Day from, Day to);
// The first and last aggregated days; nullopt when kpi_daily is empty.
struct AggregatedDays {
  Day first = 0, last = 0;
};
Result<std::optional<AggregatedDays>> ReadAggregatedDays(sqlite::Database& db);

struct QueryOptions {
  Day from = 0, to = 0;
  int sample = 100;     // < 100: only users with sample_id < sample.
  std::string segment;  // A column of the event table, or "multi_device"; empty: none.
  KpiConfig config;
};

// Computed from the raw events (sampled queries).
Result<std::vector<KpiRow>> ComputeKpis(const std::string& db_path, const QueryOptions& options);

struct SegmentRow {
  Day day = 0;
  std::string segment;  // The column's value ("" for NULL).
  int64_t dau = 0, wau = 0, mau = 0;
  std::optional<double> engagement_ratio;
};
Result<std::vector<SegmentRow>> ComputeSegments(const std::string& db_path,
                                                const QueryOptions& options);
Result<std::vector<SegmentRow>> ComputeSegments(sqlite::Database& db, const QueryOptions& options);

// The segment columns `--segment` accepts.
const std::vector<std::string>& SegmentColumns();
// InvalidArgument unless `segment` is one of them (it goes into SQL text).
Status CheckSegment(const std::string& segment);

}  // namespace telemetry::collector::kpi

#endif  // COLLECTOR_KPI_KPI_JOB_H_
