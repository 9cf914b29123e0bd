#include "collector/stats/stats_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

namespace telemetry::collector {
namespace {

// Columns padded to their widest cell; the last column (a count) aligned right.
std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    out += " ";
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string pad(widths[i] - row[i].size(), ' ');
      out += " ";
      out += i + 1 == row.size() ? pad + row[i] : row[i] + pad;
    }
    out += "\n";
  }
  return out;
}

}  // namespace

std::string RenderStatsText(const Stats& stats) {
  std::string out = "pings by namespace, type and day:\n";
  std::vector<std::vector<std::string>> rows{{"namespace", "type", "day", "pings"}};
  for (const auto& p : stats.pings) {
    rows.push_back({p.namespace_name, p.doc_type, p.day, std::to_string(p.count)});
  }
  out += stats.pings.empty() ? "  (none)\n" : Table(rows);
  out += "activity events by type and day:\n";
  rows = {{"type", "day", "events"}};
  for (const auto& e : stats.activity) rows.push_back({e.type, e.day, std::to_string(e.count)});
  out += stats.activity.empty() ? "  (none)\n" : Table(rows);
  out += "rejections by reason:\n";
  rows = {{"reason", "rejections"}};
  for (const auto& r : stats.rejections) rows.push_back({r.reason, std::to_string(r.count)});
  out += stats.rejections.empty() ? "  (none)\n" : Table(rows);
  return out;
}

std::string RenderStatsJson(const Stats& stats) {
  nlohmann::json out = {{"pings", nlohmann::json::array()},
                        {"activity_events", nlohmann::json::array()},
                        {"rejections", nlohmann::json::array()}};
  for (const auto& p : stats.pings) {
    out["pings"].push_back({{"namespace", p.namespace_name},
                            {"doc_type", p.doc_type},
                            {"day", p.day},
                            {"count", p.count}});
  }
  for (const auto& e : stats.activity) {
    out["activity_events"].push_back({{"type", e.type}, {"day", e.day}, {"count", e.count}});
  }
  for (const auto& r : stats.rejections) {
    out["rejections"].push_back({{"reason", r.reason}, {"count", r.count}});
  }
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace telemetry::collector
