// The KPI dashboard of seed 001 as one RouteHandler of the collector's HTTP server: two pages,
// their scripts and Chart.js (built into the binary), and a JSON API over the daily KPIs.
//
//   DashboardOptions options;
//   options.db_path = "collector.db";
//   RouteHandler dashboard = DashboardHandler(options);
//   for (const char* prefix : kDashboardRoutePrefixes) server.AddRoute(prefix, dashboard);
//
// Routes (GET only, else 405):
//   /dashboard/            the overview: engagement ratio, multi-device usage, time to connect
//   /dashboard/detail      by segment, DAU and MAU, completion rate; tables and CSV downloads
//   /dashboard/assets/F    the pages' scripts, style sheet and chart.js
//   /api/v1/kpis?from=YYYY-MM-DD&to=YYYY-MM-DD[&segment=COLUMN][&format=csv]   (kpi_api.h)
//   /api/v1/info           the aggregated days, the segment columns and the goals
//
// Read only: every request opens the database with kpi::OpenForReading (SQLite read-only), so
// the dashboard never writes and never creates a database; one that is missing or not
// aggregated yet is answered 503 with the reason. With a token set, a request without it
// (access_token.h) is answered 401 and reads nothing. Only aggregates leave: never an id.
//
// Thread safety: the handler may run on many route threads at once (a connection per request).
#ifndef COLLECTOR_DASHBOARD_DASHBOARD_H_
#define COLLECTOR_DASHBOARD_DASHBOARD_H_

#include <string>

#include "collector/http/http_message.h"

namespace telemetry::collector::dashboard {

// Seed 001's 2016 targets, drawn as goal lines.
struct DashboardGoals {
  double multi_device_percent = 20;  // Of DAU, at least.
  double ttc_new_seconds = 10;       // Median time to connect a device, new accounts, under.
  double ttc_existing_seconds = 5;   // The same for existing accounts.
};

struct DashboardOptions {
  std::string db_path;
  std::string token;  // Empty: open (loopback only, which the commands enforce).
  DashboardGoals goals;
  int max_days = 1096;  // The longest range one API request may ask for (400 past it).
};

inline constexpr const char* kDashboardRoutePrefixes[] = {"/dashboard", "/api/v1/"};

RouteHandler DashboardHandler(DashboardOptions options);

}  // namespace telemetry::collector::dashboard

#endif  // COLLECTOR_DASHBOARD_DASHBOARD_H_
