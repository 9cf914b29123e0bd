// UTC calendar days and the date texts every part writes: one place for day arithmetic.
//
//   int64_t day = telemetry::UtcDayOf(now_ms);       // days since 1970-01-01, floored
//   std::string d = telemetry::UtcDateOfDay(day);   // "2026-12-01"
//   std::optional<int64_t> back = telemetry::ParseUtcDate("2026-12-01");  // == day
//
// Days are counted in the proleptic Gregorian calendar (std::chrono's), so any int64_t
// millisecond value has a day; the texts are meant for years 0 to 9999 (callers that take
// times from outside range-check them first). Pure functions: thread-safe.
#ifndef TELEMETRY_BASE_UTC_DATE_H_
#define TELEMETRY_BASE_UTC_DATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace telemetry {

inline constexpr int64_t kDayMillis = 24 * 60 * 60 * 1000;

// The UTC day of `millis` since the Unix epoch (negative before 1970, floored).
int64_t UtcDayOf(int64_t millis);
// "YYYY-MM-DD" of a day number.
std::string UtcDateOfDay(int64_t day);
// "YYYY-MM-DD", the UTC calendar day of `millis`.
std::string UtcDate(int64_t millis);
// "YYYY-MM-DD HH:MM:SSZ".
std::string UtcDateTime(int64_t millis);
// RFC 9110's IMF-fixdate, for HTTP's Date header: "Tue, 01 Dec 2026 20:37:27 GMT".
std::string HttpDate(int64_t millis);
// Milliseconds since the epoch of an IMF-fixdate ("Tue, 01 Dec 2026 20:37:27 GMT"); nullopt for
// anything else (RFC 9110's obsolete forms included).
std::optional<int64_t> ParseHttpDate(std::string_view text);
// The day number of exactly "YYYY-MM-DD"; nullopt for anything else (2016-02-30 included).
std::optional<int64_t> ParseUtcDate(std::string_view date);

}  // namespace telemetry

#endif  // TELEMETRY_BASE_UTC_DATE_H_
