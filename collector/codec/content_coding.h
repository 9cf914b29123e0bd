// Content codings of request bodies: identity, gzip and zstd, decoded under a hard cap.
//
// Decode() streams: it never holds more than `max_output` decoded bytes (plus one 64 KiB
// chunk of working space), whatever the input claims, so zip and zstd bombs cost at most the
// cap. zstd frames that ask for a window larger than the cap are refused before any memory is
// allocated for them. Concatenated gzip members and zstd frames decode as one body.
//
// Thread safety: all functions may be called from any number of threads.
#ifndef TELEMETRY_COLLECTOR_CODEC_CONTENT_CODING_H_
#define TELEMETRY_COLLECTOR_CODEC_CONTENT_CODING_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "telemetry/base/status.h"

namespace telemetry::collector {

enum class ContentCoding { kIdentity, kGzip, kZstd };

// A Content-Encoding header value: "" or "identity", "gzip" or "x-gzip", "zstd" (any case).
// nullopt for every other coding (deflate, br, compress, lists of codings, ...).
std::optional<ContentCoding> ParseContentCoding(std::string_view header);
std::string_view ContentCodingName(ContentCoding coding);

// The decoded body. Errors are refusals (ingest/reasons.h): corrupt_body for a broken or
// truncated stream, decompressed_too_large when the output would pass `max_output` bytes.
Result<std::string> Decode(ContentCoding coding, std::string_view body, size_t max_output);

// `data` encoded in `coding` (zstd level 3, gzip level 6). Used to store a redacted ping in
// the coding it arrived in.
Result<std::string> Encode(ContentCoding coding, std::string_view data);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_CODEC_CONTENT_CODING_H_
