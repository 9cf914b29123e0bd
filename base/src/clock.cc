#include "telemetry/base/clock.h"

#include <chrono>

namespace telemetry {

int64_t SystemClock::NowMillis() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace telemetry
