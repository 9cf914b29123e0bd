// Turning a store's snapshot into a ping: the protobuf envelope, zstd, protobuf's JSON form.
#ifndef PINGS_SRC_PING_CODEC_H_
#define PINGS_SRC_PING_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pings/ping.pb.h"
#include "telemetry/snapshot.h"
#include "telemetry/status.h"

namespace pings::internal {

struct Envelope {
  std::string document_id;
  std::string document_type;
  uint32_t document_version = 1;
  std::string app_name, app_version, channel, build_id;
  int64_t creation_time_ms = 0;
  uint64_t sequence = 0;
  int64_t start_time_ms = 0;
  int64_t end_time_ms = 0;
  std::string reason;
  std::optional<std::string> client_id;
  std::optional<telemetry::ping::Environment> environment;
  std::optional<telemetry::ping::Account> account;
  std::string store;
};

telemetry::ping::Ping BuildPing(const Envelope& envelope, const telemetry::StoreSnapshot& payload);

// zstd at level 3.
std::string Compress(std::string_view bytes);
// Decompresses a zstd frame, refusing to produce more than `max_bytes`.
telemetry::Result<std::string> Decompress(std::string_view bytes, size_t max_bytes);
// Serialises and compresses; InvalidArgument when the result exceeds `max_bytes`.
telemetry::Result<std::string> EncodePing(const telemetry::ping::Ping& ping, size_t max_bytes);
// protobuf's JSON mapping, indented.
std::string ToJson(const telemetry::ping::Ping& ping);

}  // namespace pings::internal

#endif  // PINGS_SRC_PING_CODEC_H_
