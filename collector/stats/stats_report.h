// How `telemetry-collector stats` prints Stats: aligned text tables, or one JSON object.
#ifndef TELEMETRY_COLLECTOR_STATS_STATS_REPORT_H_
#define TELEMETRY_COLLECTOR_STATS_STATS_REPORT_H_

#include <string>

#include "collector/storage/storage.h"

namespace telemetry::collector {

std::string RenderStatsText(const Stats& stats);
// {"pings": [{"namespace", "doc_type", "day", "count"}], "activity_events": [{"type", "day",
// "count"}], "rejections": [{"reason", "count"}]}
std::string RenderStatsJson(const Stats& stats);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_STATS_STATS_REPORT_H_
