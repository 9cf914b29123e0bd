// Known KPIs for the dashboard suites: a small event table written as CSV, imported and
// aggregated by the real telemetry-collector (import, aggregate), and `kpis` run as a user runs
// it, for the numbers every page and API answer must equal.
#ifndef TELEMETRY_TESTS_DASHBOARD_TEST_SUPPORT_H_
#define TELEMETRY_TESTS_DASHBOARD_TEST_SUPPORT_H_

#include <string>

#include "activity_csv.h"
#include "telemetry/base/utc_date.h"
#include "test_support.h"

namespace telemetry::testing {

inline constexpr char kFirstDay[] = "2016-03-01";
inline constexpr char kLastDay[] = "2016-04-14";  // 45 days.

// 40 accounts over kFirstDay..kLastDay on four operating systems (two desktop, Android, iOS),
// multi-device users and Sync connections (activity_csv.h).
inline void WriteKnownEventsCsv(const std::string& path) {
  ActivityShape shape;
  shape.first_day = *ParseUtcDate(kFirstDay);
  shape.days = static_cast<int>(*ParseUtcDate(kLastDay) - shape.first_day + 1);
  WriteActivityCsv(path, shape);
}

// Imports the known events into a new database at `db` and, unless `aggregate` is false,
// aggregates exactly kFirstDay..kLastDay. Fails the test on any error.
inline void MakeKnownDatabase(const std::string& dir, const std::string& db,
                              bool aggregate = true) {
  const std::string csv = dir + "/events.csv";
  WriteKnownEventsCsv(csv);
  const std::string collector = TELEMETRY_COLLECTOR;
  std::string output;
  ASSERT_EQ(
      RunCommand(collector + " import --format fxa-csv --insecure-dev-key --db " + db + " " + csv,
                 &output),
      0)
      << output;
  if (!aggregate) return;
  ASSERT_EQ(
      RunCommand(collector + " aggregate --db " + db + " --from " + kFirstDay + " --to " + kLastDay,
                 &output),
      0)
      << output;
}

// `telemetry-collector kpis --db DB ARGS` as a user runs it: its stdout alone.
inline std::string KpisPrinted(const std::string& db, const std::string& args) {
  std::string output;
  const int status = RunCommand(
      "{ " + std::string(TELEMETRY_COLLECTOR) + " kpis --db " + db + " " + args + " 2>/dev/null; }",
      &output);
  EXPECT_EQ(status, 0) << args << ": " << output;
  return output;
}

}  // namespace telemetry::testing

#endif  // TELEMETRY_TESTS_DASHBOARD_TEST_SUPPORT_H_
