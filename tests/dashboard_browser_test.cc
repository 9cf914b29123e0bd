// The dashboard in a real browser: Debian's chromium, headless, driven over the DevTools
// protocol (tools/browser), against the real telemetry-collector serving known KPIs (made by
// import and aggregate). Each chart's plotted values must equal the numbers `kpis` prints, the
// multi-device toggle must switch to percentages of all active users and back, and no page may
// log a console error. Screenshots go to the build directory (dashboard-screenshots/).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "collector/kpi/kpi_job.h"
#include "collector_child.h"
#include "dashboard_test_support.h"
#include "tools/browser/headless_chromium.h"

namespace telemetry::collector::dashboard {
namespace {

using nlohmann::json;
using telemetry::browser::HeadlessChromium;
using telemetry::testing::CollectorChild;
using telemetry::testing::kFirstDay;
using telemetry::testing::kLastDay;
using telemetry::testing::KpisPrinted;
constexpr auto kPatience = std::chrono::seconds(60);  // Only so that a broken page cannot hang.

std::optional<double> NumberOf(const json& value) {
  if (value.is_null()) return std::nullopt;
  return value.get<double>();
}

// Values plotted against values expected, day by day; null (a gap) only where null is expected.
void ExpectSeries(const json& plotted, const std::vector<std::optional<double>>& expected,
                  const std::string& what) {
  ASSERT_TRUE(plotted.is_array()) << what << ": " << plotted.dump();
  ASSERT_EQ(plotted.size(), expected.size()) << what;
  for (size_t i = 0; i < expected.size(); ++i) {
    const std::optional<double> got = NumberOf(plotted[i]);
    ASSERT_EQ(got.has_value(), expected[i].has_value()) << what << " day " << i;
    if (got) {
      EXPECT_NEAR(*got, *expected[i], 1e-9 * std::max(1.0, std::fabs(*expected[i])))
          << what << " day " << i;
    }
  }
}

std::vector<std::optional<double>> Column(const json& rows, const std::string& key) {
  std::vector<std::optional<double>> values;
  for (const json& row : rows) values.push_back(NumberOf(row[key]));
  return values;
}

class DashboardBrowserTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new telemetry::testing::ScopedTempDir();
    db_ = dir_->Sub("collector.db");
    telemetry::testing::MakeKnownDatabase(dir_->path(), db_);
    std::filesystem::create_directories(TELEMETRY_SCREENSHOT_DIR);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (db_.empty() || HasFatalFailure()) GTEST_SKIP() << "no database";
    browser::ChromiumOptions options;
    options.log_path = dir_->Sub("chromium.log");
    options.height = 1000;
    Result<std::unique_ptr<HeadlessChromium>> launched = HeadlessChromium::Launch(options);
    ASSERT_TRUE(launched.ok()) << launched.status().ToString();
    browser_ = std::move(*launched);
  }
  void TearDown() override {
    if (browser_) {
      EXPECT_TRUE(browser_->ConsoleErrors().empty())
          << "console errors: " << json(browser_->ConsoleErrors()).dump(1);
    }
    browser_.reset();
  }
  // Loads a page and waits until its charts are drawn (or it says what went wrong).
  void Load(const std::string& url) {
    Status navigated = browser_->Navigate(url);
    ASSERT_TRUE(navigated.ok()) << navigated.ToString();
    const std::string loaded = "location.href === " + json(url).dump() +
                               " && (window.dashboardState.ready || window.dashboardState.error)";
    Result<bool> done = browser_->WaitFor(loaded, kPatience);
    ASSERT_TRUE(done.ok() && *done) << url << " did not finish loading";
    Result<json> error = browser_->Evaluate("window.dashboardState.error");
    ASSERT_TRUE(error.ok() && error->is_null()) << url << ": " << error->dump();
  }
  json Chart(const std::string& name) {
    Result<json> data =
        browser_->Evaluate("(() => { const c = window.dashboardCharts[" + json(name).dump() +
                           "]; return {labels: c.data.labels, datasets: c.data.datasets.map("
                           "(d) => ({label: d.label, data: d.data}))}; })()");
    EXPECT_TRUE(data.ok()) << name << ": " << data.status().ToString();
    return data.ok() ? *data : json();
  }
  static json Dataset(const json& chart, const std::string& label) {
    for (const json& dataset : chart["datasets"]) {
      if (dataset["label"] == label) return dataset["data"];
    }
    ADD_FAILURE() << "no dataset '" << label << "' in " << chart.dump().substr(0, 300);
    return json();
  }
  void Screenshot(const std::string& name) {
    const std::string path = std::string(TELEMETRY_SCREENSHOT_DIR) + "/" + name;
    ASSERT_TRUE(browser_->Screenshot(path).ok());
    EXPECT_GT(std::filesystem::file_size(path), 10000u) << path;
  }
  static json Printed(const std::string& args) {
    return json::parse(KpisPrinted(
        db_, std::string("--from ") + kFirstDay + " --to " + kLastDay + " --format json " + args));
  }
  static std::string Range() { return std::string("from=") + kFirstDay + "&to=" + kLastDay; }
  static std::vector<std::string> Dates(const json& rows) {
    std::vector<std::string> dates;
    for (const json& row : rows) dates.push_back(row["date"]);
    return dates;
  }
  // The segment rows of one value, aligned on `dates` (null where that value has no row).
  static std::vector<std::optional<double>> SegmentSeries(const json& rows,
                                                          const std::string& column,
                                                          const std::string& value,
                                                          const std::string& key,
                                                          const std::vector<std::string>& dates) {
    std::vector<std::optional<double>> series(dates.size());
    for (const json& row : rows) {
      if (row[column] != value) continue;
      const size_t i = std::find(dates.begin(), dates.end(), row["date"]) - dates.begin();
      if (i < dates.size()) series[i] = NumberOf(row[key]);
    }
    return series;
  }
  static std::set<std::string> Values(const json& rows, const std::string& column) {
    std::set<std::string> values;
    for (const json& row : rows) values.insert(row[column].get<std::string>());
    return values;
  }

