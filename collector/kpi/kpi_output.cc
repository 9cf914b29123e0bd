#include "collector/kpi/kpi_output.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace telemetry::collector::kpi {
namespace {

std::string Number(const std::optional<double>& value) {
  if (!value) return "";
  char text[32];
  std::snprintf(text, sizeof(text), "%.10g", *value);
  return text;
}

nlohmann::ordered_json Json(const std::optional<double>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace

const char kKpiCsvHeader[] =
    "date,dau,wau,mau,engagement_ratio,md_dau,md_mau,md_engagement_ratio,ttc_new_n,ttc_new_p25,"
    "ttc_new_p50,ttc_new_p75,ttc_existing_n,ttc_existing_p25,ttc_existing_p50,ttc_existing_p75,"
    "sequences_begun,devices_connected,completion_rate";

void WriteKpisCsv(const std::vector<KpiRow>& rows, std::ostream& out) {
  out << kKpiCsvHeader << "\n";
  for (const KpiRow& r : rows) {
    out << UtcDateOfDay(r.day) << ',' << r.dau << ',' << r.wau << ',' << r.mau << ','
        << Number(r.engagement_ratio) << ',' << r.md_dau << ',' << r.md_mau << ','
        << Number(r.md_engagement_ratio) << ',' << r.ttc_new_n << ',' << Number(r.ttc_new_p25)
        << ',' << Number(r.ttc_new_p50) << ',' << Number(r.ttc_new_p75) << ',' << r.ttc_existing_n
        << ',' << Number(r.ttc_existing_p25) << ',' << Number(r.ttc_existing_p50) << ','
        << Number(r.ttc_existing_p75) << ',' << r.sequences_begun << ',' << r.devices_connected
        << ',' << Number(r.completion_rate) << "\n";
  }
}

void WriteKpisJson(const std::vector<KpiRow>& rows, std::ostream& out) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const KpiRow& r : rows) {
    list.push_back({{"date", UtcDateOfDay(r.day)},
                    {"dau", r.dau},
                    {"wau", r.wau},
                    {"mau", r.mau},
                    {"engagement_ratio", Json(r.engagement_ratio)},
                    {"md_dau", r.md_dau},
                    {"md_mau", r.md_mau},
                    {"md_engagement_ratio", Json(r.md_engagement_ratio)},
                    {"ttc_new_n", r.ttc_new_n},
                    {"ttc_new_p25", Json(r.ttc_new_p25)},
                    {"ttc_new_p50", Json(r.ttc_new_p50)},
                    {"ttc_new_p75", Json(r.ttc_new_p75)},
                    {"ttc_existing_n", r.ttc_existing_n},
                    {"ttc_existing_p25", Json(r.ttc_existing_p25)},
                    {"ttc_existing_p50", Json(r.ttc_existing_p50)},
                    {"ttc_existing_p75", Json(r.ttc_existing_p75)},
                    {"sequences_begun", r.sequences_begun},
                    {"devices_connected", r.devices_connected},
                    {"completion_rate", Json(r.completion_rate)}});
  }
  // Stored bytes may not be UTF-8 (an older database, imported rows): replaced, never an abort.
  out << list.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

void WriteSegmentsCsv(const std::string& column, const std::vector<SegmentRow>& rows,
                      std::ostream& out) {
  out << "date," << column << ",dau,wau,mau,engagement_ratio\n";
  for (const SegmentRow& r : rows) {
    std::string segment = r.segment;
    if (segment.find_first_of(",\"\n") != std::string::npos) {
      std::string quoted = "\"";
      for (char c : segment) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      segment = quoted + "\"";
    }
    out << UtcDateOfDay(r.day) << ',' << segment << ',' << r.dau << ',' << r.wau << ',' << r.mau
        << ',' << Number(r.engagement_ratio) << "\n";
  }
}

void WriteSegmentsJson(const std::string& column, const std::vector<SegmentRow>& rows,
                       std::ostream& out) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const SegmentRow& r : rows) {
    list.push_back({{"date", UtcDateOfDay(r.day)},
                    {column, r.segment},
                    {"dau", r.dau},
                    {"wau", r.wau},
                    {"mau", r.mau},
                    {"engagement_ratio", Json(r.engagement_ratio)}});
  }
  // Stored bytes may not be UTF-8 (an older database, imported rows): replaced, never an abort.
  out << list.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

}  // namespace telemetry::collector::kpi
