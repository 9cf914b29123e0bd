// The dashboard's render time in Debian's headless chromium: a year of daily KPIs with five
// user-agent OS segments (made by the real import and aggregate over a generated event table),
// served by `telemetry-collector dashboard`; each page loaded --runs times in a fresh browser
// tab state. The time is the page's own: performance.now() when every chart is drawn (after the
// frame that paints them), from navigation start, so it holds the API calls (the segment
// computed from raw events) and Chart.js's drawing. Figures: docs/PERFORMANCE.md, "Dashboard".
//
//   dashboard_render [--days 365] [--users 200] [--runs 5] [--keep DIR]
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "activity_csv.h"
#include "collector_child.h"
#include "test_support.h"
#include "tools/browser/headless_chromium.h"

namespace {

using nlohmann::json;
using telemetry::browser::HeadlessChromium;

struct Args {
  int days = 365;
  int users = 200;
  int runs = 5;
  std::string collector = TELEMETRY_COLLECTOR;
};

bool Run(const std::string& command) {
  std::string output;
  const int status = telemetry::testing::RunCommand(command, &output);
  if (status != 0) std::cerr << command << ": exit " << status << "\n" << output;
  return status == 0;
}

// Where a load's time goes, in ms from navigation start: the page's scripts run (Chart.js
// included; DOMContentLoaded), the API answered, the charts drawn and painted.
struct Phases {
  double scripts = 0, api_done = 0, drawn = 0;
};

constexpr char kPhases[] = R"js((() => {
  const api = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/'));
  return {error: window.dashboardState.error, drawn: window.dashboardState.renderMs,
          scripts: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
          api_done: Math.max(...api.map((e) => e.responseEnd))};
})())js";

// Loads `url` `runs` times (from about:blank each time); the phases of each load.
bool Measure(HeadlessChromium& browser, const std::string& url, int runs,
             std::vector<Phases>* loads) {
  for (int i = 0; i < runs; ++i) {
    if (!browser.Navigate("about:blank").ok() || !browser.Navigate(url).ok()) return false;
    const std::string drawn = "location.href === " + json(url).dump() +
                              " && (window.dashboardState.ready || window.dashboardState.error)";
    telemetry::Result<bool> done = browser.WaitFor(drawn, std::chrono::seconds(120));
    if (!done.ok() || !*done) return false;
    telemetry::Result<json> state = browser.Evaluate(kPhases);
    if (!state.ok() || !(*state)["error"].is_null()) {
      std::cerr << url << ": " << (state.ok() ? state->dump() : state.status().ToString()) << "\n";
      return false;
    }
    loads->push_back({(*state)["scripts"], (*state)["api_done"], (*state)["drawn"]});
  }
  return true;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

void Report(const std::string& page, const std::vector<Phases>& loads) {
  std::vector<double> drawn, scripts, api, draw;
  for (const Phases& p : loads) {
    drawn.push_back(p.drawn);
    scripts.push_back(p.scripts);
    api.push_back(p.api_done);
    draw.push_back(p.drawn - p.api_done);
  }
  std::printf("%-18s %8.0f %8.0f %8.0f %12.0f %12.0f %10.0f\n", page.c_str(),
              *std::min_element(drawn.begin(), drawn.end()), Median(drawn),
              *std::max_element(drawn.begin(), drawn.end()), Median(scripts), Median(api),
              Median(draw));
}

int Main(const Args& args) {
  telemetry::testing::ScopedTempDir dir;
  telemetry::testing::ActivityShape shape;
  shape.first_day = *telemetry::ParseUtcDate("2016-01-01");
  shape.days = args.days;
  shape.users = args.users;
  shape.oses = {"Windows 10", "Mac OS X", "Linux", "Android", "iOS"};
  const std::string csv = dir.Sub("events.csv"), db = dir.Sub("collector.db");
  telemetry::testing::WriteActivityCsv(csv, shape);
  const std::string last = telemetry::UtcDateOfDay(shape.first_day + args.days - 1);
  if (!Run(args.collector + " import --format fxa-csv --insecure-dev-key --db " + db + " " + csv) ||
      !Run(args.collector + " aggregate --db " + db + " --from 2016-01-01 --to " + last)) {
    return 1;
  }
  telemetry::testing::CollectorChild dashboard(args.collector, {"dashboard", "--db", db},
                                               dir.Sub("dashboard.log"));
  if (dashboard.port() == 0) {
    std::cerr << "the dashboard did not start:\n" << dashboard.Log();
    return 1;
  }
  telemetry::browser::ChromiumOptions options;
  options.log_path = dir.Sub("chromium.log");
  telemetry::Result<std::unique_ptr<HeadlessChromium>> browser = HeadlessChromium::Launch(options);
  if (!browser.ok()) {
    std::cerr << browser.status().ToString() << "\n";
    return 1;
  }
  const std::string range = "from=2016-01-01&to=" + last;
  std::printf("%d days, %d users, 5 OS segments; %d loads per page\n", args.days, args.users,
              args.runs);
  std::printf("%-18s %8s %8s %8s %12s %12s %10s\n", "page", "min", "median", "max", "scripts run",
              "API done", "drawing");
  const std::vector<std::string> pages = {"/dashboard/?" + range,
                                          "/dashboard/detail?segment=userAgentOS&" + range};
  for (const std::string& path : pages) {
    std::vector<Phases> loads;
    if (!Measure(**browser, dashboard.Url(path), args.runs, &loads)) return 1;
    Report(path.substr(0, path.find('?')), loads);
  }
  std::printf(
      "(ms from navigation start to charts drawn; the last three are medians: when the "
      "scripts had run, when the last API answer arrived, and drawing after it)\n");
  for (const std::string& error : (*browser)->ConsoleErrors()) std::cerr << error << "\n";
  return (*browser)->ConsoleErrors().empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  CLI::App app("dashboard_render: the KPI dashboard's render time in headless chromium");
  app.add_option("--days", args.days, "Days of KPIs")->check(CLI::Range(28, 1096));
  app.add_option("--users", args.users, "Accounts")->check(CLI::Range(10, 100000));
  app.add_option("--runs", args.runs, "Loads of each page")->check(CLI::Range(1, 100));
  app.add_option("--collector", args.collector, "telemetry-collector binary");
  CLI11_PARSE(app, argc, argv);
  return Main(args);
}
