#include "collector/common/time_format.h"

#include <chrono>

namespace telemetry::collector {
namespace {

// Reads exactly `digits` decimal digits at `*pos`.
bool ReadNumber(std::string_view text, size_t* pos, int digits, int* out) {
  if (*pos + digits > text.size()) return false;
  int value = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *pos += digits;
  *out = value;
  return true;
}

bool Consume(std::string_view text, size_t* pos, char c) {
  if (*pos < text.size() && text[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

// "Z", "+HH:MM", "-HH:MM", "+HHMM" or nothing; the offset in minutes east of UTC.
bool ReadOffset(std::string_view text, size_t* pos, int* minutes) {
  *minutes = 0;
  if (*pos == text.size()) return true;
  if (Consume(text, pos, 'Z') || Consume(text, pos, 'z')) return *pos == text.size();
  const char sign = text[*pos];
  if (sign != '+' && sign != '-') return false;
  ++*pos;
  int hours = 0;
  int mins = 0;
  if (!ReadNumber(text, pos, 2, &hours)) return false;
  Consume(text, pos, ':');
  if (!ReadNumber(text, pos, 2, &mins)) return false;
  if (hours > 23 || mins > 59 || *pos != text.size()) return false;
  *minutes = (sign == '-' ? -1 : 1) * (hours * 60 + mins);
  return true;
}

}  // namespace

std::optional<int64_t> ParseMozillaDatetime(std::string_view text) {
  using namespace std::chrono;
  size_t pos = 0;
  int y = 0;
  int mo = 0;
  int d = 0;
  if (!ReadNumber(text, &pos, 4, &y) || !Consume(text, &pos, '-') ||
      !ReadNumber(text, &pos, 2, &mo) || !Consume(text, &pos, '-') ||
      !ReadNumber(text, &pos, 2, &d)) {
    return std::nullopt;
  }
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)),
                           day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  int64_t millis = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    ++pos;
    int h = 0;
    int mi = 0;
    int s = 0;
    if (!ReadNumber(text, &pos, 2, &h) || !Consume(text, &pos, ':') ||
        !ReadNumber(text, &pos, 2, &mi)) {
      return std::nullopt;
    }
    if (Consume(text, &pos, ':')) {
      if (!ReadNumber(text, &pos, 2, &s)) return std::nullopt;
      if (Consume(text, &pos, '.')) {
        int fraction_digits = 0;
        int64_t fraction_ms = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
          if (fraction_digits < 3) fraction_ms = fraction_ms * 10 + (text[pos] - '0');
          ++fraction_digits;
          ++pos;
        }
        if (fraction_digits == 0) return std::nullopt;
        for (int i = fraction_digits; i < 3; ++i) fraction_ms *= 10;
        millis += fraction_ms;
      }
    }
    if (h > 23 || mi > 59 || s > 60) return std::nullopt;
    millis += (int64_t{h} * 3600 + mi * 60 + s) * 1000;
  }
  int offset_minutes = 0;
  if (!ReadOffset(text, &pos, &offset_minutes)) return std::nullopt;
  const int64_t day_ms = duration_cast<milliseconds>(sys_days(ymd).time_since_epoch()).count();
  return day_ms + millis - int64_t{offset_minutes} * 60 * 1000;
}

}  // namespace telemetry::collector
