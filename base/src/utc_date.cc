#include "telemetry/base/utc_date.h"

#include <chrono>
#include <cstdio>

namespace telemetry {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::sys_days;
using std::chrono::year_month_day;

// Days of 0000-01-01 and 9999-12-31: std::chrono's calendar conversion overflows far outside
// them, so days beyond are shown as the nearest end.
constexpr int64_t kFirstDay = -719528;
constexpr int64_t kLastDay = 2932896;

year_month_day Civil(int64_t day) {
  day = day < kFirstDay ? kFirstDay : (day > kLastDay ? kLastDay : day);
  return year_month_day(sys_days(days(day)));
}

std::string Format(const year_month_day& ymd) {
  char text[32];
  std::snprintf(text, sizeof(text), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

// Milliseconds into the day, 0 to kDayMillis - 1.
int64_t TimeOfDay(int64_t millis) { return millis - UtcDayOf(millis) * kDayMillis; }

}  // namespace

int64_t UtcDayOf(int64_t millis) {
  const int64_t day = millis / kDayMillis;
  return (millis % kDayMillis < 0) ? day - 1 : day;
}

std::string UtcDateOfDay(int64_t day) { return Format(Civil(day)); }

std::string UtcDate(int64_t millis) { return UtcDateOfDay(UtcDayOf(millis)); }

std::string UtcDateTime(int64_t millis) {
  const int64_t seconds = TimeOfDay(millis) / 1000;
  char text[32];
  std::snprintf(text, sizeof(text), " %02d:%02d:%02dZ", static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60));
  return UtcDate(millis) + text;
}

std::string HttpDate(int64_t millis) {
  static constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int64_t day = UtcDayOf(millis);
  const year_month_day ymd = Civil(day);
  const std::chrono::weekday weekday{sys_days(ymd)};
  const int64_t seconds = TimeOfDay(millis) / 1000;
  char text[64];
  std::snprintf(text, sizeof(text), "%s, %02u %s %04d %02d:%02d:%02d GMT",
                kWeekdays[weekday.c_encoding()], static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(seconds / 3600), static_cast<int>(seconds / 60 % 60),
                static_cast<int>(seconds % 60));
  return text;
}

std::optional<int64_t> ParseUtcDate(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  int fields[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8};
  const size_t lengths[3] = {4, 2, 2};
  for (int f = 0; f < 3; ++f) {
    for (size_t i = starts[f]; i < starts[f] + lengths[f]; ++i) {
      if (date[i] < '0' || date[i] > '9') return std::nullopt;
      fields[f] = fields[f] * 10 + (date[i] - '0');
    }
  }
  const year_month_day ymd{std::chrono::year(fields[0]),
                           std::chrono::month(static_cast<unsigned>(fields[1])),
                           std::chrono::day(static_cast<unsigned>(fields[2]))};
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd).time_since_epoch().count();
}

}  // namespace telemetry
