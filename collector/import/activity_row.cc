#include "collector/import/activity_row.h"

#include <charconv>

#include "collector/ingest/activity_builder.h"

namespace telemetry::collector {
namespace {

enum Column {
  kTimestamp,
  kSeqId,
  kSeqTime,
  kType,
  kUid,
  kDeviceId,
  kNewUser,
  kUaBrowser,
  kUaVersion,
  kUaOs,
  kService,
  kContext,
  kEntrypoint,
  kCampaign,
  kMigration,
};

std::optional<int64_t> ParseInt(const std::string& text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

int ActivityColumnIndex(std::string_view name) {
  for (size_t i = 0; i < kActivityColumns.size(); ++i) {
    if (kActivityColumns[i] == name) return static_cast<int>(i);
  }
  return -1;
}

Result<ActivityEvent> ActivityFromRow(const RawActivityRow& row, const IdHasher& hasher) {
  ActivityEvent event;
  if (!row[kTimestamp]) return Status::InvalidArgument("timestamp is missing");
  std::optional<int64_t> timestamp = ParseInt(*row[kTimestamp]);
  if (!timestamp) {
    return Status::InvalidArgument("timestamp is not an integer (ms): \"" + *row[kTimestamp] +
                                   "\"");
  }
  event.timestamp_ms = *timestamp;
  if (!row[kType] || row[kType]->empty()) return Status::InvalidArgument("type is missing");
  event.type = *row[kType];
  event.seq_id = row[kSeqId];
  if (row[kSeqTime]) {
    event.seq_time_ms = ParseInt(*row[kSeqTime]);
    if (!event.seq_time_ms) {
      return Status::InvalidArgument("seqTime is not an integer: \"" + *row[kSeqTime] + "\"");
    }
  }
  if (row[kNewUser]) {
    const std::string& v = *row[kNewUser];
    if (v == "1" || v == "true") {
      event.new_user = true;
    } else if (v != "0" && v != "false") {
      return Status::InvalidArgument("newUser is not 0 or 1: \"" + v + "\"");
    }
  }
  SetHashedIds(row[kUid], row[kDeviceId], hasher, &event);
  event.ua_browser = row[kUaBrowser];
  event.ua_version = row[kUaVersion];
  event.ua_os = row[kUaOs];
  event.service = row[kService];
  event.context = row[kContext];
  event.entrypoint = row[kEntrypoint];
  event.campaign = row[kCampaign];
  event.migration = row[kMigration];
  return event;
}

}  // namespace telemetry::collector
