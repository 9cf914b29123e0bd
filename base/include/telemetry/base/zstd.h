// zstd compression, and decompression that never holds more than a cap: the one zstd codec of
// the client (ping bodies) and the collector (request bodies).
//
//   telemetry::Result<std::string> body = telemetry::ZstdCompress(serialized);
//   telemetry::Result<std::string> back = telemetry::ZstdDecompress(*body, 8 << 20);
//
// ZstdDecompress streams: whatever a frame claims, it holds at most `max_output` decoded bytes
// plus one 64 KiB chunk, and refuses a frame asking for a window larger than 2^window_log_max
// before allocating for it, so a zstd bomb costs at most the cap. Concatenated frames decode as
// one. Errors: ResourceExhausted past the cap (or for too large a window), Corruption for a
// broken, truncated or empty stream. Thread-safe (contexts are per thread and reused).
#ifndef TELEMETRY_BASE_ZSTD_H_
#define TELEMETRY_BASE_ZSTD_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "telemetry/base/status.h"

namespace telemetry {

// Internal when zstd itself fails (it does not on valid arguments).
Result<std::string> ZstdCompress(std::string_view bytes, int level = 3);
Result<std::string> ZstdDecompress(std::string_view bytes, size_t max_output,
                                   int window_log_max = 23);

// Appends `n` bytes to `out` unless that would pass `max_output`; grows the buffer itself so
// its capacity never passes `max_output` either. For every capped decoder.
bool AppendCapped(std::string* out, const char* data, size_t n, size_t max_output);

}  // namespace telemetry

#endif  // TELEMETRY_BASE_ZSTD_H_
