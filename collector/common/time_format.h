// The datetime shapes real Mozilla clients send (UTC days themselves: telemetry/base/utc_date.h).
#ifndef TELEMETRY_COLLECTOR_COMMON_TIME_FORMAT_H_
#define TELEMETRY_COLLECTOR_COMMON_TIME_FORMAT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace telemetry::collector {

// Milliseconds since the Unix epoch of a datetime as Mozilla clients write it (Glean's and
// Firefox's "datetime"): a date "YYYY-MM-DD", optionally followed by 'T' or ' ' and a time
// "HH:MM", "HH:MM:SS" or "HH:MM:SS.fraction", then optionally "Z", "+HH:MM", "-HH:MM" or
// "+HHMM" (no offset means UTC). Date-only values may carry an offset too ("2018-10-23-04:25",
// "2019-04-26+00:00"). Returns nullopt for anything else, including impossible dates.
std::optional<int64_t> ParseMozillaDatetime(std::string_view text);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_COMMON_TIME_FORMAT_H_
