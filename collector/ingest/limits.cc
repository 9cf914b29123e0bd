#include "collector/ingest/limits.h"

#include <string>

#include "collector/ingest/reasons.h"

namespace telemetry::collector {

Status CheckPlausibleTime(int64_t timestamp_ms, int64_t received_ms, const char* what) {
  // Written so that no value, INT64_MIN and INT64_MAX included, overflows.
  const bool too_early = timestamp_ms < kEarliestPlausibleMs;
  const bool too_late = received_ms <= INT64_MAX - kMaxAheadOfReceiptMs &&
                        timestamp_ms > received_ms + kMaxAheadOfReceiptMs;
  if (!too_early && !too_late) return Status::Ok();
  return Refuse(Reason::kImplausibleTime,
                std::string(what) + " " + std::to_string(timestamp_ms) +
                    " ms is before 2000-01-01 or more than a day after receipt");
}

Status CheckLimit(size_t count, size_t limit, const char* what) {
  if (count <= limit) return Status::Ok();
  return Refuse(Reason::kOverLimit,
                std::string("more than ") + std::to_string(limit) + " " + what + " in one ping");
}

}  // namespace telemetry::collector
