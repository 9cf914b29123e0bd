// The dashboard's route handler called directly (collector/dashboard/dashboard.h): its API
// answers exactly what `telemetry-collector kpis` prints, refuses bad parameters with the
// reason, gives only aggregates, never writes, serves its pages and Chart.js, and wants its
// token when it has one. The database is made by the real import and aggregate commands.
#include "collector/dashboard/dashboard.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "collector/dashboard/access_token.h"
#include "collector/kpi/kpi_job.h"
#include "dashboard_test_support.h"

namespace telemetry::collector::dashboard {
namespace {

using telemetry::testing::kFirstDay;
using telemetry::testing::kLastDay;
using telemetry::testing::KpisPrinted;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

HttpRequest Get(const std::string& target,
                std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpRequest request;
  request.method = "GET";
  request.target = target;
  const size_t q = target.find('?');
  request.path = target.substr(0, q);
  request.query = q == std::string::npos ? "" : target.substr(q + 1);
  request.headers = std::move(headers);
  return request;
}

std::optional<std::string> HeaderOf(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

class DashboardTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new telemetry::testing::ScopedTempDir();
    db_ = dir_->Sub("collector.db");
    telemetry::testing::MakeKnownDatabase(dir_->path(), db_);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  HttpResponse Serve(const std::string& target) {
    DashboardOptions options;
    options.db_path = db_;
    return DashboardHandler(options)(Get(target));
  }

  static telemetry::testing::ScopedTempDir* dir_;
  static std::string db_;
};
telemetry::testing::ScopedTempDir* DashboardTest::dir_ = nullptr;
std::string DashboardTest::db_;

TEST_F(DashboardTest, TheApiAnswersExactlyWhatKpisPrints) {
  const std::string range = std::string("from=") + kFirstDay + "&to=" + kLastDay;
  const std::string args = std::string("--from ") + kFirstDay + " --to " + kLastDay;
  HttpResponse all = Serve("/api/v1/kpis?" + range);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.content_type, "application/json");
  EXPECT_EQ(all.body, KpisPrinted(db_, args + " --format json"));
  EXPECT_NE(all.body.find("\"md_dau\""), std::string::npos);
  EXPECT_EQ(HeaderOf(all, "X-Days-Not-Aggregated"), "0");

  HttpResponse csv = Serve("/api/v1/kpis?" + range + "&format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.body, KpisPrinted(db_, args));
  EXPECT_NE(HeaderOf(csv, "Content-Disposition").value_or("").find("attachment"),
            std::string::npos);

  // Every segment column, in JSON and in CSV.
  for (const std::string& column : kpi::SegmentColumns()) {
    HttpResponse json = Serve("/api/v1/kpis?" + range + "&segment=" + column);
    ASSERT_EQ(json.status, 200) << column << ": " << json.body;
    EXPECT_EQ(json.body, KpisPrinted(db_, args + " --format json --segment " + column)) << column;
    HttpResponse text = Serve("/api/v1/kpis?" + range + "&segment=" + column + "&format=csv");
    EXPECT_EQ(text.body, KpisPrinted(db_, args + " --segment " + column)) << column;
  }
}

TEST_F(DashboardTest, DaysNotAggregatedAreLeftOutAndCounted) {
  HttpResponse response = Serve("/api/v1/kpis?from=2016-04-10&to=2016-04-20");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body, KpisPrinted(db_, "--from 2016-04-10 --to 2016-04-20 --format json"));
  EXPECT_EQ(HeaderOf(response, "X-Days-Not-Aggregated"), "6");  // 04-15 to 04-20.
}

TEST_F(DashboardTest, BadParametersAreRefusedWithTheReason) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/api/v1/kpis", "give from=YYYY-MM-DD"},
      {"/api/v1/kpis?from=2016-03-01", "give to=YYYY-MM-DD"},
      {"/api/v1/kpis?from=2016-02-30&to=2016-03-01",
       "from wants a date as YYYY-MM-DD, not "
       "'2016-02-30'"},
      {"/api/v1/kpis?from=2016-03-01&to=March", "to wants a date as YYYY-MM-DD, not 'March'"},
      {"/api/v1/kpis?from=2016-03-02&to=2016-03-01", "from is after to"},
      {"/api/v1/kpis?from=2010-01-01&to=2016-03-01", "a range of at most 1096 days, not 2252"},
      {"/api/v1/kpis?from=2016-03-01&to=2016-03-02&segment=uid", "cannot segment by 'uid'"},
      {"/api/v1/kpis?from=2016-03-01&to=2016-03-02&segment=x%27%3B%20DROP", "cannot segment by"},
      {"/api/v1/kpis?from=2016-03-01&to=2016-03-02&format=xml", "format is json or csv"},
  };
  for (const auto& [target, reason] : cases) {
    HttpResponse response = Serve(target);
    EXPECT_EQ(response.status, 400) << target;
    EXPECT_NE(response.body.find("bad_parameter: " + reason), std::string::npos)
        << target << ": " << response.body;
  }
}

