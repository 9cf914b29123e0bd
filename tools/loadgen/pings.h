// MakePings: the load generator's pings, made before any clock starts.
//
//   std::vector<Ping> pings = MakePings(100000);
//   Post(pings[0].path, pings[0].body);
//
// Each is a realistic small ping of our own format (protobuf, zstd; about 280 bytes): an account
// block, two account events with extras, three scalars, a fresh UUID as its document id, so
// that every one is stored (none deduplicated). Thread-compatible: no shared state.
#ifndef TELEMETRY_TOOLS_LOADGEN_PINGS_H_
#define TELEMETRY_TOOLS_LOADGEN_PINGS_H_

#include <cstddef>
#include <string>
#include <vector>

namespace telemetry::loadgen {

struct Ping {
  std::string path;  // /submit/loadgen/account-ecosystem/1/<id>
  std::string body;  // protobuf + zstd
};

std::vector<Ping> MakePings(size_t count);

}  // namespace telemetry::loadgen

#endif  // TELEMETRY_TOOLS_LOADGEN_PINGS_H_
