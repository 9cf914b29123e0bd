// The wire format's codec: a ping's envelope, its bytes (protobuf, then zstd) and its JSON
// form (protobuf's own mapping). Shared by the pings library, the collector, telemetry-inspect,
// the load generator, the tests and the benchmarks; the format itself is wire/ping.proto.
//
//   telemetry::wire::Envelope e{.document_id = telemetry::NewUuid(), .document_type = "main"};
//   telemetry::ping::Ping ping = telemetry::wire::MakePing(e);  // then fill ping.payload
//   telemetry::Result<std::string> body = telemetry::wire::EncodePing(ping, 1 << 20);
//   telemetry::Result<telemetry::ping::Ping> back = telemetry::wire::DecodePing(*body, 8 << 20);
//
// Bad input: DecodePing refuses a broken or truncated zstd stream (Corruption), output past its
// cap (ResourceExhausted, never holding more than the cap) and bytes that are not a Ping
// (InvalidArgument). Pure functions: thread-safe.
#ifndef TELEMETRY_WIRE_PING_CODEC_H_
#define TELEMETRY_WIRE_PING_CODEC_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "telemetry/base/status.h"
#include "telemetry/wire/ping.pb.h"

namespace telemetry::wire {

// The Content-Type and Content-Encoding a client sends a ping with.
inline constexpr char kContentType[] = "application/x-protobuf";
inline constexpr char kContentEncoding[] = "zstd";

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
  std::optional<ping::Environment> environment;
  std::optional<ping::Account> account;
  std::string store;
};

// A Ping holding the envelope's fields and an empty payload.
ping::Ping MakePing(const Envelope& envelope);

// Serialises and compresses (zstd level 3); InvalidArgument when the result exceeds
// `max_bytes`, Internal when serialisation or compression fails. Never an empty body.
Result<std::string> EncodePing(const ping::Ping& ping, size_t max_bytes);
// Decompresses (at most `max_decoded` bytes) and parses.
Result<ping::Ping> DecodePing(std::string_view body, size_t max_decoded);
// protobuf's JSON mapping with the .proto field names, indented.
std::string ToJson(const ping::Ping& ping);

}  // namespace telemetry::wire

#endif  // TELEMETRY_WIRE_PING_CODEC_H_
