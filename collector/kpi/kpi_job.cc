#include "collector/kpi/kpi_job.h"

#include <algorithm>
#include <map>
#include <sstream>

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

Result<std::unique_ptr<Database>> OpenDb(const std::string& path) {
  Result<std::unique_ptr<Database>> db = Database::Open(path, Database::Mode::kReadWrite);
  if (!db.ok()) return db;
  if (Status s = (*db)->Execute(kSchema); !s.ok()) {
    return Status::FailedPrecondition("not a collector database (no activity_events?): " +
                                      s.message());
  }
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
    if (!part.empty()) out.push_back(std::stoll(part));
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

// users_services_daily for one day: per (uid, service), the event count and the user agent,
// grouped by SQLite itself.
Status StoreUsersServices(Database& db, Day day) {
  Result<std::unique_ptr<Statement>> clear =
      db.Prepare("DELETE FROM users_services_daily WHERE date = ?");
  Result<std::unique_ptr<Statement>> fill = db.Prepare(
      "INSERT INTO users_services_daily "
      "SELECT ?3, uid, coalesce(service, ''), count(*), min(userAgentOS), min(userAgentBrowser), "
      "NULL FROM activity_events WHERE timestamp >= ?1 AND timestamp < ?2 AND uid IS NOT NULL "
      "GROUP BY uid, coalesce(service, '')");
  if (!clear.ok()) return clear.status();
  if (!fill.ok()) return fill.status();
  if (Status s = (*clear)->Bind(1, UtcDateOfDay(day)).Run(); !s.ok()) return s;
  return (*fill)
      ->Bind(1, static_cast<int64_t>(day) * kDayMillis)
      .Bind(2, static_cast<int64_t>(day + 1) * kDayMillis)
      .Bind(3, UtcDateOfDay(day))
      .Run();
}

}  // namespace

const std::vector<std::string>& SegmentColumns() {
  static const std::vector<std::string> columns = {
      "userAgentBrowser", "userAgentVersion", "userAgentOS", "service",     "context",
      "entrypoint",       "campaign",         "migration",   "multi_device"};
  return columns;
}

Result<AggregateResult> Aggregate(const std::string& db_path, const AggregateOptions& options) {
  if (options.retain_days != 0 && options.retain_days < kMinRetainDays) {
    return Status::InvalidArgument("--retain-days must be at least " +
                                   std::to_string(kMinRetainDays) +
                                   " (a recomputation replays that much)");
  }
  Result<std::unique_ptr<Database>> opened = OpenDb(db_path);
  if (!opened.ok()) return opened.status();
  Database& db = **opened;
  Result<EventReader> reader = EventReader::Make(db, 100, "");
  if (!reader.ok()) return reader.status();

  // What changed since the last run: rows past the highest one seen.
  Result<std::optional<std::string>> seen = Meta(db, "last_rowid");
  Result<std::optional<std::string>> state = Meta(db, "state_day");
  if (!seen.ok()) return seen.status();
  if (!state.ok()) return state.status();
  const int64_t last_rowid = seen->has_value() ? std::stoll(**seen) : 0;
  Result<int64_t> max_rowid = Scalar(db, "SELECT max(rowid) FROM activity_events");
  Result<int64_t> first_new = Scalar(
      db, "SELECT min(timestamp) FROM activity_events WHERE rowid > " + std::to_string(last_rowid));
  if (!max_rowid.ok()) return max_rowid.status();
  if (!first_new.ok()) return first_new.status();

  Day first = 0;
  Day last = options.today - 1;
  KpiEngine engine(options.config);
  if (options.from && options.to) {
    first = *options.from;
    last = *options.to;
  } else {
    std::optional<Day> state_day;
    if (state->has_value()) state_day = static_cast<Day>(std::stol(**state));
    std::optional<Day> dirty;
    if (*first_new != INT64_MIN) dirty = UtcDayOf(*first_new);
    if (!state_day) {
      if (!dirty) return AggregateResult{};  // No data at all.
      first = *dirty;
    } else if (dirty && *dirty <= *state_day) {
      first = *dirty;  // Late data: recompute from its day on.
    } else {
      first = *state_day + 1;
      if (Status s = LoadState(db, *state_day, engine); !s.ok()) return s;
    }
  }
  AggregateResult result;
  if (first > last) return result;
  if (!engine.last_day()) {
    if (Status s = WarmUp(*reader, engine, first - kWarmUpDays, first - 1); !s.ok()) return s;
  }
  Result<std::unique_ptr<Statement>> insert = db.Prepare(
      "INSERT OR REPLACE INTO kpi_daily VALUES "
      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  Status status = InTransaction(db, [&]() -> Status {
    for (Day day = first; day <= last; ++day) {
      if (options.progress) options.progress(day, last);
      Result<std::vector<Row>> rows = reader->Day(day);
      if (!rows.ok()) return rows.status();
      if (Status s = StoreRow(**insert, engine.AddDay(day, Events(*rows))); !s.ok()) return s;
      if (Status s = StoreUsersServices(db, day); !s.ok()) return s;
      ++result.days;
    }
    // Only a run up to yesterday moves the incremental state on.
    if (!(options.from && options.to) || last >= options.today - 1) {
      if (Status s = SaveState(db, engine); !s.ok()) return s;
      if (*max_rowid != INT64_MIN) {
        if (Status s = SetMeta(db, "last_rowid", std::to_string(*max_rowid)); !s.ok()) return s;
      }
    }
    if (options.retain_days > 0) {
      const int64_t cutoff = static_cast<int64_t>(last - options.retain_days + 1) * kDayMillis;
      Result<int64_t> doomed = Scalar(
          db, "SELECT count(*) FROM activity_events WHERE timestamp < " + std::to_string(cutoff));
      if (!doomed.ok()) return doomed.status();
      result.events_deleted = *doomed;
      return db.Execute("DELETE FROM activity_events WHERE timestamp < " + std::to_string(cutoff));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  result.first = first;
  result.last = last;
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
