// Activity events as the event table's CSV (KPI.md), made up but the same every run: for the
// dashboard's tests (a few weeks) and its render benchmark (a year). No test framework here.
#ifndef TELEMETRY_TESTS_ACTIVITY_CSV_H_
#define TELEMETRY_TESTS_ACTIVITY_CSV_H_

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "telemetry/base/utc_date.h"

namespace telemetry::testing {

struct ActivityShape {
  int64_t first_day = 0;  // Day number (telemetry/base/utc_date.h).
  int days = 1;
  int users = 40;
  std::vector<std::string> oses = {"Windows 10", "Mac OS X", "Android", "iOS"};
  unsigned seed = 3;
};

// Each day about half the users are active; every third has a second device on another OS
// (multi-device users); Sync sequences begin and, mostly, connect a device after 2-20 s, for
// new accounts (odd users) and existing ones (even users).
inline void WriteActivityCsv(const std::string& path, const ActivityShape& shape) {
  std::mt19937 random(shape.seed);
  const size_t n_os = shape.oses.size();
  std::ofstream out(path);
  out << "timestamp,seqId,seqTime,type,uid,deviceId,newUser,userAgentBrowser,userAgentVersion,"
         "userAgentOS,service,context,entrypoint,campaign,migration\n";
  for (int d = 0; d < shape.days; ++d) {
    const int64_t day_ms = (shape.first_day + d) * kDayMillis;
    for (int u = 0; u < shape.users; ++u) {
      if (random() % 2 == 0) continue;
      const std::string uid = "u" + std::to_string(u);
      for (int k = 0; k < (u % 3 == 0 ? 2 : 1); ++k) {
        if (k > 0 && random() % 2 == 0) continue;
        out << day_ms + static_cast<int64_t>(random() % kDayMillis) << ",s,0,account.login," << uid
            << ",d" << u << "-" << k << ",0,Firefox,50," << shape.oses[(u + k) % n_os]
            << ",sync,,,,\n";
      }
      if (random() % 10 < 3) {
        const int64_t at = day_ms + static_cast<int64_t>(random() % (kDayMillis - 60000));
        const std::string seq = "c" + std::to_string(d) + "-" + std::to_string(u);
        const int new_user = u % 2;
        const std::string& os = shape.oses[u % n_os];
        out << at << "," << seq << ",0,sequence.begin,NULL,NULL," << new_user << ",Firefox,50,"
            << os << ",sync,,,,\n";
        if (random() % 10 < 8) {
          out << at + 1000 << "," << seq << "," << 2000 + random() % 18000 << ",device.connected,"
              << uid << ",d" << u << "-0," << new_user << ",Firefox,50," << os << ",sync,,,,\n";
        }
      }
    }
  }
}

}  // namespace telemetry::testing

#endif  // TELEMETRY_TESTS_ACTIVITY_CSV_H_
