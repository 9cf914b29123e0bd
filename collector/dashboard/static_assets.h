// The dashboard's pages, scripts, style sheet and Chart.js, as built into the binary.
//
//   std::optional<StaticAsset> chart = FindStaticAsset("chart.js");
//   if (chart) response.body.assign(chart->bytes);
//
// The bytes are static data: valid for the life of the program, safe from any thread. An unknown
// name is nullopt.
#ifndef COLLECTOR_DASHBOARD_STATIC_ASSETS_H_
#define COLLECTOR_DASHBOARD_STATIC_ASSETS_H_

#include <optional>
#include <string_view>

namespace telemetry::collector::dashboard {

struct StaticAsset {
  std::string_view bytes;
  std::string_view content_type;  // From the name's extension.
};

std::optional<StaticAsset> FindStaticAsset(std::string_view name);

}  // namespace telemetry::collector::dashboard

#endif  // COLLECTOR_DASHBOARD_STATIC_ASSETS_H_
