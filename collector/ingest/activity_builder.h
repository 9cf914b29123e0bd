// Turns one event (its extras) into an activity-event row, the way every ping kind does:
// ids from the extras or else from the ping's account block, user-agent columns from the
// extras or else from the ping's app and environment, ids HMACed on the way.
//
// Extra keys (the project's Events.yaml): seq_id, seq_time, uid, device_id, new_user, service,
// entrypoint, ua_browser, ua_version, ua_os; context, campaign and migration are read too.
// Glean's server-side names hashed_fxa_uid and hashed_device_id stand for uid and device_id.
#ifndef TELEMETRY_COLLECTOR_INGEST_ACTIVITY_BUILDER_H_
#define TELEMETRY_COLLECTOR_INGEST_ACTIVITY_BUILDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "collector/model/records.h"
#include "collector/privacy/id_hasher.h"

namespace telemetry::collector {

// An event's extras, borrowed from the decoded ping.
class Extras {
 public:
  void Add(std::string_view key, std::string_view value) { items_.emplace_back(key, value); }
  std::optional<std::string_view> Get(std::string_view key) const;
  // True when the extras carry an account uid or a device id (under any accepted name).
  bool CarriesIds() const;

 private:
  std::vector<std::pair<std::string_view, std::string_view>> items_;
};

// Is `key` an extra key that holds an account uid or device id?
bool IsIdExtraKey(std::string_view key);

// What the ping as a whole says, for the columns an event's extras leave empty. The ids are
// already HMACed (MakeIds), once per ping rather than once per row.
struct PingContext {
  std::optional<std::string> uid;        // hex HMAC
  std::optional<std::string> device_id;  // hex HMAC
  std::optional<std::string> ua_browser;
  std::optional<std::string> ua_version;
  std::optional<std::string> ua_os;
};

// Sets uid, deviceId and sample_id from raw ids (empty ids count as absent).
void SetHashedIds(const std::optional<std::string>& raw_uid,
                  const std::optional<std::string>& raw_device_id, const IdHasher& hasher,
                  ActivityEvent* row);
// The HMAC of a raw id; nullopt for an absent or empty id.
std::optional<std::string> HashId(const std::optional<std::string>& raw, const IdHasher& hasher);

ActivityEvent ActivityFromEvent(int64_t timestamp_ms, std::string type, const Extras& extras,
                                const PingContext& ping, const IdHasher& hasher);

// The row that records a ping carrying an account block as activity: type "ping.<doc_type>".
ActivityEvent ActivityFromPing(int64_t timestamp_ms, std::string_view doc_type,
                               const PingContext& ping);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_INGEST_ACTIVITY_BUILDER_H_
