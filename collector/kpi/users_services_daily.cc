#include "collector/kpi/users_services_daily.h"

#include <algorithm>
#include <numeric>

#include "telemetry/base/utc_date.h"

namespace telemetry::collector::kpi {
namespace {

// The first 8 bytes, big-endian, zero-padded: ordering by it never contradicts bytewise order,
// so most comparisons of the sort stop there.
uint64_t Prefix(std::string_view s) {
  uint64_t prefix = 0;
  for (size_t i = 0; i < 8; ++i) {
    prefix = (prefix << 8) | (i < s.size() ? static_cast<uint8_t>(s[i]) : 0);
  }
  return prefix;
}

constexpr char kColumns[] =
    "(date TEXT NOT NULL, uid TEXT NOT NULL, service TEXT NOT NULL, events INTEGER NOT NULL, "
    "os TEXT, browser TEXT, country TEXT, PRIMARY KEY (date, uid, service)) WITHOUT ROWID";

// The table's CREATE statement; "" when there is none.
Result<std::string> TableSql(sqlite::Database& db) {
  Result<std::unique_ptr<sqlite::Statement>> s = db.Prepare(
      "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users_services_daily'");
  if (!s.ok()) return s.status();
  Result<bool> row = (*s)->Step();
  if (!row.ok()) return row.status();
  return *row ? (*s)->Text(0) : std::string();
}

}  // namespace

Result<bool> UsersServicesTableIsCurrent(sqlite::Database& db) {
  Result<std::string> sql = TableSql(db);
  if (!sql.ok()) return sql.status();
  if (!sql->empty()) return sql->find("WITHOUT ROWID") != std::string::npos;
  if (Status s =
          db.Execute(std::string("CREATE TABLE IF NOT EXISTS users_services_daily ") + kColumns);
      !s.ok()) {
    return s;
  }
  return true;
}

Status ConvertUsersServicesTable(sqlite::Database& db) {
  Result<bool> current = UsersServicesTableIsCurrent(db);  // Another process may have done it.
  if (!current.ok()) return current.status();
  if (*current) return Status::Ok();
  return db.Execute(std::string("CREATE TABLE users_services_daily_v2 ") + kColumns +
                    "; INSERT INTO users_services_daily_v2 SELECT date, uid, service, events, "
                    "os, browser, country FROM users_services_daily; "
                    "DROP TABLE users_services_daily; "
                    "ALTER TABLE users_services_daily_v2 RENAME TO users_services_daily;");
}

uint32_t UsersServicesDay::Least(uint32_t current, const std::string_view* value) {
  if (value == nullptr) return current;
  const uint32_t id = values_.Intern(*value);
  if (current == kNone || current == id) return id;
  return *value < values_.Name(current) ? id : current;
}

void UsersServicesDay::Add(uint32_t user, std::string_view service, const std::string_view* os,
                           const std::string_view* browser) {
  const uint32_t service_id = values_.Intern(service);
  if (first_.size() <= user) first_.resize(user + 1, kNone);
  uint32_t* link = &first_[user];
  // The user's entries today: a chain starting at first_[user], when that slot is today's.
  if (*link >= entries_.size() || entries_[*link].user != user) *link = kNone;
  while (*link != kNone) {
    Entry& entry = entries_[*link];
    if (entry.service == service_id) {
      ++entry.events;
      entry.os = Least(entry.os, os);
      entry.browser = Least(entry.browser, browser);
      return;
    }
    link = &entry.next;
  }
  *link = static_cast<uint32_t>(entries_.size());
  const uint32_t least_os = Least(kNone, os);
  entries_.push_back({user, service_id, least_os, Least(kNone, browser), kNone, 1});
}

// The order of the table's primary key, so each insert lands at the end of its index.
std::vector<uint32_t> UsersServicesDay::InsertOrder(
    const std::vector<std::string_view>& uids) const {
  std::vector<uint64_t> prefixes(entries_.size());
  for (size_t i = 0; i < entries_.size(); ++i) prefixes[i] = Prefix(uids[i]);
  std::vector<uint32_t> order(entries_.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (prefixes[a] != prefixes[b]) return prefixes[a] < prefixes[b];
    if (entries_[a].user != entries_[b].user) return uids[a] < uids[b];
    return values_.Name(entries_[a].service) < values_.Name(entries_[b].service);
  });
  return order;
}

bool UsersServicesDay::SameAsStored(const Entry& entry, const sqlite::Statement& row) const {
  auto same = [&](int column, uint32_t value) {
    return value == kNone ? row.IsNull(column)
                          : !row.IsNull(column) && row.TextView(column) == values_.Name(value);
  };
  return row.Int(2) == entry.events && same(3, entry.os) && same(4, entry.browser) && row.IsNull(5);
}