// Only aggregates leave: no stored account or device id (HMACed) appears in any answer, and ids
// are no segment.
TEST_F(DashboardTest, NoAnswerHoldsAnAccountOrDeviceId) {
  std::vector<std::string> ids;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* select = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db,
                               "SELECT DISTINCT uid FROM activity_events WHERE uid IS NOT NULL "
                               "UNION SELECT DISTINCT deviceId FROM activity_events WHERE "
                               "deviceId IS NOT NULL",
                               -1, &select, nullptr),
            SQLITE_OK);
  while (sqlite3_step(select) == SQLITE_ROW) {
    ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(select, 0)));
  }
  sqlite3_finalize(select);
  sqlite3_close(db);
  ASSERT_GT(ids.size(), 40u);
  std::string everything = Serve("/api/v1/info").body;
  const std::string range = std::string("from=") + kFirstDay + "&to=" + kLastDay;
  everything += Serve("/api/v1/kpis?" + range).body;
  for (const std::string& column : kpi::SegmentColumns()) {
    everything += Serve("/api/v1/kpis?" + range + "&segment=" + column).body;
  }
  for (const std::string& id : ids) {
    EXPECT_EQ(everything.find(id), std::string::npos) << id;
    EXPECT_EQ(everything.find(id.substr(0, 16)), std::string::npos) << id;
  }
}

// A read-only open: the file's bytes stay the same, and a database that was never aggregated is
// answered 503 and left without the job's tables (the `kpis` command would have added them).
TEST_F(DashboardTest, TheDashboardNeverWrites) {
  telemetry::testing::ScopedTempDir dir;
  const std::string fresh = dir.Sub("fresh.db");
  telemetry::testing::MakeKnownDatabase(dir.path(), fresh, /*aggregate=*/false);
  const std::string before = ReadBytes(fresh);
  DashboardOptions options;
  options.db_path = fresh;
  RouteHandler handler = DashboardHandler(options);
  HttpResponse response = handler(Get("/api/v1/kpis?from=2016-03-01&to=2016-03-02"));
  EXPECT_EQ(response.status, 503);
  EXPECT_NE(response.body.find("not an aggregated collector database"), std::string::npos)
      << response.body;
  EXPECT_EQ(handler(Get("/api/v1/info")).status, 503);
  EXPECT_EQ(ReadBytes(fresh), before);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(fresh.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* count = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'kpi%'", -1, &count,
                     nullptr);
  ASSERT_EQ(sqlite3_step(count), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(count, 0), 0);
  sqlite3_finalize(count);
  sqlite3_close(db);

  // The aggregated one: many answers later, the same bytes.
  const std::string aggregated = ReadBytes(db_);
  for (const char* target : {"/api/v1/info", "/api/v1/kpis?from=2016-03-01&to=2016-04-14",
                             "/api/v1/kpis?from=2016-03-01&to=2016-04-14&segment=multi_device"}) {
    EXPECT_EQ(Serve(target).status, 200) << target;
  }
  EXPECT_EQ(ReadBytes(db_), aggregated);

  // No database: said, and none is created.
  options.db_path = dir.Sub("missing.db");
  response = DashboardHandler(options)(Get("/api/v1/info"));
  EXPECT_EQ(response.status, 503);
  EXPECT_NE(response.body.find("no database at " + options.db_path), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(options.db_path));
}

