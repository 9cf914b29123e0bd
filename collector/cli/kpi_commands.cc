// telemetry-collector aggregate and kpis: the daily KPI job and its table (collector/kpi/).
#include <unistd.h>

#include <chrono>
#include <iostream>

#include "collector/cli/commands.h"
#include "collector/clickhouse/cluster.h"
#include "collector/clickhouse/store_url.h"
#include "collector/kpi/clickhouse_kpi_job.h"
#include "collector/kpi/kpi_job.h"
#include "collector/kpi/kpi_output.h"
#include "telemetry/base/clock.h"

namespace telemetry::collector::cli {
namespace {

using kpi::Day;

// Parses YYYY-MM-DD, or says why not.
bool ParseDay(const std::string& text, const char* flag, Day* day) {
  std::optional<Day> parsed = ParseUtcDate(text);
  if (!parsed) {
    std::cerr << "telemetry-collector: " << flag << " wants a date as YYYY-MM-DD, not '" << text
              << "'\n";
    return false;
  }
  *day = *parsed;
  return true;
}

Day Today() { return UtcDayOf(SystemClock().NowMillis()); }

struct AggregateArgs {
  std::string db, store;
  std::string from, to;
  std::string through;  // Empty: yesterday.
  int retain_days = 0;
  int md_window_days = 6;
  std::vector<std::string> activity_types;
};

struct KpisArgs {
  std::string db, store;
  std::string from, to;
  std::string format = "csv";
  std::string segment;
  int sample = 100;
};

// One line per day: a log reads them as they come. On a terminal, one line redrawn.
void ShowProgress(bool tty, Day day, Day first, Day last, const kpi::KpiRow& kpis) {
  if (tty) {
    std::cerr << "\raggregating " << UtcDateOfDay(day) << " (" << (last - day) << " days left)  "
              << std::flush;
    return;
  }
  std::cerr << "aggregate: " << UtcDateOfDay(day) << " done (day " << (day - first + 1) << " of "
            << (last - first + 1) << "): dau " << kpis.dau << ", wau " << kpis.wau << ", mau "
            << kpis.mau << "\n";
}

// Unavailable is another run holding the SQLite job, but a server that cannot be reached on
// ClickHouse (which has no job lock): a failure.
int ExitFor(const Status& status, bool clickhouse = false) {
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
      return kExitUsage;
    case Status::Code::kUnavailable:
      return clickhouse ? kExitFailure : kExitBusy;
    default:
      return kExitFailure;
  }
}

Result<kpi::AggregateOptions> AggregateOptionsOf(const AggregateArgs& args) {
  kpi::AggregateOptions options;
  options.today = Today();
  if (!args.through.empty()) {
    Day through = 0;
    if (!ParseDay(args.through, "--through", &through)) return Status::InvalidArgument("");
    options.today = through + 1;
  }
  options.retain_days = args.retain_days;
  options.config.multi_device_window_days = args.md_window_days;
  options.config.activity_types.insert(args.activity_types.begin(), args.activity_types.end());
  if (args.from.empty() != args.to.empty()) {
    return Status::InvalidArgument("give both --from and --to, or neither");
  }
  if (!args.from.empty()) {
    Day from = 0, to = 0;
    if (!ParseDay(args.from, "--from", &from) || !ParseDay(args.to, "--to", &to)) {
      return Status::InvalidArgument("");  // Said by ParseDay.
    }
    options.from = from;
    options.to = to;
  }
  return options;
}

// The store `--store` / `--db` name, connected to when it is ClickHouse. False: said why on
// stderr, *exit_code set (2 for a bad URL, 1 for servers that cannot be reached or do not fit).
struct Store {
  StoreUrl url;
  std::unique_ptr<clickhouse::Cluster> cluster;  // Set for a clickhouse:// store.
};
bool OpenStore(const char* command, const std::string& store, const std::string& db, Store* out,
               int* exit_code) {
  Result<StoreUrl> url = StoreUrlOf(store, db);
  if (!url.ok()) {
    std::cerr << "telemetry-collector " << command << ": " << url.status().message() << "\n";
    *exit_code = kExitUsage;
    return false;
  }
  out->url = *url;
  if (!url->clickhouse()) return true;
  Result<std::unique_ptr<clickhouse::Cluster>> cluster = clickhouse::Cluster::Connect(*url);
  if (!cluster.ok()) {
    std::cerr << "telemetry-collector " << command << ": cannot use " << url->ToString() << ": "
              << cluster.status().message() << "\n";
    *exit_code =
        cluster.status().code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure;
    return false;
  }
  out->cluster = std::move(cluster).value();
  return true;
}

int RunAggregate(const AggregateArgs& args) {
  Store store;
  int exit_code = kExitOk;
  if (!OpenStore("aggregate", args.store, args.db, &store, &exit_code)) return exit_code;
  Result<kpi::AggregateOptions> options = AggregateOptionsOf(args);
  if (!options.ok()) {
    if (!options.status().message().empty()) {
      std::cerr << "telemetry-collector aggregate: " << options.status().message() << "\n";
    }
    return kExitUsage;
  }
  const bool tty = isatty(STDERR_FILENO);
  options->progress = [tty](Day day, Day first, Day last, const kpi::KpiRow& kpis) {
    ShowProgress(tty, day, first, last, kpis);
  };
  Result<kpi::AggregateResult> result = store.cluster
                                            ? kpi::Aggregate(*store.cluster, *options)
                                            : kpi::Aggregate(store.url.sqlite_path, *options);
  if (tty) std::cerr << "\r" << std::string(50, ' ') << "\r";
  if (!result.ok()) {
    std::cerr << "telemetry-collector aggregate: " << result.status().message() << "\n";
    return ExitFor(result.status(), store.cluster != nullptr);
  }
  if (result->days == 0) {
    std::cout << "aggregate: nothing to do (every day up to yesterday is aggregated)\n";
    return kExitNothingToDo;
  }
  std::cout << "aggregate: " << result->days << " days computed, " << UtcDateOfDay(*result->first)
            << " to " << UtcDateOfDay(*result->last);
  if (args.retain_days > 0) {
    std::cout << "; " << result->events_deleted << " raw events older than " << args.retain_days
              << " days deleted";
  }
  std::cout << "\n";
  return kExitOk;
}

int RunKpis(const KpisArgs& args) {
  Store store;
  int exit_code = kExitOk;
  if (!OpenStore("kpis", args.store, args.db, &store, &exit_code)) return exit_code;
  kpi::QueryOptions query;
  if (!ParseDay(args.from, "--from", &query.from) || !ParseDay(args.to, "--to", &query.to)) {
    return kExitUsage;
  }
  if (query.from > query.to) {
    std::cerr << "telemetry-collector kpis: --from is after --to\n";
    return kExitUsage;
  }
  query.sample = args.sample;
  query.segment = args.segment;
  const bool json = args.format == "json";
  if (args.sample < 100) {
    // Said in the output itself: a CSV comment line, or a JSON wrapper.
    if (!json)
      std::cout << "# sampled: sample_id < " << args.sample << " (" << args.sample
                << "% of users)\n";
  }
  if (!args.segment.empty()) {
    Result<std::vector<kpi::SegmentRow>> rows =
        store.cluster ? kpi::ComputeSegments(*store.cluster, query)
                      : kpi::ComputeSegments(store.url.sqlite_path, query);
    if (!rows.ok()) {
      std::cerr << "telemetry-collector kpis: " << rows.status().message() << "\n";
      return rows.status().code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure;
    }
    if (json) {
      if (args.sample < 100) std::cout << "{\"sample\": " << args.sample << ", \"rows\":\n";
      kpi::WriteSegmentsJson(args.segment, *rows, std::cout);
      if (args.sample < 100) std::cout << "}\n";
    } else {
      kpi::WriteSegmentsCsv(args.segment, *rows, std::cout);
    }
    return kExitOk;
  }
  Result<std::vector<kpi::KpiRow>> rows =
      store.cluster
          ? (args.sample < 100 ? kpi::ComputeKpis(*store.cluster, query)
                               : kpi::ReadKpis(*store.cluster, query.from, query.to))
          : (args.sample < 100 ? kpi::ComputeKpis(store.url.sqlite_path, query)
                               : kpi::ReadKpis(store.url.sqlite_path, query.from, query.to));
  if (!rows.ok()) {
    std::cerr << "telemetry-collector kpis: " << rows.status().message() << "\n";
    return kExitFailure;
  }
  const size_t expected = static_cast<size_t>(query.to - query.from + 1);
  if (rows->size() < expected) {
    std::cerr << "telemetry-collector kpis: " << (expected - rows->size())
              << " of the days asked for are not aggregated yet (run aggregate)\n";
  }
  if (json) {
    if (args.sample < 100) std::cout << "{\"sample\": " << args.sample << ", \"rows\":\n";
    kpi::WriteKpisJson(*rows, std::cout);
    if (args.sample < 100) std::cout << "}\n";
  } else {
    kpi::WriteKpisCsv(*rows, std::cout);
  }
  return kExitOk;
}

}  // namespace

void AddAggregateCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<AggregateArgs>();
  CLI::App* cmd =
      app.add_subcommand("aggregate",
                         "Compute the daily KPIs: every day not aggregated yet and every day made "
                         "dirty by late data, up to yesterday (UTC)");
  cmd->add_option("--db", args->db,
                  "The collector's SQLite database (short for --store sqlite:PATH)");
  cmd->add_option("--store", args->store,
                  "Where the events are and the KPIs go: sqlite:PATH, or "
                  "clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE[?cluster=NAME] (the KPIs are "
                  "then computed by ClickHouse and stored in its kpi_daily table)");
  cmd->add_option("--from", args->from, "First day to recompute (YYYY-MM-DD), with --to");
  cmd->add_option("--to", args->to, "Last day to recompute (YYYY-MM-DD), with --from");
  cmd->add_option("--through", args->through,
                  "Without --from/--to: the last day to aggregate (YYYY-MM-DD; default yesterday)");
  cmd->add_option("--retain-days", args->retain_days,
                  "Afterwards delete raw activity events older than this many days (>= 35; "
                  "SQLite only)")
      ->check(PlainDecimal());
  cmd->add_option("--md-window-days", args->md_window_days,
                  "Days of the multi-device window, the day itself included")
      // A recomputation replays kWarmUpDays: 27 for the MAU window, the rest for this one.
      ->check(PlainDecimal() & CLI::Range(1, kpi::kWarmUpDays - 27))
      ->capture_default_str();
  cmd->add_option("--activity-types", args->activity_types,
                  "Event types that count as activity (default: all)")
      ->delimiter(',');
  cmd->footer(
      "Exit status: 0 days computed; 3 nothing to do (every day up to yesterday is done); "
      "4 another aggregate holds the job (nothing changed; SQLite); 2 wrong options or a bad "
      "--store URL; 1 failed (a ClickHouse server that cannot be reached, too). Exactly one of "
      "--db and --store.");
  cmd->callback([args, exit_code] { *exit_code = RunAggregate(*args); });
}

void AddKpisCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<KpisArgs>();
  CLI::App* cmd = app.add_subcommand("kpis", "Print the daily KPI table (../shared/KPI.md)");
  cmd->add_option("--db", args->db,
                  "The collector's SQLite database (short for --store sqlite:PATH)");
  cmd->add_option("--store", args->store,
                  "Where the KPIs are: sqlite:PATH, or "
                  "clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE[?cluster=NAME]");
  cmd->add_option("--from", args->from, "First day (YYYY-MM-DD)")->required();
  cmd->add_option("--to", args->to, "Last day (YYYY-MM-DD)")->required();
  cmd->add_option("--format", args->format, "csv or json")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--segment", args->segment,
                  "One row per day per value of this column (userAgentOS, service, ..., "
                  "multi_device)");
  cmd->add_option("--sample", args->sample, "Only users with sample_id < N (1-100)")
      ->check(PlainDecimal() & CLI::Range(1, 100));
  cmd->footer(
      "Exactly one of --db and --store. Exit status: 0 printed; 2 wrong options or a bad "
      "--store URL; 1 failed (a ClickHouse server that cannot be reached, too).");
  cmd->callback([args, exit_code] { *exit_code = RunKpis(*args); });
}

}  // namespace telemetry::collector::cli
