// WallClock: the real UTC time, as a telemetry::Clock (tests inject a ManualClock instead).
#ifndef TELEMETRY_COLLECTOR_COMMON_WALL_CLOCK_H_
#define TELEMETRY_COLLECTOR_COMMON_WALL_CLOCK_H_

#include <chrono>
#include <cstdint>

#include "telemetry/clock.h"

namespace telemetry::collector {

class WallClock final : public Clock {
 public:
  int64_t NowMillis() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_COMMON_WALL_CLOCK_H_
