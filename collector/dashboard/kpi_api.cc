#include "collector/dashboard/kpi_api.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "collector/kpi/kpi_job.h"
#include "collector/kpi/kpi_output.h"
#include "telemetry/base/utc_date.h"

namespace telemetry::collector::dashboard {
namespace {

HttpResponse Text(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body) + "\n";
  return response;
}

HttpResponse BadParameter(const std::string& why) { return Text(400, "bad_parameter: " + why); }

HttpResponse Unavailable(const Status& status) {
  const int code = status.code() == Status::Code::kNotFound ||
                           status.code() == Status::Code::kFailedPrecondition ||
                           status.code() == Status::Code::kIoError
                       ? 503
                       : 500;
  return Text(code, (code == 503 ? "unavailable: " : "internal: ") + status.message());
}

struct KpiQuery {
  kpi::Day from = 0, to = 0;
  std::string segment;
  bool csv = false;
};

// The query's parameters, or the 400 that says what is wrong with them.
std::variant<KpiQuery, HttpResponse> ParseQuery(const HttpRequest& request,
                                                const DashboardOptions& options) {
  KpiQuery query;
  for (const char* name : {"from", "to"}) {
    std::optional<std::string> text = request.QueryParameter(name);
    if (!text) return BadParameter(std::string("give ") + name + "=YYYY-MM-DD");
    std::optional<int64_t> day = ParseUtcDate(*text);
    if (!day) {
      return BadParameter(std::string(name) + " wants a date as YYYY-MM-DD, not '" + *text + "'");
    }
    (std::string_view(name) == "from" ? query.from : query.to) = static_cast<kpi::Day>(*day);
  }
  if (query.from > query.to) return BadParameter("from is after to");
  if (query.to - query.from + 1 > options.max_days) {
    return BadParameter("a range of at most " + std::to_string(options.max_days) + " days, not " +
                        std::to_string(query.to - query.from + 1));
  }
  query.segment = request.QueryParameter("segment").value_or("");
  const auto& columns = kpi::SegmentColumns();
  if (!query.segment.empty() &&
      std::find(columns.begin(), columns.end(), query.segment) == columns.end()) {
    return BadParameter("cannot segment by '" + query.segment +
                        "'; segments: " + nlohmann::json(columns).dump());
  }
  const std::string format = request.QueryParameter("format").value_or("json");
  if (format != "json" && format != "csv") {
    return BadParameter("format is json or csv, not '" + format + "'");
  }
  query.csv = format == "csv";
  return query;
}

HttpResponse Rows(const KpiQuery& query, sqlite::Database& db) {
  std::ostringstream body;
  HttpResponse response;
  if (!query.segment.empty()) {
    kpi::QueryOptions options;
    options.from = query.from;
    options.to = query.to;
    options.segment = query.segment;
    Result<std::vector<kpi::SegmentRow>> rows = kpi::ComputeSegments(db, options);
    if (!rows.ok()) return Unavailable(rows.status());
    query.csv ? kpi::WriteSegmentsCsv(query.segment, *rows, body)
              : kpi::WriteSegmentsJson(query.segment, *rows, body);
  } else {
    Result<std::vector<kpi::KpiRow>> rows = kpi::ReadKpis(db, query.from, query.to);
    if (!rows.ok()) return Unavailable(rows.status());
    query.csv ? kpi::WriteKpisCsv(*rows, body) : kpi::WriteKpisJson(*rows, body);
    const size_t expected = static_cast<size_t>(query.to - query.from + 1);
    response.headers.emplace_back("X-Days-Not-Aggregated", std::to_string(expected - rows->size()));
  }
  response.body = std::move(body).str();
  response.content_type = query.csv ? "text/csv; charset=utf-8" : "application/json";
  if (query.csv) {
    response.headers.emplace_back(
        "Content-Disposition", "attachment; filename=\"kpis-" + UtcDateOfDay(query.from) + "-" +
                                   UtcDateOfDay(query.to) +
                                   (query.segment.empty() ? "" : "-" + query.segment) + ".csv\"");
  }
  return response;
}

}  // namespace

HttpResponse ServeKpis(const HttpRequest& request, const DashboardOptions& options) {
  std::variant<KpiQuery, HttpResponse> query = ParseQuery(request, options);
  if (HttpResponse* refusal = std::get_if<HttpResponse>(&query)) return std::move(*refusal);
  Result<std::unique_ptr<sqlite::Database>> db = kpi::OpenForReading(options.db_path);
  if (!db.ok()) return Unavailable(db.status());
  return Rows(std::get<KpiQuery>(query), **db);
}

HttpResponse ServeInfo(const DashboardOptions& options) {
  Result<std::unique_ptr<sqlite::Database>> db = kpi::OpenForReading(options.db_path);
  if (!db.ok()) return Unavailable(db.status());
  Result<std::optional<kpi::AggregatedDays>> days = kpi::ReadAggregatedDays(**db);
  if (!days.ok()) return Unavailable(days.status());
  nlohmann::ordered_json info;
  info["first_day"] = *days ? nlohmann::ordered_json(UtcDateOfDay((*days)->first)) : nullptr;
  info["last_day"] = *days ? nlohmann::ordered_json(UtcDateOfDay((*days)->last)) : nullptr;
  info["segments"] = kpi::SegmentColumns();
  info["max_days"] = options.max_days;
  info["goals"] = {{"multi_device_percent", options.goals.multi_device_percent},
                   {"ttc_new_seconds", options.goals.ttc_new_seconds},
                   {"ttc_existing_seconds", options.goals.ttc_existing_seconds}};
  HttpResponse response;
  response.content_type = "application/json";
  response.body = info.dump(2) + "\n";
  return response;
}

}  // namespace telemetry::collector::dashboard