  static telemetry::testing::ScopedTempDir* dir_;
  static std::string db_;
  std::unique_ptr<HeadlessChromium> browser_;
};
telemetry::testing::ScopedTempDir* DashboardBrowserTest::dir_ = nullptr;
std::string DashboardBrowserTest::db_;

TEST_F(DashboardBrowserTest, TheOverviewPlotsExactlyTheNumbersKpisPrints) {
  CollectorChild dashboard(TELEMETRY_COLLECTOR, {"dashboard", "--db", db_},
                           dir_->Sub("dashboard.log"));
  ASSERT_GT(dashboard.port(), 0) << dashboard.Log();
  Load(dashboard.Url("/dashboard/?" + Range()));
  const json rows = Printed("");
  const json os_rows = Printed("--segment userAgentOS");
  const std::vector<std::string> dates = Dates(rows);
  ASSERT_EQ(dates.size(), 45u);

  const json engagement = Chart("engagement");
  EXPECT_EQ(engagement["labels"], json(dates));
  ExpectSeries(Dataset(engagement, "all users"), Column(rows, "engagement_ratio"), "all users");
  ExpectSeries(Dataset(engagement, "multi-device users"), Column(rows, "md_engagement_ratio"),
               "multi-device users");
  // Seed 001's platforms, one line per user-agent OS: two desktop ones, Android and iOS.
  const std::set<std::string> oses = Values(os_rows, "userAgentOS");
  ASSERT_EQ(oses, (std::set<std::string>{"Android", "Mac OS X", "Windows 10", "iOS"}));
  for (const auto& [os, label] :
       std::vector<std::pair<std::string, std::string>>{{"Windows 10", "desktop (Windows 10)"},
                                                        {"Mac OS X", "desktop (Mac OS X)"},
                                                        {"Android", "Android"},
                                                        {"iOS", "iOS"}}) {
    ExpectSeries(Dataset(engagement, label),
                 SegmentSeries(os_rows, "userAgentOS", os, "engagement_ratio", dates), label);
  }

  const json multi = Chart("multi_device");
  for (const auto& [label, key] :
       std::vector<std::pair<std::string, std::string>>{{"DAU", "dau"},
                                                        {"multi-device DAU", "md_dau"},
                                                        {"MAU", "mau"},
                                                        {"multi-device MAU", "md_mau"}}) {
    ExpectSeries(Dataset(multi, label), Column(rows, key), label);
  }

  for (const auto& [chart, prefix, goal] :
       std::vector<std::tuple<std::string, std::string, double>>{
           {"ttc_new", "ttc_new", 10}, {"ttc_existing", "ttc_existing", 5}}) {
    const json data = Chart(chart);
    ExpectSeries(Dataset(data, "p25"), Column(rows, prefix + "_p25"), chart + " p25");
    ExpectSeries(Dataset(data, "p75"), Column(rows, prefix + "_p75"), chart + " p75");
    ExpectSeries(Dataset(data, "median"), Column(rows, prefix + "_p50"), chart + " median");
    const std::string goal_label = "goal: median under " + std::to_string(int(goal)) + " s (" +
                                   (prefix == "ttc_new" ? "new" : "existing") + " accounts)";
    ExpectSeries(Dataset(data, goal_label), std::vector<std::optional<double>>(45, goal),
                 goal_label);
  }
  // Every chart is also a table: one row per day.
  Result<json> table_rows =
      browser_->Evaluate("document.querySelectorAll('#ttc_new-table tbody tr').length");
  ASSERT_TRUE(table_rows.ok());
  EXPECT_EQ(*table_rows, 45);
  Screenshot("overview.png");
}

