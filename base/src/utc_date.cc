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

constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// The decimal number of text[pos, pos + digits), or -1.
int Digits(std::string_view text, size_t pos, size_t digits) {
  int value = 0;
  for (size_t i = pos; i < pos + digits; ++i) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
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

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  // "Tue, 01 Dec 2026 20:37:27 GMT": fixed positions.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  int month = 0;
  while (month < 12 && text.substr(8, 3) != kMonths[month]) ++month;
  const int day = Digits(text, 5, 2);
  const int year = Digits(text, 12, 4);
  const int hour = Digits(text, 17, 2);
  const int minute = Digits(text, 20, 2);
  const int second = Digits(text, 23, 2);
  if (month == 12 || day < 0 || year < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 60) {
    return std::nullopt;
  }
  char date[40];  // Room for any int, so -Wformat-truncation (asan preset, -O0) holds.
  std::snprintf(date, sizeof(date), "%04d-%02d-%02d", year, month + 1, day);
  const std::optional<int64_t> days_since_epoch = ParseUtcDate(date);
  if (!days_since_epoch) return std::nullopt;
  return *days_since_epoch * kDayMillis + ((hour * 60 + minute) * 60 + second) * 1000LL;
}

std::optional<int64_t> ParseUtcDate(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  const int year = Digits(date, 0, 4);
  const int month = Digits(date, 5, 2);
  const int day = Digits(date, 8, 2);
  if (year < 0 || month < 0 || day < 0) return std::nullopt;
  const year_month_day ymd{std::chrono::year(year),
                           std::chrono::month(static_cast<unsigned>(month)),
                           std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd).time_since_epoch().count();
}

}  // namespace telemetry
