#include "collector/kpi/kpi_job.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <utility>

#include "collector/ingest/limits.h"
#include "telemetry/base/sqlite.h"

namespace telemetry::collector::kpi {
namespace {

using telemetry::sqlite::Database;
using telemetry::sqlite::Statement;

const char kSchema[] = R"sql(
CREATE INDEX IF NOT EXISTS activity_events_for_kpis
  ON activity_events(timestamp, uid, deviceId, type, service, newUser, seqTime);
CREATE TABLE IF NOT EXISTS kpi_daily (
  date TEXT PRIMARY KEY, day INTEGER NOT NULL,
  dau INTEGER, wau INTEGER, mau INTEGER, engagement_ratio REAL,
  md_dau INTEGER, md_mau INTEGER, md_engagement_ratio REAL,
  ttc_new_n INTEGER, ttc_new_p25 REAL, ttc_new_p50 REAL, ttc_new_p75 REAL,
  ttc_existing_n INTEGER, ttc_existing_p25 REAL, ttc_existing_p50 REAL, ttc_existing_p75 REAL,
  sequences_begun INTEGER, devices_connected INTEGER, completion_rate REAL);
CREATE TABLE IF NOT EXISTS kpi_user_state (
  uid TEXT PRIMARY KEY, last_active INTEGER NOT NULL, last_multi_device INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS kpi_device_state (
  uid TEXT NOT NULL, device TEXT NOT NULL, last_day INTEGER NOT NULL,
  PRIMARY KEY (uid, device));
CREATE TABLE IF NOT EXISTS kpi_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users_services_daily (
  date TEXT NOT NULL, uid TEXT NOT NULL, service TEXT NOT NULL, events INTEGER NOT NULL,
  os TEXT, browser TEXT, country TEXT,
  PRIMARY KEY (date, uid, service));
)sql";

// Ingestion commits are short: waiting this long for one means something is wrong.
constexpr int kBusyTimeoutMs = 10000;

Result<int64_t> Scalar(Database& db, const std::string& sql);
Status MustExist(const std::string& db_path);

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
  // data; what a power loss takes back, the next run computes again.
  if (Status s = (*db)->Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"); !s.ok()) {
    return s;
  }
  if (Status s = (*db)->Execute(kSchema); !s.ok()) return s;
  return db;
}

template <typename Body>
Status InTransaction(Database& db, Body body) {
  if (Status s = db.Execute("BEGIN IMMEDIATE"); !s.ok()) return s;
  Status status = body();
  if (status.ok()) status = db.Execute("COMMIT");
  if (!status.ok()) (void)db.Execute("ROLLBACK");
  return status;
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

std::string Join(const std::vector<int64_t>& values) {
  std::string out;
  for (int64_t v : values) out += (out.empty() ? "" : ",") + std::to_string(v);
  return out;
}

std::vector<int64_t> Split(const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    if (!part.empty()) out.push_back(std::strtoll(part.c_str(), nullptr, 10));
  }
  return out;
}

// Replays [first, last] into `engine`, discarding the rows: state for a recomputation.
Status WarmUp(EventReader& reader, KpiEngine& engine, Day first, Day last) {
  for (Day day = first; day <= last; ++day) {
    Result<std::vector<Row>> rows = reader.Day(day);
    if (!rows.ok()) return rows.status();
    engine.AddDay(day, Events(*rows));
  }
  return Status::Ok();
}

Status SaveState(Database& db, const KpiEngine& engine) {
  if (Status s = db.Execute("DELETE FROM kpi_user_state; DELETE FROM kpi_device_state;"); !s.ok()) {
    return s;
  }
  Result<std::unique_ptr<Statement>> user =
      db.Prepare("INSERT INTO kpi_user_state VALUES (?, ?, ?)");
  Result<std::unique_ptr<Statement>> device =
      db.Prepare("INSERT INTO kpi_device_state VALUES (?, ?, ?)");
  if (!user.ok()) return user.status();
  if (!device.ok()) return device.status();
  for (const auto& [uid, state] : engine.users()) {
    Status s =
        (*user)->Bind(1, uid).Bind(2, state.last_active).Bind(3, state.last_multi_device).Run();
    if (!s.ok()) return s;
    for (const auto& [id, last] : state.devices) {
      if (Status d = (*device)->Bind(1, uid).Bind(2, id).Bind(3, last).Run(); !d.ok()) return d;
    }
  }
  if (Status s = SetMeta(db, "state_day", std::to_string(*engine.last_day())); !s.ok()) return s;
  if (Status s = SetMeta(db, "recent_dau", Join(engine.recent_dau())); !s.ok()) return s;
  return SetMeta(db, "recent_md_dau", Join(engine.recent_md_dau()));
}

Status LoadState(Database& db, Day state_day, KpiEngine& engine) {
  std::unordered_map<std::string, KpiEngine::UserState> users;
  Result<std::unique_ptr<Statement>> user = db.Prepare("SELECT * FROM kpi_user_state");
  if (!user.ok()) return user.status();
  Result<bool> row = (*user)->Step();
  for (; row.ok() && *row; row = (*user)->Step()) {
    KpiEngine::UserState& state = users[(*user)->Text(0)];
    state.last_active = static_cast<Day>((*user)->Int(1));
    state.last_multi_device = static_cast<Day>((*user)->Int(2));
  }
  if (!row.ok()) return row.status();
  Result<std::unique_ptr<Statement>> device = db.Prepare("SELECT * FROM kpi_device_state");
  if (!device.ok()) return device.status();
  for (row = (*device)->Step(); row.ok() && *row; row = (*device)->Step()) {
    users[(*device)->Text(0)].devices[(*device)->Text(1)] = static_cast<Day>((*device)->Int(2));
  }
  if (!row.ok()) return row.status();
  Result<std::optional<std::string>> dau = Meta(db, "recent_dau");
  Result<std::optional<std::string>> md = Meta(db, "recent_md_dau");
  if (!dau.ok()) return dau.status();
  if (!md.ok()) return md.status();
  engine.Restore(state_day, std::move(users), Split(dau->value_or("")), Split(md->value_or("")));
  return Status::Ok();
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

Status CheckOptions(const AggregateOptions& options) {
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

// users_services_daily for one day: per (uid, service), the event count and the user agent,
// grouped by SQLite over the snapshot and written in the day's transaction.
Status StoreUsersServices(Database& db, Database& snapshot, Day day) {
  Result<std::unique_ptr<Statement>> group = snapshot.Prepare(
      "SELECT uid, coalesce(service, ''), count(*), min(userAgentOS), min(userAgentBrowser) "
      "FROM activity_events WHERE timestamp >= ?1 AND timestamp < ?2 AND uid IS NOT NULL "
      "GROUP BY uid, coalesce(service, '')");
  Result<std::unique_ptr<Statement>> clear =
      db.Prepare("DELETE FROM users_services_daily WHERE date = ?");
  Result<std::unique_ptr<Statement>> insert =
      db.Prepare("INSERT INTO users_services_daily VALUES (?, ?, ?, ?, ?, ?, NULL)");
  if (!group.ok()) return group.status();
  if (!clear.ok()) return clear.status();
  if (!insert.ok()) return insert.status();
  const std::string date = UtcDateOfDay(day);
  if (Status s = (*clear)->Bind(1, date).Run(); !s.ok()) return s;
  Statement& g = **group;
  g.Bind(1, static_cast<int64_t>(day) * kDayMillis)
      .Bind(2, static_cast<int64_t>(day + 1) * kDayMillis);
  Result<bool> row = g.Step();
  for (; row.ok() && *row; row = g.Step()) {
    Statement& i = **insert;
    i.Bind(1, date).Bind(2, g.Text(0)).Bind(3, g.Text(1)).Bind(4, g.Int(2));
    g.IsNull(3) ? i.BindNull(5) : i.Bind(5, g.Text(3));
    g.IsNull(4) ? i.BindNull(6) : i.Bind(6, g.Text(4));
    if (Status s = i.Run(); !s.ok()) return s;
  }
  return row.ok() ? Status::Ok() : row.status();
}

// Computes the plan's days from the snapshot; each day is written in a transaction of its own,
// so ingestion waits for one day's rows at most, never for the run.
Status ComputeDays(Database& db, Database& snapshot, EventReader& reader, KpiEngine& engine,
                   const Plan& plan, const AggregateOptions& options, AggregateResult* result) {
  Result<std::unique_ptr<Statement>> insert = db.Prepare(
      "INSERT OR REPLACE INTO kpi_daily VALUES "
      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  for (Day day = plan.first; day <= plan.last; ++day) {
    Result<std::vector<Row>> rows = reader.Day(day);
    if (!rows.ok()) return rows.status();
    const KpiRow kpis = engine.AddDay(day, Events(*rows));
    Status s = InTransaction(db, [&]() -> Status {
      if (Status r = StoreRow(**insert, kpis); !r.ok()) return r;
      return StoreUsersServices(db, snapshot, day);
    });
    if (!s.ok()) return s;
    ++result->days;
    if (options.progress) options.progress(day, plan.first, plan.last, kpis);
  }
  return Status::Ok();
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

Result<AggregateResult> Aggregate(const std::string& db_path, const AggregateOptions& options) {
  if (Status s = CheckOptions(options); !s.ok()) return s;
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
  Result<EventReader> reader = EventReader::Make(**snapshot, 100, "");
  if (!reader.ok()) return reader.status();
  Status status = plan->state_day
                      ? LoadState(**snapshot, *plan->state_day, engine)
                      : WarmUp(*reader, engine, plan->first - kWarmUpDays, plan->first - 1);
  if (!status.ok()) return status;
  if (Status s = ComputeDays(db, **snapshot, *reader, engine, *plan, options, &result); !s.ok()) {
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
  Result<std::unique_ptr<Statement>> select =
      (*opened)->Prepare("SELECT * FROM kpi_daily WHERE day >= ? AND day <= ? ORDER BY day");
  if (!select.ok()) return select.status();
  (*select)->Bind(1, int64_t{from}).Bind(2, int64_t{to});
  std::vector<KpiRow> rows;
  Result<bool> row = (*select)->Step();
  for (; row.ok() && *row; row = (*select)->Step()) rows.push_back(ReadRow(**select));
  if (!row.ok()) return row.status();
  return rows;
}

Result<std::vector<KpiRow>> ComputeKpis(const std::string& db_path, const QueryOptions& options) {
  Result<std::unique_ptr<Database>> opened = OpenDb(db_path);
  if (!opened.ok()) return opened.status();
  Result<EventReader> reader = EventReader::Make(**opened, options.sample, "");
  if (!reader.ok()) return reader.status();
  KpiEngine engine(options.config);
  if (Status s = WarmUp(*reader, engine, options.from - kWarmUpDays, options.from - 1); !s.ok()) {
    return s;
  }
  std::vector<KpiRow> rows;
  for (Day day = options.from; day <= options.to; ++day) {
    Result<std::vector<Row>> events = reader->Day(day);
    if (!events.ok()) return events.status();
    rows.push_back(engine.AddDay(day, Events(*events)));
  }
  return rows;
}

Result<std::vector<SegmentRow>> ComputeSegments(const std::string& db_path,
                                                const QueryOptions& options) {
  const auto& columns = SegmentColumns();
  if (std::find(columns.begin(), columns.end(), options.segment) == columns.end()) {
    return Status::InvalidArgument("cannot segment by '" + options.segment + "'");
  }
  Result<std::unique_ptr<Database>> opened = OpenDb(db_path);
  if (!opened.ok()) return opened.status();
  Result<EventReader> reader = EventReader::Make(**opened, options.sample, options.segment);
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
        const bool md = row.event.uid && whole.multi_device_users().count(*row.event.uid) > 0;
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
