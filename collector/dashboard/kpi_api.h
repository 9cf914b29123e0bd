// The dashboard's JSON API, the numbers `telemetry-collector kpis` prints, for the pages and for
// scripts:
//
//   GET /api/v1/kpis?from=2016-02-01&to=2016-02-29
//     [{"date": "2016-02-01", "dau": 12, ..., "completion_rate": null}, ...]
//   GET /api/v1/kpis?from=...&to=...&segment=userAgentOS
//     [{"date": "2016-02-01", "userAgentOS": "Windows 10", "dau": 7, "wau": ..., ...}, ...]
//   &format=csv: the same rows as `kpis` prints them in CSV (the pages' downloads)
//   GET /api/v1/info
//     {"first_day": "...", "last_day": "...", "segments": [...], "goals": {...}, "max_days": N}
//
// The rows come from kpi::ReadKpis and kpi::ComputeSegments and are written by kpi_output.h,
// the code behind `kpis`: the same reading, the same text. Days not aggregated yet are left out
// and counted in the X-Days-Not-Aggregated header. Bad parameters (a date that is not
// YYYY-MM-DD, from after to, a range over max_days, an unknown segment or format) are answered
// 400 "bad_parameter: <why>"; a missing or unaggregated database 503 with the reason.
// Thread-safe: each call opens its own read-only connection.
#ifndef COLLECTOR_DASHBOARD_KPI_API_H_
#define COLLECTOR_DASHBOARD_KPI_API_H_

#include "collector/dashboard/dashboard.h"
#include "collector/http/http_message.h"

namespace telemetry::collector::dashboard {

HttpResponse ServeKpis(const HttpRequest& request, const DashboardOptions& options);
HttpResponse ServeInfo(const DashboardOptions& options);

}  // namespace telemetry::collector::dashboard

#endif  // COLLECTOR_DASHBOARD_KPI_API_H_
