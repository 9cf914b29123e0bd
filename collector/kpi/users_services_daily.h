// users_services_daily (docs/KPIS.md, "Tables"), one day at a time, built from the rows of the
// KPI job's one ordered pass rather than by a grouped query per day:
//
//   UsersServicesDay day;
//   for (each row of the day with a uid) day.Add(user, service, os, browser);
//   day.ResolveNames([&](uint32_t id) { return engine.UserName(id); });
//   Status s = day.Store(db, date);  // On any thread, once the names are resolved.
//
// Per (uid, service): the number of rows and the least OS and browser, exactly what
// `SELECT uid, coalesce(service, ''), count(*), min(userAgentOS), min(userAgentBrowser) ...
// GROUP BY 1, 2` gives: a NULL service and '' are one value; min() compares bytes and ignores
// NULL. `user` is a dense id (the engine's), so a row costs no string hashing of the uid. Views
// given to Add need only live for the call. Not thread-safe.
#ifndef COLLECTOR_KPI_USERS_SERVICES_DAILY_H_
#define COLLECTOR_KPI_USERS_SERVICES_DAILY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collector/kpi/kpi_engine.h"
#include "telemetry/base/sqlite.h"
#include "telemetry/base/status.h"

namespace telemetry::collector::kpi {

// Creates the table when there is none. False when it is of an older version (a rowid table
// beside its primary key index): ConvertUsersServicesTable, inside a write transaction, makes it
// a WITHOUT ROWID table, rows kept, so that a day writes one B-tree instead of two.
Result<bool> UsersServicesTableIsCurrent(sqlite::Database& db);
Status ConvertUsersServicesTable(sqlite::Database& db);

class UsersServicesDay {
 public:
  using UserName = std::function<std::string_view(uint32_t user)>;

  // One row of the day; `os` and `browser` are null for NULL.
  void Add(uint32_t user, std::string_view service, const std::string_view* os,
           const std::string_view* browser);
  // Copies each row's uid out of `user_name`, so that the day no longer depends on the engine
  // (and can be stored from another thread). Call once, after the day's last Add.
  void ResolveNames(const UserName& user_name);
  // Makes the stored rows of `day` this day's: rows that differ are written in (uid, service)
  // order and rows no longer there are deleted; equal rows are left alone, so a rerun over
  // unchanged data writes nothing. Runs inside the caller's transaction.
  Status Store(sqlite::Database& db, Day day) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint32_t user, service, os, browser;
    uint32_t next;  // The user's next entry today (another service), or kNone.
    int64_t events;
  };
  static constexpr uint32_t kNone = IdInterner::kNone;
  uint32_t Least(uint32_t current, const std::string_view* value);
  // `uids`: each entry's uid.
  std::vector<uint32_t> InsertOrder(const std::vector<std::string_view>& uids) const;
  // Whether the stored row (uid, service, events, os, browser, country) holds `entry`'s values.
  bool SameAsStored(const Entry& entry, const sqlite::Statement& row) const;
  Status Apply(sqlite::Database& db, const std::string& date,
               const std::vector<std::string_view>& uids, const std::vector<uint32_t>& writes,
               const std::vector<std::pair<std::string, std::string>>& removals) const;

  std::vector<Entry> entries_;
  // The uids of entries_, one after another, and where each ends (ResolveNames). Offsets, not
  // views: the day is moved to the thread that stores it.
  std::string names_;
  std::vector<size_t> name_ends_;
  // Per user id: its first entry today, valid while entries_ holds an entry of that user there
  // (so a new day needs no clearing of this array).
  std::vector<uint32_t> first_;
  IdInterner values_;  // Services, OSes and browsers: few distinct values.
};

}  // namespace telemetry::collector::kpi

#endif  // COLLECTOR_KPI_USERS_SERVICES_DAILY_H_