TEST_F(DashboardBrowserTest, TheToggleShowsMultiDeviceUsersAsAPercentageOfAllActiveUsers) {
  CollectorChild dashboard(TELEMETRY_COLLECTOR,
                           {"dashboard", "--db", db_, "--goal-multi-device-percent", "30"},
                           dir_->Sub("dashboard.log"));
  ASSERT_GT(dashboard.port(), 0) << dashboard.Log();
  Load(dashboard.Url("/dashboard/?" + Range()));
  const json rows = Printed("");
  std::vector<std::optional<double>> of_dau, of_mau;
  for (const json& row : rows) {
    const double dau = row["dau"], mau = row["mau"];
    of_dau.push_back(dau > 0 ? std::optional<double>(row["md_dau"].get<double>() / dau * 100)
                             : std::nullopt);
    of_mau.push_back(mau > 0 ? std::optional<double>(row["md_mau"].get<double>() / mau * 100)
                             : std::nullopt);
  }
  ASSERT_TRUE(browser_->Evaluate("document.getElementById('md-toggle').click()").ok());
  Result<bool> switched = browser_->WaitFor(
      "document.getElementById('md-toggle').dataset.mode === 'percentage'", kPatience);
  ASSERT_TRUE(switched.ok() && *switched);
  json multi = Chart("multi_device");
  ASSERT_EQ(multi["datasets"].size(), 3u) << multi.dump().substr(0, 300);
  ExpectSeries(Dataset(multi, "multi-device % of DAU"), of_dau, "% of DAU");
  ExpectSeries(Dataset(multi, "multi-device % of MAU"), of_mau, "% of MAU");
  // The goal line is the configured one, not the default 20.
  ExpectSeries(Dataset(multi, "goal: at least 30 % of DAU"),
               std::vector<std::optional<double>>(rows.size(), 30), "goal");
  Screenshot("overview-percentage.png");

  ASSERT_TRUE(browser_->Evaluate("document.getElementById('md-toggle').click()").ok());
  switched =
      browser_->WaitFor("document.getElementById('md-toggle').dataset.mode === 'raw'", kPatience);
  ASSERT_TRUE(switched.ok() && *switched);
  multi = Chart("multi_device");
  ExpectSeries(Dataset(multi, "multi-device DAU"), Column(rows, "md_dau"), "back to raw");
}

TEST_F(DashboardBrowserTest, TheDetailPageBySegmentWithTablesAndCsvDownloads) {
  CollectorChild dashboard(TELEMETRY_COLLECTOR, {"dashboard", "--db", db_},
                           dir_->Sub("dashboard.log"));
  ASSERT_GT(dashboard.port(), 0) << dashboard.Log();
  const json rows = Printed("");
  const std::vector<std::string> dates = Dates(rows);
  for (const std::string column : {"userAgentOS", "multi_device"}) {
    Load(dashboard.Url("/dashboard/detail?segment=" + column + "&" + Range()));
    const json segment_rows = Printed("--segment " + column);
    const std::set<std::string> values = Values(segment_rows, column);
    ASSERT_GE(values.size(), 2u) << column;
    for (const auto& [chart, key] : std::vector<std::pair<std::string, std::string>>{
             {"segment_engagement", "engagement_ratio"},
             {"segment_dau", "dau"},
             {"segment_mau", "mau"}}) {
      const json data = Chart(chart);
      EXPECT_EQ(data["labels"], json(dates));
      EXPECT_EQ(data["datasets"].size(), values.size()) << chart;
      for (const std::string& value : values) {
        ExpectSeries(Dataset(data, value), SegmentSeries(segment_rows, column, value, key, dates),
                     column + " " + chart + " " + value);
      }
    }
    ExpectSeries(Dataset(Chart("completion_rate"), "completion rate"),
                 Column(rows, "completion_rate"), "completion rate");
    // The CSV download is the `kpis` CSV of the same rows; the table has a row per day.
    Result<json> csv = browser_->Evaluate(
        "fetch(document.getElementById('segment_dau-csv').href).then((r) => r.text())");
    ASSERT_TRUE(csv.ok()) << csv.status().ToString();
    EXPECT_EQ(*csv, KpisPrinted(db_, std::string("--from ") + kFirstDay + " --to " + kLastDay +
                                         " --segment " + column));
    Result<json> table =
        browser_->Evaluate("document.querySelectorAll('#completion_rate-table tbody tr').length");
    EXPECT_EQ(*table, 45);
    // The picker offers every segment column, the chosen one selected.
    Result<json> picker =
        browser_->Evaluate("[...document.getElementById('segment').options].map((o) => o.value)");
    EXPECT_EQ(*picker, json(kpi::SegmentColumns()));
    EXPECT_EQ(*browser_->Evaluate("document.getElementById('segment').value"), column);
    Screenshot("detail-" + column + ".png");
  }
}

