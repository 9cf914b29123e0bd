#include "collector/kpi/kpi_job.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <thread>
#include <utility>

#include "collector/ingest/limits.h"
#include "collector/kpi/hand_off.h"
#include "collector/kpi/row_stream.h"
#include "collector/kpi/users_services_daily.h"
#include "telemetry/base/sqlite.h"

namespace telemetry::collector::kpi {
namespace {

using telemetry::sqlite::Database;
using telemetry::sqlite::Statement;

const char kSchema[] = R"sql(
DROP INDEX IF EXISTS activity_events_for_kpis;
CREATE INDEX IF NOT EXISTS activity_events_for_kpis_v2
  ON activity_events(timestamp, uid, deviceId, type, service, newUser, seqTime, userAgentOS,
                     userAgentBrowser);
CREATE TABLE IF NOT EXISTS kpi_daily (
  date TEXT PRIMARY KEY, day INTEGER NOT NULL,
  dau INTEGER, wau INTEGER, mau INTEGER, engagement_ratio REAL,
  md_dau INTEGER, md_mau INTEGER, md_engagement_ratio REAL,
  ttc_new_n INTEGER, ttc_new_p25 REAL, ttc_new_p50 REAL, ttc_new_p75 REAL,
  ttc_existing_n INTEGER, ttc_existing_p25 REAL, ttc_existing_p50 REAL, ttc_existing_p75 REAL,
  sequences_begun INTEGER, devices_connected INTEGER, completion_rate REAL);
CREATE TABLE IF NOT EXISTS kpi_state (
  id INTEGER PRIMARY KEY, day INTEGER NOT NULL, state BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS kpi_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql";

// Ingestion commits are short: waiting this long for one means something is wrong.
constexpr int kBusyTimeoutMs = 10000;

Result<int64_t> Scalar(Database& db, const std::string& sql);
Status MustExist(const std::string& db_path);

template <typename Body>
Status InTransaction(Database& db, Body body) {
  if (Status s = db.Execute("BEGIN IMMEDIATE"); !s.ok()) return s;
  Status status = body();
  if (status.ok()) status = db.Execute("COMMIT");
  if (!status.ok()) (void)db.Execute("ROLLBACK");
  return status;
}

// Opens an existing collector database (never creates one) and adds the job's tables. WAL, as
// the collector keeps it, lets the job's snapshot and ingestion's writes go on side by side.
Result<std::unique_ptr<Database>> OpenDb(const std::string& path) {
  if (Status s = MustExist(path); !s.ok()) return s;
  Result<std::unique_ptr<Database>> db =
      Database::Open(path, Database::Mode::kReadWrite, kBusyTimeoutMs);
  if (!db.ok()) return db;
  Result<int64_t> events = Scalar(
      **db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'activity_events'");
  if (!events.ok()) return Status::FailedPrecondition(path + " is not a SQLite database");
  if (*events == 0) {
    return Status::FailedPrecondition(path +
                                      " is not a collector database (no activity_events table)");
  }
  // synchronous=NORMAL: a day's commit is not fsynced on its own. The job's tables are derived
  // data; what a power loss takes back, the next run computes again. A 64 MiB page cache holds a
  // day's users_services_daily pages without spilling them to the WAL mid-transaction.
  if (Status s = (*db)->Execute(
          "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;");
      !s.ok()) {
    return s;
  }
  if (Status s = (*db)->Execute(kSchema); !s.ok()) return s;
  Result<bool> current = UsersServicesTableIsCurrent(**db);
  if (!current.ok()) return current.status();
  if (!*current) {
    if (Status s = InTransaction(**db, [&] { return ConvertUsersServicesTable(**db); }); !s.ok()) {
      return s;
    }
  }
  return db;
}

// One row of activity, with the value of the segment column queried.
struct Row {
  ActivityEvent event;
  std::string segment;  // The queried segment column's value.
};

// Reads the events of `day` (optionally sampled, optionally with a segment column).
class EventReader {
 public:
  static Result<EventReader> Make(Database& db, int sample, const std::string& segment) {
    std::string column = segment.empty() || segment == "multi_device" ? "NULL" : segment;
    std::string sql = "SELECT timestamp, type, uid, deviceId, newUser, seqTime, service, " +
                      column + " FROM activity_events WHERE timestamp >= ? AND timestamp < ?" +
                      (sample < 100 ? " AND sample_id < " + std::to_string(sample) : std::string());
    Result<std::unique_ptr<Statement>> statement = db.Prepare(sql);
    if (!statement.ok()) return statement.status();
    return EventReader(std::move(statement).value());
  }
  Result<std::vector<Row>> Day(kpi::Day day) {
    statement_->Reset();
    statement_->Bind(1, static_cast<int64_t>(day) * kDayMillis)
        .Bind(2, static_cast<int64_t>(day + 1) * kDayMillis);
    std::vector<Row> rows;
    Result<bool> more = statement_->Step();
    for (; more.ok() && *more; more = statement_->Step()) {
      Statement& s = *statement_;
      Row row;
      row.event.timestamp_ms = s.Int(0);
      row.event.type = s.Text(1);
      if (!s.IsNull(2)) row.event.uid = s.Text(2);
      if (!s.IsNull(3)) row.event.device_id = s.Text(3);
      row.event.new_user = s.Int(4) != 0;
      if (!s.IsNull(5)) row.event.seq_time_ms = s.Int(5);
      if (!s.IsNull(6)) row.event.service = s.Text(6);
      row.segment = s.IsNull(7) ? "" : s.Text(7);
      rows.push_back(std::move(row));
    }
    if (!more.ok()) return more.status();
    return rows;
  }

 private:
  explicit EventReader(std::unique_ptr<Statement> statement) : statement_(std::move(statement)) {}
  std::unique_ptr<Statement> statement_;
};

std::vector<ActivityEvent> Events(const std::vector<Row>& rows) {
  std::vector<ActivityEvent> events;
  events.reserve(rows.size());
  for (const Row& row : rows) events.push_back(row.event);
  return events;
}

Result<std::optional<std::string>> Meta(Database& db, const std::string& key) {
  Result<std::unique_ptr<Statement>> s = db.Prepare("SELECT value FROM kpi_meta WHERE key = ?");
  if (!s.ok()) return s.status();
  (*s)->Bind(1, key);
  Result<bool> row = (*s)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>((*s)->Text(0));
}

Status SetMeta(Database& db, const std::string& key, const std::string& value) {
  Result<std::unique_ptr<Statement>> s =
      db.Prepare("INSERT OR REPLACE INTO kpi_meta (key, value) VALUES (?, ?)");
  if (!s.ok()) return s.status();
  return (*s)->Bind(1, key).Bind(2, value).Run();
}

Result<int64_t> Scalar(Database& db, const std::string& sql) {
  Result<std::unique_ptr<Statement>> s = db.Prepare(sql);
  if (!s.ok()) return s.status();
  Result<bool> row = (*s)->Step();
  if (!row.ok()) return row.status();
  return (*s)->IsNull(0) ? int64_t{INT64_MIN} : (*s)->Int(0);
}

using DayFn = std::function<Status(Day day, const KpiRow& kpis)>;

// Where the pass also collects users_services_daily: the days from `from` on.
struct UsersServicesSink {
  UsersServicesDay* day = nullptr;
  Day from = 0;
};

// Feeds [first, last] to `engine` in one pass over the rows in timestamp order (the covering
// index gives that order, and only its columns are read); `on_day` gets every day, empty ones
// too. The rows are stepped out of SQLite on a thread of their own (row_stream.h) while this one
// folds the batch before; `on_day` decides where a finished day goes.
Status Stream(Database& db, int sample, KpiEngine& engine, Day first, Day last, const DayFn& on_day,
              UsersServicesSink services = {}) {
  const std::string sql =
      "SELECT timestamp, type, uid, deviceId, newUser, seqTime, service" +
      std::string(services.day != nullptr ? ", userAgentOS, userAgentBrowser" : "") +
      " FROM activity_events WHERE timestamp >= ? AND timestamp < ?" +
      (sample < 100 ? " AND sample_id < " + std::to_string(sample) : std::string()) +
      " ORDER BY timestamp";
  const bool with_services = services.day != nullptr;
  RowShape shape{.text_columns = {1, 2, 3, 6}, .new_user_column = 4, .seq_time_column = 5};
  if (with_services) shape.text_columns.insert(shape.text_columns.end(), {7, 8});
  RowStream rows(
      db, sql,
      {static_cast<int64_t>(first) * kDayMillis, static_cast<int64_t>(last + 1) * kDayMillis},
      shape);
  std::vector<CompactEvent> events;
  Day day = first;
  auto flush_until = [&](Day end) -> Status {
    for (; day < end; ++day) {
      const KpiRow kpis = engine.AddCompactDay(day, events);
      events.clear();
      if (Status status = on_day(day, kpis); !status.ok()) return status;
    }
    return Status::Ok();
  };
  enum Text { kType, kUid, kDevice, kService, kOs, kBrowser };
  // Rows come in time order, so their users in random order: each row's id slots are fetched
  // this many rows ahead, while the rows between are worked on.
  constexpr size_t kPrefetchRows = 16;
  while (const RowBatch* batch = rows.Next()) {
    const std::vector<RawRow>& batch_rows = batch->rows;
    for (size_t r = 0; r < batch_rows.size(); ++r) {
      const RawRow& row = batch_rows[r];
      if (r + kPrefetchRows < batch_rows.size()) {
        const RawRow& ahead = batch_rows[r + kPrefetchRows];
        engine.Prefetch(batch->Text(ahead, kUid), batch->Text(ahead, kDevice));
      }
      if (Status status = flush_until(UtcDayOf(row.timestamp_ms)); !status.ok()) return status;
      auto text = [&](Text i) { return batch->Text(row, i); };
      const std::string_view uid = text(kUid), device = text(kDevice), service = text(kService);
      const bool has_uid = !batch->IsNull(row, kUid);
      events.push_back(engine.Compact(text(kType), has_uid ? &uid : nullptr,
                                      batch->IsNull(row, kDevice) ? nullptr : &device, row.new_user,
                                      row.has_seq_time ? &row.seq_time_ms : nullptr,
                                      batch->IsNull(row, kService) ? nullptr : &service));
      if (with_services && has_uid && day >= services.from) {
        const std::string_view os = text(kOs), browser = text(kBrowser);
        services.day->Add(events.back().user, service, batch->IsNull(row, kOs) ? nullptr : &os,
                          batch->IsNull(row, kBrowser) ? nullptr : &browser);
      }
    }
  }
  if (Status status = rows.status(); !status.ok()) return status;
  return flush_until(last + 1);
}

// The engine's state is one compressed blob; the old per-user tables are dropped.
Status SaveState(Database& db, const KpiEngine& engine) {
  Result<std::string> state = engine.SaveState();
  if (!state.ok()) return state.status();
  Result<std::unique_ptr<Statement>> put =
      db.Prepare("INSERT OR REPLACE INTO kpi_state (id, day, state) VALUES (1, ?, ?)");
  if (!put.ok()) return put.status();
  if (Status s = (*put)->Bind(1, int64_t{*engine.last_day()}).BindBlob(2, *state).Run(); !s.ok()) {
    return s;
  }
  if (Status s = db.Execute("DROP TABLE IF EXISTS kpi_user_state; "
                            "DROP TABLE IF EXISTS kpi_device_state;");
      !s.ok()) {
    return s;
  }
  return SetMeta(db, "state_day", std::to_string(*engine.last_day()));
}

// False when there is no stored state for `state_day` (a database of an older version).
Result<bool> LoadState(Database& db, Day state_day, KpiEngine& engine) {
  Result<std::unique_ptr<Statement>> get =
      db.Prepare("SELECT state FROM kpi_state WHERE id = 1 AND day = ?");
  if (!get.ok()) return get.status();
  (*get)->Bind(1, int64_t{state_day});
  Result<bool> row = (*get)->Step();
  if (!row.ok()) return row.status();
  if (!*row) return false;
  if (Status s = engine.RestoreState((*get)->TextView(0)); !s.ok()) return s;
  return true;
}

void BindOptional(Statement& s, int column, const std::optional<double>& value) {
  if (value) {
    s.BindReal(column, *value);
  } else {
    s.BindNull(column);
  }
}

std::optional<double> ReadOptional(const Statement& s, int column) {
  if (s.IsNull(column)) return std::nullopt;
  return s.Real(column);
}

Status StoreRow(Statement& insert, const KpiRow& r) {
  insert.Bind(1, UtcDateOfDay(r.day)).Bind(2, int64_t{r.day});
  insert.Bind(3, r.dau).Bind(4, r.wau).Bind(5, r.mau);
  BindOptional(insert, 6, r.engagement_ratio);
  insert.Bind(7, r.md_dau).Bind(8, r.md_mau);
  BindOptional(insert, 9, r.md_engagement_ratio);
  insert.Bind(10, r.ttc_new_n);
  BindOptional(insert, 11, r.ttc_new_p25);
  BindOptional(insert, 12, r.ttc_new_p50);
  BindOptional(insert, 13, r.ttc_new_p75);
  insert.Bind(14, r.ttc_existing_n);
  BindOptional(insert, 15, r.ttc_existing_p25);
  BindOptional(insert, 16, r.ttc_existing_p50);
  BindOptional(insert, 17, r.ttc_existing_p75);
  insert.Bind(18, r.sequences_begun).Bind(19, r.devices_connected);
  BindOptional(insert, 20, r.completion_rate);
  return insert.Run();
}

KpiRow ReadRow(const Statement& s) {
  KpiRow r;
  r.day = static_cast<Day>(s.Int(1));
  r.dau = s.Int(2);
  r.wau = s.Int(3);
  r.mau = s.Int(4);
  r.engagement_ratio = ReadOptional(s, 5);
  r.md_dau = s.Int(6);
  r.md_mau = s.Int(7);
  r.md_engagement_ratio = ReadOptional(s, 8);
  r.ttc_new_n = s.Int(9);
  r.ttc_new_p25 = ReadOptional(s, 10);
  r.ttc_new_p50 = ReadOptional(s, 11);
  r.ttc_new_p75 = ReadOptional(s, 12);
  r.ttc_existing_n = s.Int(13);
  r.ttc_existing_p25 = ReadOptional(s, 14);
  r.ttc_existing_p50 = ReadOptional(s, 15);
  r.ttc_existing_p75 = ReadOptional(s, 16);
  r.sequences_begun = s.Int(17);
  r.devices_connected = s.Int(18);
  r.completion_rate = ReadOptional(s, 19);
  return r;
}

// The day of a timestamp column, as the arrival log keeps it: never an error, whatever a row
// holds (a time before 1970 counts as day -1), so the trigger cannot fail an ingestion.
#define KPI_DAY_OF(column) \
  "CASE WHEN " column " < 0 THEN -1 ELSE CAST(" column " / 86400000 AS INTEGER) END"

// The arrival log: per day, how many activity rows arrived for it since the job last consumed
// the day. A trigger fills it in the same transaction as the rows, so unlike a rowid mark it
// does not depend on whether SQLite reuses rowids after retention deletes.
const char kArrivalLog[] =
    "CREATE TABLE IF NOT EXISTS kpi_dirty_days ("
    "  day INTEGER NOT NULL PRIMARY KEY, arrivals INTEGER NOT NULL);"
    "CREATE TRIGGER IF NOT EXISTS kpi_log_arrivals AFTER INSERT ON activity_events BEGIN"
    "  INSERT INTO kpi_dirty_days (day, arrivals) VALUES (" KPI_DAY_OF("NEW.timestamp") ", 1)"
    "  ON CONFLICT (day) DO UPDATE SET arrivals = arrivals + 1;"
    "END;";

// Creates the arrival log. A database aggregated before the log existed marked its progress
// with the highest rowid seen: the rows past it are logged as arrivals, once.
Status SetUpArrivalLog(Database& db) {
  Result<int64_t> exists = Scalar(
      db,
      "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'kpi_log_arrivals'");
  if (!exists.ok()) return exists.status();
  if (*exists > 0) return Status::Ok();
  return InTransaction(db, [&]() -> Status {
    if (Status s = db.Execute(kArrivalLog); !s.ok()) return s;
    Result<std::optional<std::string>> seen = Meta(db, "last_rowid");
    if (!seen.ok()) return seen.status();
    if (!seen->has_value()) return Status::Ok();
    const std::string last_rowid = std::to_string(std::strtoll((*seen)->c_str(), nullptr, 10));
    if (Status s = db.Execute("INSERT OR REPLACE INTO kpi_dirty_days SELECT day, count(*) FROM ("
                              "SELECT " KPI_DAY_OF("timestamp") " AS day FROM activity_events "
                                                                "WHERE rowid > " +
                              last_rowid + ") GROUP BY day");
        !s.ok()) {
      return s;
    }
    return db.Execute("DELETE FROM kpi_meta WHERE key = 'last_rowid'");
  });
}

// One `aggregate` at a time per database: an exclusive flock on <db>.kpi.lock, held for the
// run and released by the kernel however the process ends. The holder's pid is written in it
// for the message a second run prints.
class JobLock {
 public:
  static Result<JobLock> Acquire(const std::string& db_path) {
    const std::string path = db_path + ".kpi.lock";
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Status::IoError("cannot open the job lock " + path + ": " + strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      char pid[32] = {};
      const ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
      close(fd);
      if (error != EWOULDBLOCK) {
        return Status::IoError("cannot lock " + path + ": " + strerror(error));
      }
      std::string holder = n > 0 ? std::string(pid, static_cast<size_t>(n)) : "";
      holder.erase(std::remove(holder.begin(), holder.end(), '\n'), holder.end());
      return Status::Unavailable("another aggregate" +
                                 (holder.empty() ? std::string() : " (pid " + holder + ")") +
                                 " holds the job on " + db_path + "; nothing was changed");
    }
    const std::string pid = std::to_string(getpid()) + "\n";
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
      // The pid is only for the message; the lock itself holds.
    }
    return JobLock(fd);
  }
  JobLock(JobLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  JobLock& operator=(JobLock&&) = delete;
  ~JobLock() {
    if (fd_ >= 0) close(fd_);
  }

 private:
  explicit JobLock(int fd) : fd_(fd) {}
  int fd_;
};

Status MustExist(const std::string& db_path) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(db_path, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    return Status::NotFound("no database at " + db_path);
  }
  if (ec) return Status::IoError("cannot read " + db_path + ": " + ec.message());
  if (status.type() != std::filesystem::file_type::regular) {
    return Status::FailedPrecondition(db_path + " is not a database file");
  }
  return Status::Ok();
}

}  // namespace

Status CheckAggregateOptions(const AggregateOptions& options) {
  if (options.retain_days != 0 && options.retain_days < kMinRetainDays) {
    return Status::InvalidArgument("--retain-days must be at least " +
                                   std::to_string(kMinRetainDays) +
                                   " (a recomputation replays that much)");
  }
  if (options.from.has_value() != options.to.has_value()) {
    return Status::InvalidArgument("give both --from and --to, or neither");
  }
  if (options.from && *options.from > *options.to) {
    return Status::InvalidArgument("--from " + UtcDateOfDay(*options.from) + " is after --to " +
                                   UtcDateOfDay(*options.to));
  }
  return Status::Ok();
}

namespace {

// A second connection in one read transaction: the job's consistent view of the database.
// WAL lets ingestion commit meanwhile; none of the job's reads takes the write lock.
Result<std::unique_ptr<Database>> OpenSnapshot(const std::string& db_path) {
  Result<std::unique_ptr<Database>> db =
      Database::Open(db_path, Database::Mode::kReadWrite, kBusyTimeoutMs);
  if (!db.ok()) return db;
  if (Status s = (*db)->Execute("BEGIN"); !s.ok()) return s;
  // The snapshot starts with the first read.
  if (Result<int64_t> s = Scalar(**db, "SELECT count(*) FROM kpi_meta"); !s.ok()) {
    return s.status();
  }
  return db;
}

// The days a run computes, and where its engine state comes from.
// The first day any stored row can belong to: the door refuses earlier times
// (collector/ingest/limits.h), and the job never walks from before it.
constexpr Day kFirstPlausibleDay = static_cast<Day>(kEarliestPlausibleMs / kDayMillis);

struct Plan {
  Day first = 0, last = -1;
  std::optional<Day> state_day;  // Set: continue from the stored state of this day.
  std::vector<std::pair<Day, int64_t>> arrivals;  // The arrival log as the run saw it.
};

Result<std::vector<std::pair<Day, int64_t>>> Arrivals(Database& snapshot) {
  Result<std::unique_ptr<Statement>> s =
      snapshot.Prepare("SELECT day, arrivals FROM kpi_dirty_days ORDER BY day");
  if (!s.ok()) return s.status();
  std::vector<std::pair<Day, int64_t>> out;
  Result<bool> row = (*s)->Step();
  for (; row.ok() && *row; row = (*s)->Step()) {
    out.emplace_back(static_cast<Day>((*s)->Int(0)), (*s)->Int(1));
  }
  if (!row.ok()) return row.status();
  return out;
}

Result<Plan> PlanRun(Database& snapshot, const AggregateOptions& options) {
  Plan plan;
  if (options.from && options.to) {
    plan.first = *options.from;
    plan.last = *options.to;
    return plan;
  }
  plan.last = options.today - 1;
  Result<std::vector<std::pair<Day, int64_t>>> arrivals = Arrivals(snapshot);
  Result<std::optional<std::string>> state = Meta(snapshot, "state_day");
  if (!arrivals.ok()) return arrivals.status();
  if (!state.ok()) return state.status();
  plan.arrivals = std::move(*arrivals);
  if (!state->has_value()) {
    // Never aggregated: everything is new.
    // Times before the door's window (rows of older versions) count from its first day, so
    // no row can make the job walk millions of days or overflow the day type.
    Result<int64_t> oldest =
        Scalar(snapshot, "SELECT min(max(timestamp, " + std::to_string(kEarliestPlausibleMs) +
                             ")) FROM activity_events");
    if (!oldest.ok()) return oldest.status();
    if (*oldest == INT64_MIN) return plan;  // No data at all.
    plan.first = static_cast<Day>(UtcDayOf(*oldest));
    return plan;
  }
  const Day state_day = static_cast<Day>(std::strtol((*state)->c_str(), nullptr, 10));
  if (!plan.arrivals.empty() && plan.arrivals.front().first <= state_day) {
    // Late data: recompute from its day on (never from before the door's window).
    plan.first = std::max(plan.arrivals.front().first, kFirstPlausibleDay);
  } else {
    plan.first = state_day + 1;
    plan.state_day = state_day;
  }
  return plan;
}

// One computed day, on its way to the database.
struct DayToWrite {
  Day day = 0;
  KpiRow kpis;
  UsersServicesDay services;  // Its names resolved.
};

// Writes days on a thread of its own, each in a transaction of its own, in the order given,
// while the job's thread computes the next ones. A day's kpi_daily row and its
// users_services_daily rows commit together. `written` runs on the writer's thread after each
// commit. Once a write fails, later days are refused (Write returns false) and Finish gives the
// error.
class DayWriter {
 public:
  DayWriter(Database& db, std::function<void(const DayToWrite&)> written)
      : db_(db), written_(std::move(written)), thread_([this] { Run(); }) {}
  ~DayWriter() { (void)Finish(); }
  DayWriter(const DayWriter&) = delete;
  DayWriter& operator=(const DayWriter&) = delete;

