#include "collector/kpi/clickhouse_kpi_job.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "collector/clickhouse/tsv.h"
#include "collector/ingest/limits.h"

namespace telemetry::collector::kpi {
namespace {

using clickhouse::ClickHouseClient;
using clickhouse::Cluster;
using clickhouse::SqlQuote;
using clickhouse::TsvInt;
using clickhouse::TsvRow;
using clickhouse::TsvWriter;

constexpr Day kWauDays = 7;
constexpr Day kMauDays = 28;
// Days computed per round of queries: bounds what the coordinator holds of the time-to-connect
// values; a 35-day backfill is one round (each round reads its 33 days of warm-up again).
constexpr Day kChunkDays = 64;
// As the SQLite job: no row makes the job walk from before the door's window.
constexpr Day kFirstPlausibleDay = static_cast<Day>(kEarliestPlausibleMs / kDayMillis);

const char kEvents[] = "activity_events";

// The doubles of a row, in kpi_daily's column order (their `_bits` columns).
const char* const kDoubleColumns[] = {"engagement_ratio", "md_engagement_ratio", "ttc_new_p25",
                                      "ttc_new_p50",      "ttc_new_p75",         "ttc_existing_p25",
                                      "ttc_existing_p50", "ttc_existing_p75",    "completion_rate"};

std::string KpiDailySchema() {
  std::string aliases;
  for (const char* name : kDoubleColumns) {
    aliases += std::string(", ") + name + " Nullable(Float64) ALIAS reinterpretAsFloat64(" +
               "reinterpretAsString(" + name + "_bits))";
  }
  return "CREATE TABLE IF NOT EXISTS kpi_daily (day Int32, date String, dau Int64, wau Int64, "
         "mau Int64, engagement_ratio_bits Nullable(Int64), md_dau Int64, md_mau Int64, "
         "md_engagement_ratio_bits Nullable(Int64), ttc_new_n Int64, "
         "ttc_new_p25_bits Nullable(Int64), ttc_new_p50_bits Nullable(Int64), "
         "ttc_new_p75_bits Nullable(Int64), ttc_existing_n Int64, "
         "ttc_existing_p25_bits Nullable(Int64), ttc_existing_p50_bits Nullable(Int64), "
         "ttc_existing_p75_bits Nullable(Int64), sequences_begun Int64, "
         "devices_connected Int64, completion_rate_bits Nullable(Int64), version UInt64" +
         aliases + ") ENGINE = ReplacingMergeTree(version) ORDER BY day";
}

const char kKpiDailyColumns[] =
    "day, date, dau, wau, mau, engagement_ratio_bits, md_dau, md_mau, md_engagement_ratio_bits, "
    "ttc_new_n, ttc_new_p25_bits, ttc_new_p50_bits, ttc_new_p75_bits, ttc_existing_n, "
    "ttc_existing_p25_bits, ttc_existing_p50_bits, ttc_existing_p75_bits, sequences_begun, "
    "devices_connected, completion_rate_bits";

constexpr char kUsersServices[] = "users_services_daily";
constexpr char kUsersServicesSchema[] =
    "(day Int32, date String, uid String, service String, events Int64, os Nullable(String), "
    "browser Nullable(String), country Nullable(String), version UInt64) "
    "ENGINE = ReplacingMergeTree(version) PARTITION BY day ORDER BY (day, uid, service)";
const char kInputDaysSchema[] =
    "CREATE TABLE IF NOT EXISTS kpi_input_days (day Int32, rows UInt64, version UInt64) "
    "ENGINE = ReplacingMergeTree(version) ORDER BY day";
const char kMetaSchema[] =
    "CREATE TABLE IF NOT EXISTS kpi_job_meta (key String, value Int64, version UInt64) "
    "ENGINE = ReplacingMergeTree(version) ORDER BY key";

Result<std::vector<TsvRow>> Rows(ClickHouseClient& server, const std::string& sql) {
  Result<std::string> body = server.Query(sql + " FORMAT TabSeparated");
  if (!body.ok()) return body.status();
  return clickhouse::ParseTsv(*body);
}

Status Run(ClickHouseClient& server, const std::string& sql) {
  Result<std::string> body = server.Query(sql);
  return body.ok() ? Status::Ok() : body.status();
}

// The job's tables on the coordinator; FailedPrecondition for a database the collector never
// stored into.
Status EnsureTables(Cluster& cluster) {
  ClickHouseClient& coordinator = cluster.coordinator();
  Result<std::vector<TsvRow>> found =
      Rows(coordinator,
           "SELECT count() FROM system.tables WHERE database = currentDatabase() "
           "AND name = " +
               SqlQuote(Cluster::Local(kEvents)));
  if (!found.ok()) return found.status();
  if (found->empty() || found->front().empty() || found->front()[0] != "1") {
    return Status::FailedPrecondition(
        "the ClickHouse database " + cluster.url().database + " on " +
        coordinator.endpoint().ToString() +
        " has no activity_events_local table (store events into it first: import or serve)");
  }
  for (const std::string& sql :
       {KpiDailySchema(), std::string(kInputDaysSchema), std::string(kMetaSchema)}) {
    if (Status s = Run(coordinator, sql); !s.ok()) return s;
  }
  // users_services_daily lives with its users, on every shard, read through a Distributed table.
  for (int shard = 0; shard < cluster.shards(); ++shard) {
    const std::string local = Cluster::Local(kUsersServices);
    if (Status s = Run(cluster.shard(shard),
                       "CREATE TABLE IF NOT EXISTS " + local + " " + kUsersServicesSchema);
        !s.ok()) {
      return s;
    }
    if (cluster.url().cluster.empty()) continue;
    if (Status s = Run(cluster.shard(shard),
                       "CREATE TABLE IF NOT EXISTS " + std::string(kUsersServices) + " AS " +
                           local + " ENGINE = Distributed(" + cluster.url().cluster + ", " +
                           cluster.url().database + ", " + local + ")");
        !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

// The WHERE conditions every KPI query puts on the events.
struct Filter {
  std::string activity;  // " AND type IN (...)": the types that count as activity.
  std::string sample;    // " AND sample_id < N"
};

Filter FilterOf(const KpiConfig& config, int sample) {
  Filter filter;
  if (!config.activity_types.empty()) {
    filter.activity = " AND type IN (";
    bool first = true;
    for (const std::string& type : config.activity_types) {
      filter.activity += (first ? "" : ", ") + SqlQuote(type);
      first = false;
    }
    filter.activity += ")";
  }
  if (sample < 100) filter.sample = " AND sample_id < " + std::to_string(sample);
  return filter;
}

std::string DayRange(Day lo, Day hi) {
  return "day >= " + std::to_string(lo) + " AND day <= " + std::to_string(hi);
}

// The distinct (seg, uid, day) of activity in [lo, hi] on one shard. No FINAL: the copies of
// one event that FINAL would merge are equal in every column, so DISTINCT already keeps one.
std::string ActivityUserDays(Day lo, Day hi, const Filter& filter, const std::string& segment) {
  return "SELECT DISTINCT " + segment + " AS seg, uid, day FROM " + Cluster::Local(kEvents) +
         " WHERE " + DayRange(lo, hi) + " AND uid != ''" + filter.activity + filter.sample;
}

// The (uid, md) of one shard where md in [lo, hi] is a day the user was a multi-device user:
// a device active on md and another one active within the window ending on md. Per user-day,
// the smallest and largest device id (no FINAL, as above); a day with two is multi-device; a
// day with one device v is when one of the window's earlier days has a device other than v,
// i.e. a smallest or largest id other than v. Per user, the days in order and the same arrays
// shifted by 1 .. window - 1 places, so that one lambda over aligned arrays looks back: a
// lambda that indexes a captured array costs its whole array per element in 18.16.
std::string MultiDeviceUserDays(Day lo, Day hi, int window, const Filter& filter) {
  std::string args = "d, l, h", arrays = "days, lows, highs", shifted, looks_back;
  for (int o = 1; o < window; ++o) {
    const std::string n = std::to_string(o);
    std::string no_day = "[", no_id = "[";
    for (int k = 0; k < o; ++k) {
      no_day += std::string(k ? ", " : "") + "toInt32(-2147483647)";
      no_id += std::string(k ? ", " : "") + "''";
    }
    no_day += "]";
    no_id += "]";
    shifted += ", arraySlice(arrayConcat(" + no_day + ", days), 1, length(days)) AS d" + n +
               ", arraySlice(arrayConcat(" + no_id + ", lows), 1, length(days)) AS l" + n +
               ", arraySlice(arrayConcat(" + no_id + ", highs), 1, length(days)) AS h" + n;
    args += ", d" + n + ", l" + n + ", h" + n;
    arrays += ", d" + n + ", l" + n + ", h" + n;
    looks_back += " OR (d" + n + " >= d - " + std::to_string(window - 1) + " AND (l" + n +
                  " != l OR h" + n + " != l))";
  }
  return "SELECT uid, md FROM (SELECT uid, arrayFilter((" + args +
         ") -> d >= " + std::to_string(lo) + " AND d <= " + std::to_string(hi) + " AND (l != h" +
         looks_back + "), " + arrays + ") AS mds FROM (SELECT uid, days, lows, highs" + shifted +
         " FROM (SELECT uid, arrayMap(t -> t.1, ts) AS days, arrayMap(t -> t.2, ts) AS lows, "
         "arrayMap(t -> t.3, ts) AS highs FROM (SELECT uid, arraySort(groupArray(tuple(day, low, "
         "high))) AS ts FROM (SELECT uid, day, min(deviceId) AS low, max(deviceId) AS high FROM " +
         Cluster::Local(kEvents) + " WHERE " + DayRange(lo - window + 1, hi) +
         " AND uid != '' AND deviceId != ''" + filter.activity + filter.sample +
         " GROUP BY uid, day) GROUP BY uid)))) ARRAY JOIN mds AS md";
}

struct Counts {
  int64_t dau = 0, wau = 0, mau = 0;
};
using WindowMap = std::map<std::pair<std::string, Day>, Counts>;

// The SQL of WindowDeltas: per user (and segment), its sorted active days; each day opens a
// window of `w` days [x, x + w - 1], and overlapping windows merge. A merged window adds 1 at
// its first day and takes 1 off the day after its last, so that a running sum over the days
// is the number of distinct users active in the last `w` days: WAU (7) and MAU (28) without
// expanding every user-day into the 28 days it counts for (which took gigabytes of GROUP BY
// state). Also each day itself, for DAU.
std::string WindowDeltasSql(const std::string& user_days, Day dhi) {
  auto edges = [](int w) {
    const std::string width = std::to_string(w);
    return "arrayFilter((x, i) -> i = 1 OR x - days[i - 1] >= " + width +
           ", days, arrayEnumerate(days)) AS open" + width +
           ", arrayFilter((x, i) -> i = length(days) OR days[i + 1] - x >= " + width +
           ", days, arrayEnumerate(days)) AS close" + width;
  };
  auto deltas = [](int w, const char* plus, const char* minus) {
    const std::string width = std::to_string(w);
    return "arrayMap(x -> tuple(toInt32(x), " + std::string(plus) + "), open" + width +
           "), arrayMap(x -> tuple(toInt32(x + " + width + "), " + minus + "), close" + width + ")";
  };
  return "SELECT seg, e.1 AS d, sum(e.2), sum(e.3), sum(e.4) FROM (SELECT seg, days, " +
         edges(kWauDays) + ", " + edges(kMauDays) +
         " FROM (SELECT seg, arraySort(groupArray(day)) AS days FROM (" + user_days +
         ") GROUP BY seg, uid)) ARRAY JOIN arrayConcat(arrayMap(x -> tuple(toInt32(x), "
         "toInt8(1), toInt8(0), toInt8(0)), days), " +
         deltas(kWauDays, "toInt8(0), toInt8(1), toInt8(0)", "toInt8(0), toInt8(-1), toInt8(0)") +
         ", " +
         deltas(kMauDays, "toInt8(0), toInt8(0), toInt8(1)", "toInt8(0), toInt8(0), toInt8(-1)") +
         ") AS e WHERE d <= " + std::to_string(dhi) + " GROUP BY seg, d";
}

// Per (seg, d) for d in [dlo, dhi] with a MAU: the distinct uids of `user_days` (seg, uid, day
// rows, which must cover [dlo - 27, dhi]) on d, in [d - 6, d] and in [d - 27, d]. Every shard
// computes its own accounts at the same time (an account's rows are all on one shard), and
// their counts add up.
Status AddWindows(Cluster& cluster, const std::function<std::string(int)>& user_days, Day dlo,
                  Day dhi, WindowMap& out) {
  const int shards = cluster.shards();
  std::vector<Result<std::vector<TsvRow>>> results(shards, Status::Internal("not run"));
  std::vector<std::string> sql(shards);
  for (int shard = 0; shard < shards; ++shard) sql[shard] = WindowDeltasSql(user_days(shard), dhi);
  {
    std::vector<std::thread> threads;
    for (int shard = 0; shard < shards; ++shard) {
      threads.emplace_back([&, shard] { results[shard] = Rows(cluster.shard(shard), sql[shard]); });
    }
    for (std::thread& thread : threads) thread.join();
  }
  // Per segment, per day: the DAU and the WAU / MAU deltas, summed over the shards.
  std::map<std::string, std::map<Day, Counts>> deltas;
  for (const Result<std::vector<TsvRow>>& rows : results) {
    if (!rows.ok()) return rows.status();
    for (const TsvRow& row : *rows) {
      if (row.size() != 5 || !row[0]) return Status::Corruption("ClickHouse gave a short row");
      Result<int64_t> d = TsvInt(row[1]), dau = TsvInt(row[2]), wau = TsvInt(row[3]),
                      mau = TsvInt(row[4]);
      for (const Result<int64_t>* r : {&d, &dau, &wau, &mau}) {
        if (!r->ok()) return r->status();
      }
      Counts& counts = deltas[*row[0]][static_cast<Day>(*d)];
      counts.dau += *dau;
      counts.wau += *wau;
      counts.mau += *mau;
    }
  }
  for (const auto& [segment, days] : deltas) {
    int64_t wau = 0, mau = 0;
    auto next = days.begin();
    for (Day d = days.begin()->first; d <= dhi; ++d) {
      int64_t dau = 0;
      if (next != days.end() && next->first == d) {
        dau = next->second.dau;
        wau += next->second.wau;
        mau += next->second.mau;
        ++next;
      }
      if (d >= dlo && mau > 0) out[{segment, d}] = Counts{dau, wau, mau};
    }
  }
  return Status::Ok();
}

// kpi_engine.cc's Ratio: 100 * mean of the 7 values (missing days 0) / denominator.
std::optional<double> Ratio(const int64_t (&recent)[kWauDays], int64_t denominator) {
  if (denominator == 0) return std::nullopt;
  double sum = 0;
  for (int64_t v : recent) sum += static_cast<double>(v);
  return 100.0 * (sum / kWauDays) / static_cast<double>(denominator);
}

// PercentileCont (kpi_engine.cc) from n and the values at the two ranks around p * (n - 1):
// the same operations on the same doubles (seqTime / 1000, as the engine converts them), so the
// same bits. (No -ffp-contract games: the build targets plain x86-64, no FMA.)
std::optional<double> Percentile(int64_t n, int64_t low_ms, int64_t high_ms, double p) {
  if (n == 0) return std::nullopt;
  const double rank = p * static_cast<double>(static_cast<size_t>(n) - 1);
  const size_t low = static_cast<size_t>(std::floor(rank));
  const double low_value = static_cast<double>(low_ms) / 1000.0;
  const double high_value = static_cast<double>(high_ms) / 1000.0;
  return low_value + (rank - static_cast<double>(low)) * (high_value - low_value);
}

// The SQL picking the values at the ranks floor and ceil of num/4 * (n - 1) of the sorted
// array `a` (exact integer arithmetic; index 1-based; 0 for an empty array).
std::string RankPicks(const std::string& a) {
  std::string out;
  const std::string n1 = "(toInt64(length(" + a + ")) - 1)";
  for (int num = 1; num <= 3; ++num) {
    const std::string scaled = n1 + " * " + std::to_string(num);
    out += ", " + a + "[intDiv(" + scaled + ", 4) + 1], " + a + "[intDiv(" + scaled + ", 4) + if(" +
           scaled + " % 4 = 0, 0, 1) + 1]";
  }
  return out;
}

struct ConnectDay {
  int64_t begun = 0, connected = 0;
  int64_t n[2] = {0, 0};  // [0]: existing accounts, [1]: new ones.
  int64_t picks[2][6] = {};
};

// Per day of [lo, hi]: the connect service's sequences begun, devices connected and the
// time-to-connect ranks, over the whole cluster.
Status AddConnects(Cluster& cluster, Day lo, Day hi, const KpiConfig& config, const Filter& filter,
                   std::map<Day, ConnectDay>& out) {
  auto seq_times = [](int new_user) {
    return "arraySort(groupArrayIf(assumeNotNull(seqTime), type = 'device.connected' AND "
           "seqTime IS NOT NULL AND newUser " +
           std::string(new_user ? "!= 0" : "= 0") + "))";
  };
  const std::string sql =
      "SELECT day, begun, connected, length(a0), length(a1)" + RankPicks("a0") + RankPicks("a1") +
      " FROM (SELECT day, countIf(type = 'sequence.begin') AS begun, countIf(type = "
      "'device.connected') AS connected, " +
      seq_times(0) + " AS a0, " + seq_times(1) + " AS a1 FROM " + cluster.Across(kEvents) +
      " FINAL WHERE " + DayRange(lo, hi) + " AND service = " + SqlQuote(config.connect_service) +
      " AND type IN ('sequence.begin', 'device.connected')" + filter.sample + " GROUP BY day)";
  Result<std::vector<TsvRow>> rows = Rows(cluster.coordinator(), sql);
  if (!rows.ok()) return rows.status();
  for (const TsvRow& row : *rows) {
    if (row.size() != 17) return Status::Corruption("ClickHouse gave a short row");
    int64_t v[17];
    for (size_t i = 0; i < 17; ++i) {
      Result<int64_t> value = TsvInt(row[i]);
      if (!value.ok()) return value.status();
      v[i] = *value;
    }
    ConnectDay& day = out[static_cast<Day>(v[0])];
    day.begun = v[1];
    day.connected = v[2];
    day.n[0] = v[3];
    day.n[1] = v[4];
    for (int k = 0; k < 6; ++k) {
      day.picks[0][k] = v[5 + k];
      day.picks[1][k] = v[11 + k];
    }
  }
  return Status::Ok();
}

// The KPIs of [first, last] from the raw events, a chunk of days at a time; `on_chunk` gets
// each chunk's rows in day order.
Status Compute(Cluster& cluster, Day first, Day last, const KpiConfig& config, int sample,
               const std::function<Status(std::vector<KpiRow>)>& on_chunk) {
  const Filter filter = FilterOf(config, sample);
  const int window = config.multi_device_window_days;
  for (Day chunk = first; chunk <= last; chunk += kChunkDays) {
    const Day chunk_last = std::min<int64_t>(last, int64_t{chunk} + kChunkDays - 1);
    const Day dlo = chunk - (kWauDays - 1);  // The ratios' 7-day means reach back 6 days.
    WindowMap active, multi;
    Status s = AddWindows(
        cluster,
        [&](int) { return ActivityUserDays(dlo - (kMauDays - 1), chunk_last, filter, "''"); }, dlo,
        chunk_last, active);
    if (s.ok()) {
      s = AddWindows(
          cluster,
          [&](int) {
            return "SELECT '' AS seg, uid, md AS day FROM (" +
                   MultiDeviceUserDays(dlo - (kMauDays - 1), chunk_last, window, filter) + ")";
          },
          dlo, chunk_last, multi);
    }
    std::map<Day, ConnectDay> connects;
    if (s.ok()) s = AddConnects(cluster, chunk, chunk_last, config, filter, connects);
    if (!s.ok()) return s;
    auto counts = [](const WindowMap& map, Day day) {
      auto it = map.find({"", day});
      return it == map.end() ? Counts{} : it->second;
    };
    std::vector<KpiRow> rows;
    for (Day day = chunk; day <= chunk_last; ++day) {
      KpiRow row;
      row.day = day;
      const Counts a = counts(active, day), m = counts(multi, day);
      row.dau = a.dau;
      row.wau = a.wau;
      row.mau = a.mau;
      row.md_dau = m.dau;
      row.md_mau = m.mau;
      int64_t recent[kWauDays], recent_md[kWauDays];
      for (Day i = 0; i < kWauDays; ++i) {
        recent[i] = counts(active, day - (kWauDays - 1) + i).dau;
        recent_md[i] = counts(multi, day - (kWauDays - 1) + i).dau;
      }
      row.engagement_ratio = Ratio(recent, row.mau);
      row.md_engagement_ratio = Ratio(recent_md, row.md_mau);
      auto it = connects.find(day);
      if (it != connects.end()) {
        const ConnectDay& c = it->second;
        row.sequences_begun = c.begun;
        row.devices_connected = c.connected;
        std::optional<double>* percentiles[2][3] = {
            {&row.ttc_existing_p25, &row.ttc_existing_p50, &row.ttc_existing_p75},
            {&row.ttc_new_p25, &row.ttc_new_p50, &row.ttc_new_p75}};
        const double ps[3] = {0.25, 0.50, 0.75};
        for (int k = 0; k < 2; ++k) {
          for (int p = 0; p < 3; ++p) {
            *percentiles[k][p] =
                Percentile(c.n[k], c.picks[k][2 * p], c.picks[k][2 * p + 1], ps[p]);
          }
        }
        row.ttc_existing_n = c.n[0];
        row.ttc_new_n = c.n[1];
      }
      if (row.sequences_begun > 0) {
        row.completion_rate = 100.0 * static_cast<double>(row.devices_connected) /
                              static_cast<double>(row.sequences_begun);
      }
      rows.push_back(row);
    }
    if (Status stored = on_chunk(std::move(rows)); !stored.ok()) return stored;
  }
  return Status::Ok();
}

// SQLite's users_services_daily (users_services_daily.h) for the days [lo, hi], each shard its
// own users': per (day, uid, service) with NULL and '' one service, the rows with a uid, and the
// least OS and browser (min() compares bytes and skips NULL, as SQLite's does). Rows are whole
// and carry the run's version; FINAL reads the newest.
Status StoreUsersServices(Cluster& cluster, Day lo, Day hi, uint64_t version) {
  for (int shard = 0; shard < cluster.shards(); ++shard) {
    const std::string sql =
        "INSERT INTO " + Cluster::Local(kUsersServices) +
        " (day, date, uid, service, events, os, browser, country, version) SELECT day, "
        "toString(toDate(day)), uid, ifNull(service, '') AS s, count(), min(userAgentOS), "
        "min(userAgentBrowser), CAST(NULL AS Nullable(String)), " +
        std::to_string(version) + " FROM " + Cluster::Local(kEvents) + " FINAL WHERE " +
        DayRange(lo, hi) + " AND uid != '' GROUP BY day, uid, s";
    if (Status s = Run(cluster.shard(shard), sql); !s.ok()) return s;
  }
  return Status::Ok();
}

int64_t Bits(double value) {
  int64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

double FromBits(int64_t bits) {
  double value = 0;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

Status StoreRows(Cluster& cluster, const std::vector<KpiRow>& rows, uint64_t version) {
  TsvWriter out;
  auto real = [&](const std::optional<double>& value) {
    if (value) {
      out.Int(Bits(*value));
    } else {
      out.Null();
    }
  };
  for (const KpiRow& r : rows) {
    out.Int(r.day).Text(UtcDateOfDay(r.day)).Int(r.dau).Int(r.wau).Int(r.mau);
    real(r.engagement_ratio);
    out.Int(r.md_dau).Int(r.md_mau);
    real(r.md_engagement_ratio);
    out.Int(r.ttc_new_n);
    real(r.ttc_new_p25);
    real(r.ttc_new_p50);
    real(r.ttc_new_p75);
    out.Int(r.ttc_existing_n);
    real(r.ttc_existing_p25);
    real(r.ttc_existing_p50);
    real(r.ttc_existing_p75);
    out.Int(r.sequences_begun).Int(r.devices_connected);
    real(r.completion_rate);
    out.Int(static_cast<int64_t>(version)).EndRow();
  }
  return cluster.coordinator().Insert("kpi_daily", std::string(kKpiDailyColumns) + ", version",
                                      out.data());
}

Status CheckOptions(const AggregateOptions& options) {
  if (options.retain_days != 0) {
    return Status::InvalidArgument("--retain-days is not supported on ClickHouse yet");
  }
  if (Status s = CheckAggregateOptions(options); !s.ok()) return s;
  if (options.config.multi_device_window_days < 1) {
    return Status::InvalidArgument("the multi-device window must be a day or more");
  }
  return Status::Ok();
}

using DayCounts = std::map<Day, int64_t>;

Result<DayCounts> ReadDayCounts(ClickHouseClient& server, const std::string& sql) {
  Result<std::vector<TsvRow>> rows = Rows(server, sql);
  if (!rows.ok()) return rows.status();
  DayCounts out;
  for (const TsvRow& row : *rows) {
    if (row.size() != 2) return Status::Corruption("ClickHouse gave a short row");
    Result<int64_t> day = TsvInt(row[0]), count = TsvInt(row[1]);
    if (!day.ok()) return day.status();
    if (!count.ok()) return count.status();
    out[static_cast<Day>(*day)] = *count;
  }
  return out;
}

struct Plan {
  Day first = 0, last = -1;
  DayCounts input;  // The distinct rows per day as the run started.
  DayCounts seen;   // kpi_input_days.
};

Result<Plan> PlanRun(Cluster& cluster, const AggregateOptions& options) {
  Plan plan;
  if (options.from && options.to) {
    plan.first = *options.from;
    plan.last = *options.to;
    return plan;
  }
  plan.last = options.today - 1;
  Result<DayCounts> input =
      ReadDayCounts(cluster.coordinator(), "SELECT day, count() FROM " + cluster.Across(kEvents) +
                                               " FINAL GROUP BY day ORDER BY day");
  if (!input.ok()) return input.status();
  plan.input = std::move(*input);
  Result<DayCounts> seen = ReadDayCounts(cluster.coordinator(),
                                         "SELECT day, rows FROM kpi_input_days FINAL ORDER BY day");
  if (!seen.ok()) return seen.status();
  plan.seen = std::move(*seen);
  Result<std::vector<TsvRow>> state =
      Rows(cluster.coordinator(), "SELECT value FROM kpi_job_meta FINAL WHERE key = 'state_day'");
  if (!state.ok()) return state.status();
  if (state->empty()) {
    // Never aggregated: from the oldest day (never before the door's window).
    if (plan.input.empty()) {  // No data at all.
      plan.first = plan.last + 1;
      return plan;
    }
    plan.first = std::max(plan.input.begin()->first, kFirstPlausibleDay);
    return plan;
  }
  Result<int64_t> state_day = TsvInt(state->front().empty() ? std::nullopt : state->front()[0]);
  if (!state_day.ok()) return state_day.status();
  plan.first = static_cast<Day>(*state_day) + 1;
  // Late data: the first day up to state_day whose rows are not those the job took in.
  std::optional<Day> changed;
  for (const auto& [day, count] : plan.input) {
    if (day > *state_day) break;
    auto it = plan.seen.find(day);
    if (it == plan.seen.end() || it->second != count) {
      changed = day;
      break;
    }
  }
  for (const auto& [day, count] : plan.seen) {
    if (day > *state_day || (changed && day >= *changed)) break;
    if (count != 0 && plan.input.count(day) == 0) {
      changed = day;
      break;
    }
  }
  if (changed) plan.first = std::max(*changed, kFirstPlausibleDay);
  return plan;
}

// After a plain run: the input counts of the days up to its last as the run saw them, and the
// new state day.
Status SaveProgress(Cluster& cluster, const Plan& plan, uint64_t version) {
  TsvWriter days;
  for (const auto& [day, count] : plan.input) {
    if (day > plan.last) break;
    auto it = plan.seen.find(day);
    if (it == plan.seen.end() || it->second != count) {
      days.Int(day).Int(count).Int(static_cast<int64_t>(version)).EndRow();
    }
  }
  for (const auto& [day, count] : plan.seen) {
    if (day > plan.last) break;
    if (count != 0 && plan.input.count(day) == 0) {
      days.Int(day).Int(0).Int(static_cast<int64_t>(version)).EndRow();
    }
  }
  if (!days.empty()) {
    if (Status s =
            cluster.coordinator().Insert("kpi_input_days", "day, rows, version", days.data());
        !s.ok()) {
      return s;
    }
  }
  TsvWriter meta;
  meta.Text("state_day").Int(plan.last).Int(static_cast<int64_t>(version)).EndRow();
  return cluster.coordinator().Insert("kpi_job_meta", "key, value, version", meta.data());
}

uint64_t RunVersion() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

Result<AggregateResult> Aggregate(Cluster& cluster, const AggregateOptions& options) {
  if (Status s = CheckOptions(options); !s.ok()) return s;
  if (Status s = EnsureTables(cluster); !s.ok()) return s;
  const uint64_t version = RunVersion();
  Result<Plan> plan = PlanRun(cluster, options);
  if (!plan.ok()) return plan.status();
  AggregateResult result;
  if (plan->first > plan->last) return result;
  Status s = Compute(
      cluster, plan->first, plan->last, options.config, 100,
      [&](std::vector<KpiRow> rows) -> Status {
        // A day's KPI row last: a stored day has its users_services_daily.
        if (Status stored = StoreUsersServices(cluster, rows.front().day, rows.back().day, version);
            !stored.ok()) {
          return stored;
        }
        if (Status stored = StoreRows(cluster, rows, version); !stored.ok()) {
          return stored;
        }
        for (const KpiRow& row : rows) {
          ++result.days;
          if (options.progress) {
            options.progress(row.day, plan->first, plan->last, row);
          }
        }
        return Status::Ok();
      });
  if (!s.ok()) return s;
  // As over SQLite: a recomputation of chosen days leaves the incremental state alone.
  if (!(options.from && options.to)) {
    if (Status saved = SaveProgress(cluster, *plan, version); !saved.ok()) return saved;
  }
  result.first = plan->first;
  result.last = plan->last;
  return result;
}

Result<std::vector<KpiRow>> ReadKpis(Cluster& cluster, Day from, Day to) {
  if (Status s = EnsureTables(cluster); !s.ok()) return s;
  Result<std::vector<TsvRow>> rows =
      Rows(cluster.coordinator(), "SELECT " + std::string(kKpiDailyColumns) +
                                      " FROM kpi_daily FINAL WHERE " + DayRange(from, to) +
                                      " ORDER BY day");
  if (!rows.ok()) return rows.status();
  std::vector<KpiRow> out;
  for (const TsvRow& row : *rows) {
    if (row.size() != 20) return Status::Corruption("kpi_daily gave a short row");
    Status bad;
    auto integer = [&](size_t i) -> int64_t {
      Result<int64_t> v = TsvInt(row[i]);
      if (!v.ok()) bad = v.status();
      return v.ok() ? *v : 0;
    };
    auto real = [&](size_t i) -> std::optional<double> {
      if (!row[i]) return std::nullopt;
      return FromBits(integer(i));
    };
    KpiRow r;
    r.day = static_cast<Day>(integer(0));
    r.dau = integer(2);
    r.wau = integer(3);
    r.mau = integer(4);
    r.engagement_ratio = real(5);
    r.md_dau = integer(6);
    r.md_mau = integer(7);
    r.md_engagement_ratio = real(8);
    r.ttc_new_n = integer(9);
    r.ttc_new_p25 = real(10);
    r.ttc_new_p50 = real(11);
    r.ttc_new_p75 = real(12);
    r.ttc_existing_n = integer(13);
    r.ttc_existing_p25 = real(14);
    r.ttc_existing_p50 = real(15);
    r.ttc_existing_p75 = real(16);
    r.sequences_begun = integer(17);
    r.devices_connected = integer(18);
    r.completion_rate = real(19);
    if (!bad.ok()) return bad;
    out.push_back(r);
  }
  return out;
}

Result<std::vector<KpiRow>> ComputeKpis(Cluster& cluster, const QueryOptions& options) {
  std::vector<KpiRow> out;
  Status s = Compute(cluster, options.from, options.to, options.config, options.sample,
                     [&](std::vector<KpiRow> rows) {
                       out.insert(out.end(), rows.begin(), rows.end());
                       return Status::Ok();
                     });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<SegmentRow>> ComputeSegments(Cluster& cluster, const QueryOptions& options) {
  if (Status s = CheckSegment(options.segment); !s.ok()) return s;
  const Filter filter = FilterOf(options.config, options.sample);
  const Day dlo = options.from - (kWauDays - 1);
  const Day read_from = dlo - (kMauDays - 1);
  std::function<std::string(int)> user_days;
  if (options.segment == "multi_device") {
    // A user-day is "multi" when the user was a multi-device user that day, else "single".
    user_days = [&](int) {
      return "SELECT if(is_md = 1, 'multi', 'single') AS seg, uid, day FROM (SELECT DISTINCT "
             "uid, day FROM " +
             Cluster::Local(kEvents) + " WHERE " + DayRange(read_from, options.to) +
             " AND uid != ''" + filter.activity + filter.sample +
             ") ANY LEFT JOIN (SELECT uid, md AS day, toUInt8(1) AS is_md FROM (" +
             MultiDeviceUserDays(read_from, options.to, options.config.multi_device_window_days,
                                 filter) +
             ")) USING (uid, day)";
    };
  } else {
    user_days = [&](int) {
      return ActivityUserDays(read_from, options.to, filter, "ifNull(" + options.segment + ", '')");
    };
  }
  WindowMap windows;
  if (Status s = AddWindows(cluster, user_days, dlo, options.to, windows); !s.ok()) return s;
  std::vector<SegmentRow> out;
  for (const auto& [key, counts] : windows) {
    const auto& [segment, day] = key;
    if (day < options.from || counts.mau == 0) continue;
    int64_t recent[kWauDays];
    for (Day i = 0; i < kWauDays; ++i) {
      auto it = windows.find({segment, day - (kWauDays - 1) + i});
      recent[i] = it == windows.end() ? 0 : it->second.dau;
    }
    out.push_back({day, segment, counts.dau, counts.wau, counts.mau, Ratio(recent, counts.mau)});
  }
  std::sort(out.begin(), out.end(), [](const SegmentRow& a, const SegmentRow& b) {
    return a.day != b.day ? a.day < b.day : a.segment < b.segment;
  });
  return out;
}

}  // namespace telemetry::collector::kpi