TEST_F(DashboardBrowserTest, WithATokenThePageWantsItOnceThenWorksThroughItsCookie) {
  const std::string token_file = dir_->Sub("token");
  std::ofstream(token_file) << "test-token-0123456789abcdef\n";
  CollectorChild dashboard(TELEMETRY_COLLECTOR,
                           {"dashboard", "--db", db_, "--dashboard-token", token_file},
                           dir_->Sub("dashboard.log"));
  ASSERT_GT(dashboard.port(), 0) << dashboard.Log();
  const std::string page = dashboard.Url("/dashboard/?" + Range());
  ASSERT_TRUE(browser_->Navigate(page).ok());
  Result<bool> shown = browser_->WaitFor(
      "document.readyState === 'complete' && document.body.innerText.includes('unauthorized')",
      kPatience);
  EXPECT_TRUE(shown.ok() && *shown);
  Load(page + "&token=test-token-0123456789abcdef");
  EXPECT_EQ(Chart("multi_device")["labels"].size(), 45u);
  // The refused page's 401 is logged, and the browser's own request for /favicon.ico beside it
  // (a plain-text page names no icon): nothing else.
  EXPECT_FALSE(browser_->ConsoleErrors().empty());
  for (const std::string& error : browser_->ConsoleErrors()) {
    const bool refused = error.find("status of 401") != std::string::npos &&
                         error.find("(" + page + ")") != std::string::npos;
    const bool icon = error.find("/favicon.ico") != std::string::npos;
    EXPECT_TRUE(refused || icon) << error;
  }
  browser_.reset();  // Its errors were looked at above.
}

}  // namespace
}  // namespace telemetry::collector::dashboard

namespace telemetry::collector::dashboard {
namespace {

// serve --dashboard: the same pages beside ingestion, from the collector's own port; without
// the flag, no dashboard at all.
TEST_F(DashboardBrowserTest, ServeDashboardServesItBesideIngestionAndOnlyWhenAsked) {
  CollectorChild serve(TELEMETRY_COLLECTOR,
                       {"serve", "--db", db_, "--insecure-dev-key", "--dashboard"},
                       dir_->Sub("serve.log"));
  ASSERT_GT(serve.port(), 0) << serve.Log();
  EXPECT_NE(serve.Log().find("dashboard: http://127.0.0.1:"), std::string::npos) << serve.Log();
  Load(serve.Url("/dashboard/?" + Range()));
  EXPECT_EQ(Chart("engagement")["labels"].size(), 45u);
  Result<json> health = browser_->Evaluate("fetch('/health').then((r) => r.text())");
  ASSERT_TRUE(health.ok());
  EXPECT_NE(health->get<std::string>().find("ok"), std::string::npos);

  CollectorChild plain(TELEMETRY_COLLECTOR, {"serve", "--db", db_, "--insecure-dev-key"},
                       dir_->Sub("plain.log"));
  ASSERT_GT(plain.port(), 0) << plain.Log();
  ASSERT_TRUE(browser_->Navigate(plain.Url("/health")).ok());
  Result<bool> loaded = browser_->WaitFor("location.href === " + json(plain.Url("/health")).dump() +
                                              " && document.readyState === 'complete'",
                                          kPatience);
  ASSERT_TRUE(loaded.ok() && *loaded);
  const size_t errors = browser_->ConsoleErrors().size();
  for (const char* path : {"/dashboard/", "/api/v1/info"}) {
    Result<json> status =
        browser_->Evaluate("fetch(" + json(path).dump() + ").then((r) => r.status)");
    ASSERT_TRUE(status.ok());
    EXPECT_EQ(*status, 404) << path;
  }
  EXPECT_GE(browser_->ConsoleErrors().size(), errors);  // The 404s may be logged: expected.
  browser_.reset();
}

}  // namespace
}  // namespace telemetry::collector::dashboard