  bool Write(DayToWrite day) { return days_.Push(std::move(day)); }
  // Waits until every day given is written (or a write failed); the first error, if any.
  Status Finish() {
    days_.Close();
    if (thread_.joinable()) thread_.join();
    return status_;  // Written only by the thread, before it ended.
  }

 private:
  void Run() {
    Result<std::unique_ptr<Statement>> insert = db_.Prepare(
        "INSERT OR REPLACE INTO kpi_daily VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!insert.ok()) status_ = insert.status();
    while (status_.ok()) {
      std::optional<DayToWrite> day = days_.Pop();
      if (!day) break;
      status_ = InTransaction(db_, [&]() -> Status {
        if (Status r = StoreRow(**insert, day->kpis); !r.ok()) return r;
        return day->services.Store(db_, day->day);
      });
      if (status_.ok()) written_(*day);
    }
    days_.Close();  // Refuses what comes after a failure.
  }

  Database& db_;
  const std::function<void(const DayToWrite&)> written_;
  HandOff<DayToWrite> days_{2};
  Status status_;
  std::thread thread_;  // Last: starts once the rest is built.
};

// Computes the plan's days from the snapshot, after replaying warm_first .. plan.first - 1 (not
// stored); each day is written in a transaction of its own, so ingestion waits for one day's
// rows at most, never for the run. Three threads share the work: one steps the rows out of the
// snapshot (Stream), this one folds them into days, and a DayWriter stores the days.
Status ComputeDays(Database& db, Database& snapshot, KpiEngine& engine, Day warm_first,
                   const Plan& plan, const AggregateOptions& options, AggregateResult* result) {
  UsersServicesDay services;
  DayWriter writer(db, [&](const DayToWrite& written) {
    ++result->days;
    if (options.progress) options.progress(written.day, plan.first, plan.last, written.kpis);
  });
  const DayFn store = [&](Day day, const KpiRow& kpis) -> Status {
    if (day < plan.first) return Status::Ok();
    services.ResolveNames([&](uint32_t user) { return engine.UserName(user); });
    if (!writer.Write({day, kpis, std::exchange(services, UsersServicesDay())})) {
      return writer.Finish();
    }
    return Status::Ok();
  };
  Status read =
      Stream(snapshot, 100, engine, warm_first, plan.last, store, {&services, plan.first});
  Status written = writer.Finish();
  return read.ok() ? written : read;
}

// The state as of the last day computed, and the arrivals the run has taken in. An entry whose
// count grew since the snapshot received rows the run did not see: it stays.
Status SaveProgress(Database& db, const KpiEngine& engine,
                    const std::vector<std::pair<Day, int64_t>>& arrivals) {
  if (Status s = SaveState(db, engine); !s.ok()) return s;
  Result<std::unique_ptr<Statement>> consume =
      db.Prepare("DELETE FROM kpi_dirty_days WHERE day = ? AND arrivals = ?");
  if (!consume.ok()) return consume.status();
  for (const auto& [day, count] : arrivals) {
    if (Status s = (*consume)->Bind(1, int64_t{day}).Bind(2, count).Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

// Retention: deletes the raw events before `cutoff_ms` a few thousand rows per transaction.
Result<int64_t> DeleteBefore(Database& db, int64_t cutoff_ms) {
  Result<std::unique_ptr<Statement>> doomed = db.Prepare(
      "DELETE FROM activity_events WHERE rowid IN "
      "(SELECT rowid FROM activity_events WHERE timestamp < ? LIMIT 5000)");
  if (!doomed.ok()) return doomed.status();
  int64_t deleted = 0;
  while (true) {
    int64_t changed = 0;
    Status s = InTransaction(db, [&] {
      Status run = (*doomed)->Bind(1, cutoff_ms).Run();
      changed = db.Changes();
      return run;
    });
    if (!s.ok()) return s;
    if (changed == 0) return deleted;
    deleted += changed;
  }
}

}  // namespace

const std::vector<std::string>& SegmentColumns() {
  static const std::vector<std::string> columns = {
      "userAgentBrowser", "userAgentVersion", "userAgentOS", "service",     "context",
      "entrypoint",       "campaign",         "migration",   "multi_device"};
  return columns;
}

Status CheckSegment(const std::string& segment) {
  const auto& columns = SegmentColumns();
  if (std::find(columns.begin(), columns.end(), segment) == columns.end()) {
    return Status::InvalidArgument("cannot segment by '" + segment + "'");
  }
  return Status::Ok();
}

Result<AggregateResult> Aggregate(const std::string& db_path, const AggregateOptions& options) {
  if (Status s = CheckAggregateOptions(options); !s.ok()) return s;
  if (Status s = MustExist(db_path); !s.ok()) return s;
  Result<JobLock> lock = JobLock::Acquire(db_path);
  if (!lock.ok()) return lock.status();
  Result<std::unique_ptr<Database>> opened = OpenDb(db_path);
  if (!opened.ok()) return opened.status();
  Database& db = **opened;
  if (Status s = SetUpArrivalLog(db); !s.ok()) return s;
  // Every read from here on sees the database as the run started; ingestion goes on meanwhile.
  Result<std::unique_ptr<Database>> snapshot = OpenSnapshot(db_path);
  if (!snapshot.ok()) return snapshot.status();
  Result<Plan> plan = PlanRun(**snapshot, options);
  if (!plan.ok()) return plan.status();
  AggregateResult result;
  if (plan->first > plan->last) return result;
  KpiEngine engine(options.config);
  Day warm_first = plan->first - kWarmUpDays;
  if (plan->state_day) {
    Result<bool> loaded = LoadState(**snapshot, *plan->state_day, engine);
    if (!loaded.ok()) return loaded.status();
    if (*loaded) warm_first = plan->first;  // Else an older database's state: replay instead.
  }
  if (Status s = ComputeDays(db, **snapshot, engine, warm_first, *plan, options, &result);
      !s.ok()) {
    return s;
  }
  // A recomputation of chosen days leaves the incremental state and the arrival log alone: the
  // next plain run still recomputes every day late rows arrived for.
  if (!(options.from && options.to)) {
    if (Status s = InTransaction(db, [&] { return SaveProgress(db, engine, plan->arrivals); });
        !s.ok()) {
      return s;
    }
  }
  (void)(*snapshot)->Execute("COMMIT");
  if (options.retain_days > 0) {
    const Day cutoff = plan->last - options.retain_days + 1;
    Result<int64_t> deleted = DeleteBefore(db, static_cast<int64_t>(cutoff) * kDayMillis);
    if (!deleted.ok()) return deleted.status();
    result.events_deleted = *deleted;
  }
  result.first = plan->first;
  result.last = plan->last;
  return result;
}

Result<std::vector<KpiRow>> ReadKpis(const std::string& db_path, Day from, Day to) {
  Result<std::unique_ptr<Database>> opened = OpenDb(db_path);
  if (!opened.ok()) return opened.status();
  return ReadKpis(**opened, from, to);
}

Result<std::vector<KpiRow>> ReadKpis(Database& db, Day from, Day to) {
  Result<std::unique_ptr<Statement>> select =
      db.Prepare("SELECT * FROM kpi_daily WHERE day >= ? AND day <= ? ORDER BY day");
  if (!select.ok()) return select.status();
  (*select)->Bind(1, int64_t{from}).Bind(2, int64_t{to});
  std::vector<KpiRow> rows;
  Result<bool> row = (*select)->Step();
  for (; row.ok() && *row; row = (*select)->Step()) rows.push_back(ReadRow(**select));
  if (!row.ok()) return row.status();
  return rows;
}

Result<std::unique_ptr<Database>> OpenForReading(const std::string& db_path) {
  if (Status s = MustExist(db_path); !s.ok()) return s;
  Result<std::unique_ptr<Database>> db =
      Database::Open(db_path, Database::Mode::kReadOnly, kBusyTimeoutMs);
  if (!db.ok()) return db;
  Result<int64_t> tables = Scalar(**db,
                                  "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                  "name IN ('activity_events', 'kpi_daily')");
  if (!tables.ok()) return Status::FailedPrecondition(db_path + " is not a SQLite database");
  if (*tables < 2) {
    return Status::FailedPrecondition(
        db_path + " is not an aggregated collector database (run telemetry-collector aggregate)");
  }
  return db;
}

Result<std::optional<AggregatedDays>> ReadAggregatedDays(Database& db) {
  Result<std::unique_ptr<Statement>> select =
      db.Prepare("SELECT min(day), max(day) FROM kpi_daily");
  if (!select.ok()) return select.status();
  Result<bool> row = (*select)->Step();
  if (!row.ok()) return row.status();
  if ((*select)->IsNull(0)) return std::optional<AggregatedDays>();
  return std::optional<AggregatedDays>(
      AggregatedDays{static_cast<Day>((*select)->Int(0)), static_cast<Day>((*select)->Int(1))});
}

Result<std::vector<KpiRow>> ComputeKpis(const std::string& db_path, const QueryOptions& options) {
  Result<std::unique_ptr<Database>> opened = OpenDb(db_path);
  if (!opened.ok()) return opened.status();
  KpiEngine engine(options.config);
  std::vector<KpiRow> rows;
  Status s = Stream(**opened, options.sample, engine, options.from - kWarmUpDays, options.to,
                    [&](Day day, const KpiRow& kpis) {
                      if (day >= options.from) rows.push_back(kpis);
                      return Status::Ok();
                    });
  if (!s.ok()) return s;
  return rows;
}

Result<std::vector<SegmentRow>> ComputeSegments(const std::string& db_path,
                                                const QueryOptions& options) {
  if (Status s = CheckSegment(options.segment); !s.ok()) return s;
  Result<std::unique_ptr<Database>> opened = OpenDb(db_path);
  if (!opened.ok()) return opened.status();
  return ComputeSegments(**opened, options);
}

Result<std::vector<SegmentRow>> ComputeSegments(Database& db, const QueryOptions& options) {
  if (Status s = CheckSegment(options.segment); !s.ok()) return s;
  Result<EventReader> reader = EventReader::Make(db, options.sample, options.segment);
  if (!reader.ok()) return reader.status();
  const bool multi_device = options.segment == "multi_device";
  KpiEngine whole(options.config);  // For each user's multi-device status.
  std::map<std::string, KpiEngine> engines;
  std::vector<SegmentRow> out;
  for (Day day = options.from - kWarmUpDays; day <= options.to; ++day) {
    Result<std::vector<Row>> rows = reader->Day(day);
    if (!rows.ok()) return rows.status();
    std::map<std::string, std::vector<ActivityEvent>> by_segment;
    if (multi_device) {
      whole.AddDay(day, Events(*rows));
      for (const Row& row : *rows) {
        const bool md = row.event.uid && whole.MultiDeviceOnLastDay(*row.event.uid);
        by_segment[md ? "multi" : "single"].push_back(row.event);
      }
    } else {
      for (const Row& row : *rows) by_segment[row.segment].push_back(row.event);
    }
    for (auto& [segment, events] : by_segment) engines.try_emplace(segment, options.config);
    for (auto& [segment, engine] : engines) {
      KpiRow row = engine.AddDay(day, by_segment[segment]);
      if (day < options.from || row.mau == 0) continue;
      out.push_back({day, segment, row.dau, row.wau, row.mau, row.engagement_ratio});
    }
  }
  return out;
}

}  // namespace telemetry::collector::kpi