TEST_F(DashboardTest, InfoGivesTheAggregatedDaysTheSegmentsAndTheGoals) {
  DashboardOptions options;
  options.db_path = db_;
  options.goals.multi_device_percent = 25;
  HttpResponse response = DashboardHandler(options)(Get("/api/v1/info"));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_NE(response.body.find("\"first_day\": \"2016-03-01\""), std::string::npos);
  EXPECT_NE(response.body.find("\"last_day\": \"2016-04-14\""), std::string::npos);
  EXPECT_NE(response.body.find("\"multi_device_percent\": 25"), std::string::npos);
  EXPECT_NE(response.body.find("\"ttc_new_seconds\": 10"), std::string::npos);
  EXPECT_NE(response.body.find("\"ttc_existing_seconds\": 5"), std::string::npos);
  EXPECT_NE(response.body.find("\"multi_device\""), std::string::npos);
}

TEST_F(DashboardTest, ThePagesAndDebiansChartJsAreServedFromTheBinary) {
  HttpResponse overview = Serve("/dashboard/");
  ASSERT_EQ(overview.status, 200);
  EXPECT_EQ(overview.content_type, "text/html; charset=utf-8");
  EXPECT_NE(overview.body.find("<canvas id=\"multi_device\">"), std::string::npos);
  EXPECT_NE(HeaderOf(overview, "Content-Security-Policy").value_or("").find("default-src 'self'"),
            std::string::npos);
  EXPECT_EQ(Serve("/dashboard").body, overview.body);
  HttpResponse detail = Serve("/dashboard/detail");
  ASSERT_EQ(detail.status, 200);
  EXPECT_NE(detail.body.find("<select id=\"segment\">"), std::string::npos);
  HttpResponse chart = Serve("/dashboard/assets/chart.js");
  ASSERT_EQ(chart.status, 200);
  EXPECT_EQ(chart.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(chart.body, ReadBytes("/usr/share/javascript/chart.js/chart.min.js"));
  EXPECT_NE(chart.body.find("Chart.js v3.9.1"), std::string::npos);
  EXPECT_EQ(Serve("/dashboard/assets/dashboard.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Serve("/dashboard/assets/nothing.js").status, 404);
  EXPECT_EQ(Serve("/dashboard/assets/overview.html").status, 404);
  EXPECT_EQ(Serve("/dashboard/elsewhere").status, 404);
  EXPECT_EQ(Serve("/api/v1/other").status, 404);
  DashboardOptions options;
  options.db_path = db_;
  HttpRequest post = Get("/api/v1/kpis?from=2016-03-01&to=2016-03-02");
  post.method = "POST";
  HttpResponse refused = DashboardHandler(options)(post);
  EXPECT_EQ(refused.status, 405);
  EXPECT_EQ(HeaderOf(refused, "Allow"), "GET");
}

TEST_F(DashboardTest, WithATokenEveryRequestMustCarryIt) {
  DashboardOptions options;
  options.db_path = db_;
  options.token = "s3cret-token-0123456789";
  RouteHandler handler = DashboardHandler(options);
  for (const char* target : {"/dashboard/", "/dashboard/assets/chart.js", "/api/v1/info"}) {
    HttpResponse refused = handler(Get(target));
    EXPECT_EQ(refused.status, 401) << target;
    EXPECT_NE(refused.body.find("unauthorized"), std::string::npos);
    EXPECT_TRUE(HeaderOf(refused, "WWW-Authenticate").has_value());
  }
  // The same length, one byte off; another scheme; an empty cookie.
  EXPECT_EQ(
      handler(Get("/api/v1/info", {{"Authorization", "Bearer s3cret-token-0123456788"}})).status,
      401);
  EXPECT_EQ(
      handler(Get("/api/v1/info", {{"Authorization", "Basic s3cret-token-0123456789"}})).status,
      401);
  EXPECT_EQ(handler(Get("/api/v1/info", {{"Cookie", "dashboard_token="}})).status, 401);
  EXPECT_EQ(handler(Get("/api/v1/info?token=s3cret")).status, 401);

  EXPECT_EQ(
      handler(Get("/api/v1/info", {{"authorization", "bearer s3cret-token-0123456789"}})).status,
      200);
  EXPECT_EQ(
      handler(Get("/api/v1/info", {{"Cookie", "a=b; dashboard_token=s3cret-token-0123456789"}}))
          .status,
      200);
  HttpResponse page = handler(Get("/dashboard/?token=s3cret-token-0123456789"));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(HeaderOf(page, "Set-Cookie").value_or("").find("dashboard_token=s3cret-token-"),
            std::string::npos);
  EXPECT_NE(HeaderOf(page, "Set-Cookie").value_or("").find("HttpOnly"), std::string::npos);
}

TEST(DashboardAccess, TokenFilesAndLoopbackAddresses) {
  telemetry::testing::ScopedTempDir dir;
  EXPECT_FALSE(ReadAccessToken(dir.Sub("none")).ok());
  std::ofstream(dir.Sub("short")) << "abc\n";
  Result<std::string> short_token = ReadAccessToken(dir.Sub("short"));
  ASSERT_FALSE(short_token.ok());
  EXPECT_NE(short_token.status().message().find("shorter than 16"), std::string::npos);
  EXPECT_NE(short_token.status().message().find(dir.Sub("short")), std::string::npos);
  std::ofstream(dir.Sub("good")) << "  0123456789abcdef0123\n\nignored\n";
  EXPECT_EQ(ReadAccessToken(dir.Sub("good")).value(), "0123456789abcdef0123");

  for (const char* host : {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"0.0.0.0", "10.0.0.1", "192.168.1.2", "::", "example.com", ""}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

}  // namespace
}  // namespace telemetry::collector::dashboard

namespace telemetry::collector::dashboard {
namespace {

// The commands refuse to put an open dashboard beyond loopback, in one clear line, and say
// what is wrong with the database before listening.
TEST(DashboardCommand, RefusesToStartWhereItWouldBeOpenOrHasNothingToShow) {
  telemetry::testing::ScopedTempDir dir;
  const std::string collector = TELEMETRY_COLLECTOR;
  const std::string db = dir.Sub("c.db");
  telemetry::testing::MakeKnownDatabase(dir.path(), db, /*aggregate=*/false);
  std::string out;
  EXPECT_EQ(telemetry::testing::RunCommand(
                collector + " dashboard --db " + db + " --listen 0.0.0.0:0", &out),
            2);
  EXPECT_EQ(out,
            "telemetry-collector dashboard: refusing to start: the dashboard listens on 0.0.0.0, "
            "beyond loopback: give --dashboard-token FILE\n");
  EXPECT_EQ(
      telemetry::testing::RunCommand(
          collector + " serve --insecure-dev-key --dashboard --db " + db + " --listen 0.0.0.0:0",
          &out),
      2);
  EXPECT_NE(out.find("telemetry-collector serve: refusing to start: the dashboard listens on "
                     "0.0.0.0, beyond loopback: give --dashboard-token FILE\n"),
            std::string::npos)
      << out;
  std::ofstream(dir.Sub("short.token")) << "short\n";
  EXPECT_EQ(telemetry::testing::RunCommand(collector + " dashboard --db " + db +
                                               " --listen 0.0.0.0:0 --dashboard-token " +
                                               dir.Sub("short.token"),
                                           &out),
            2);
  EXPECT_NE(out.find("is shorter than 16 characters"), std::string::npos) << out;
  EXPECT_EQ(telemetry::testing::RunCommand(collector + " dashboard --db " + db, &out), 1);
  EXPECT_NE(out.find("not an aggregated collector database"), std::string::npos) << out;
  EXPECT_EQ(
      telemetry::testing::RunCommand(collector + " dashboard --db " + dir.Sub("none.db"), &out), 1);
  EXPECT_NE(out.find("no database at " + dir.Sub("none.db")), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("none.db")));
}

}  // namespace
}  // namespace telemetry::collector::dashboard