// A merge of the stored rows with the day's, both in primary-key order: a rerun over unchanged
// days writes nothing, and late rows rewrite only the (uid, service) rows they touch. The
// changes are collected first and applied after the read, never under an open cursor.
void UsersServicesDay::ResolveNames(const UserName& user_name) {
  names_.clear();
  name_ends_.resize(entries_.size());
  for (size_t e = 0; e < entries_.size(); ++e) {
    names_.append(user_name(entries_[e].user));
    name_ends_[e] = names_.size();
  }
}

Status UsersServicesDay::Store(sqlite::Database& db, Day day) const {
  Result<std::unique_ptr<sqlite::Statement>> stored = db.Prepare(
      "SELECT uid, service, events, os, browser, country FROM users_services_daily "
      "WHERE date = ? ORDER BY uid, service");
  if (!stored.ok()) return stored.status();
  const std::string date = UtcDateOfDay(day);
  std::vector<std::string_view> uids(entries_.size());
  for (size_t e = 0, begin = 0; e < entries_.size(); begin = name_ends_[e++]) {
    uids[e] = std::string_view(names_).substr(begin, name_ends_[e] - begin);
  }
  const std::vector<uint32_t> order = InsertOrder(uids);
  // <0, 0, >0 as entry `index` sorts before, with or after the stored row's (uid, service).
  auto compare = [&](uint32_t index, const sqlite::Statement& row) {
    if (int c = uids[index].compare(row.TextView(0)); c != 0) return c;
    return values_.Name(entries_[index].service).compare(row.TextView(1));
  };
  std::vector<uint32_t> writes;
  std::vector<std::pair<std::string, std::string>> removals;
  size_t next = 0;
  sqlite::Statement& row = **stored;
  row.Bind(1, date);
  Result<bool> more = row.Step();
  for (; more.ok() && *more; more = row.Step()) {
    int c = 1;
    while (next < order.size() && (c = compare(order[next], row)) < 0) {
      writes.push_back(order[next++]);
    }
    if (next < order.size() && c == 0) {
      if (!SameAsStored(entries_[order[next]], row)) writes.push_back(order[next]);
      ++next;
    } else {
      std::string uid(row.TextView(0));
      removals.emplace_back(std::move(uid), std::string(row.TextView(1)));
    }
  }
  if (!more.ok()) return more.status();
  writes.insert(writes.end(), order.begin() + static_cast<std::ptrdiff_t>(next), order.end());
  row.Reset();
  return Apply(db, date, uids, writes, removals);
}

Status UsersServicesDay::Apply(
    sqlite::Database& db, const std::string& date, const std::vector<std::string_view>& uids,
    const std::vector<uint32_t>& writes,
    const std::vector<std::pair<std::string, std::string>>& removals) const {
  if (!removals.empty()) {
    Result<std::unique_ptr<sqlite::Statement>> remove =
        db.Prepare("DELETE FROM users_services_daily WHERE date = ? AND uid = ? AND service = ?");
    if (!remove.ok()) return remove.status();
    for (const auto& [uid, service] : removals) {
      if (Status s = (*remove)->Bind(1, date).Bind(2, uid).Bind(3, service).Run(); !s.ok()) {
        return s;
      }
    }
  }
  // Rows go in kRowsPerInsert to a statement: SQLite's cost per statement run, not per row,
  // is what a day of small rows mostly pays.
  constexpr size_t kRowsPerInsert = 32;
  auto prepare = [&](size_t rows) {
    std::string sql = "INSERT OR REPLACE INTO users_services_daily VALUES ";
    for (size_t r = 0; r < rows; ++r)
      sql += r == 0 ? "(?, ?, ?, ?, ?, ?, NULL)" : ", (?, ?, ?, ?, ?, ?, NULL)";
    return db.Prepare(sql);
  };
  Result<std::unique_ptr<sqlite::Statement>> many = prepare(kRowsPerInsert);
  Result<std::unique_ptr<sqlite::Statement>> one = prepare(1);
  if (!many.ok()) return many.status();
  if (!one.ok()) return one.status();
  for (size_t w = 0; w < writes.size();) {
    const size_t rows = writes.size() - w >= kRowsPerInsert ? kRowsPerInsert : 1;
    sqlite::Statement& insert = rows == 1 ? **one : **many;
    for (size_t r = 0; r < rows; ++r, ++w) {
      const uint32_t index = writes[w];
      const Entry& entry = entries_[index];
      const int column = static_cast<int>(r * 6);
      insert.Bind(column + 1, date).Bind(column + 2, uids[index]);
      insert.Bind(column + 3, values_.Name(entry.service)).Bind(column + 4, entry.events);
      entry.os == kNone ? insert.BindNull(column + 5)
                        : insert.Bind(column + 5, values_.Name(entry.os));
      entry.browser == kNone ? insert.BindNull(column + 6)
                             : insert.Bind(column + 6, values_.Name(entry.browser));
    }
    if (Status s = insert.Run(); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace telemetry::collector::kpi
