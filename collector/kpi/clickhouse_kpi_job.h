// The daily KPI job over a ClickHouse store (`--store clickhouse://...`, docs/SCALE-OUT.md):
// the functions of kpi_job.h, with the same options, semantics and results (`kpis` prints the
// same bytes as over SQLite for the same events), the heavy work done by ClickHouse.
//
//   Result<std::unique_ptr<clickhouse::Cluster>> cluster = clickhouse::Cluster::Connect(*url);
//   Result<AggregateResult> done = Aggregate(**cluster, options);
//   Result<std::vector<KpiRow>> rows = ReadKpis(**cluster, from, to);
//
// How: every row of one account lives on one shard, so the per-user distinct counts (DAU, WAU,
// MAU, md_dau, md_mau, and the segments' DAU/WAU/MAU) are computed by each shard over its own
// activity_events_local FINAL (FINAL: duplicates of one event not merged yet count once) and
// added up here. The event counts and the time-to-connect percentiles are read through the
// Distributed table (FINAL too): per day and newUser, n and the sorted seqTimes at the two ranks
// around p * (n - 1), interpolated here with the engine's own operations. The ratios are
// computed here from those integers with kpi_engine.cc's expressions, so every double is the
// one the SQLite job computes.
//
// Tables the job owns, on the coordinator (shard 0), created on first use:
//   kpi_daily        one row per day: KPI.md's columns; the doubles are stored as their IEEE
//                    bit patterns (`*_bits` Int64: ClickHouse 18.16's text form of a Float64
//                    does not round-trip), readable as Float64 through ALIAS columns of
//                    KPI.md's names. ReplacingMergeTree(version) ORDER BY day.
//   kpi_input_days   per day, the number of distinct activity rows (FINAL) the last plain run
//                    saw for it.
//   kpi_job_meta     `state_day`: the last day of the last plain run.
// and on every shard, with a Distributed table over them when the URL has a cluster:
//   users_services_daily_local   SQLite's users_services_daily (date, uid, service, events, os,
//                    browser, country) for the shard's users, by one INSERT ... SELECT per
//                    shard and round; ReplacingMergeTree(version) ORDER BY (day, uid, service).
// Incremental: a plain run computes (state_day, today - 1] and, when the count of a day up to
// state_day differs from kpi_input_days (late events), that day and every later one. A
// --from/--to run computes exactly its days and leaves kpi_input_days and state_day alone (so
// the next plain run still takes in late days). Idempotent: a rerun finds nothing to do.
//
// Concurrent runs: no lock (ClickHouse 18.16 without ZooKeeper has none to offer). Every row a
// run writes is whole and carries the run's version (its start time in microseconds); FINAL
// keeps, per day, the row of the run that started last, so two runs at once never mix their
// rows and leave the result of the later snapshot. Not thread-safe: a Cluster is used by one
// thread at a time.
#ifndef COLLECTOR_KPI_CLICKHOUSE_KPI_JOB_H_
#define COLLECTOR_KPI_CLICKHOUSE_KPI_JOB_H_

#include <vector>

#include "collector/clickhouse/cluster.h"
#include "collector/kpi/kpi_job.h"
#include "telemetry/base/status.h"

namespace telemetry::collector::kpi {

// As the SQLite Aggregate: InvalidArgument for bad options (a reversed range; retain_days,
// which the ClickHouse store does not support yet), FailedPrecondition when the database has no
// activity_events_local table, Unavailable / FailedPrecondition for a server that cannot be
// reached or refuses a query.
Result<AggregateResult> Aggregate(clickhouse::Cluster& cluster, const AggregateOptions& options);

// The stored KPIs of [from, to]; days not aggregated yet are missing from the result.
Result<std::vector<KpiRow>> ReadKpis(clickhouse::Cluster& cluster, Day from, Day to);

// Computed from the raw events (sampled queries).
Result<std::vector<KpiRow>> ComputeKpis(clickhouse::Cluster& cluster, const QueryOptions& options);

// One row per day per value of options.segment (SegmentColumns()) with MAU > 0, ordered by day
// and value, as the SQLite ComputeSegments.
Result<std::vector<SegmentRow>> ComputeSegments(clickhouse::Cluster& cluster,
                                                const QueryOptions& options);

}  // namespace telemetry::collector::kpi

#endif  // COLLECTOR_KPI_CLICKHOUSE_KPI_JOB_H_
