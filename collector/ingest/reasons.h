// Why a request was refused: a stable token (a metrics label and a column of the rejections
// table), the HTTP status it is answered with, and how a refusal travels as a Status.
//
// A refusal is a Status whose message is "<token>: <detail>"; Refuse() makes one and
// ReasonOf() reads the token back.
#ifndef TELEMETRY_COLLECTOR_INGEST_REASONS_H_
#define TELEMETRY_COLLECTOR_INGEST_REASONS_H_

#include <string>
#include <string_view>

#include "telemetry/base/status.h"

namespace telemetry::collector {

enum class Reason {
  kBadRequest,            // 400 bad_request: unreadable HTTP or framing that could smuggle
  kUnknownRoute,          // 404 unknown_route: no such endpoint
  kRequestTimeout,        // 408 request_timeout: the head or body came too slowly
  kLengthRequired,        // 411 length_required: a POST with no Content-Length, not chunked
  kBodyTooLarge,          // 413 body_too_large: a body over 1 MB, chunked or not
  kUriTooLong,            // 414 uri_too_long: path over 1024 bytes
  kHeadersTooLarge,       // 431 headers_too_large: too many header fields or bytes
  kUnsupportedEncoding,   // 415 unsupported_encoding: Content-Encoding not zstd/gzip/identity
  kInvalidDocumentId,     // 400 invalid_document_id: the URI's document id is not a UUID
  kInvalidUri,            // 400 invalid_uri: another URI segment is malformed
  kCorruptBody,           // 400 corrupt_body: the gzip or zstd stream is broken
  kDecompressedTooLarge,  // 413 decompressed_too_large: the body inflates past 8 MB
  kInvalidProtobuf,       // 400 invalid_protobuf
  kInvalidJson,           // 400 invalid_json
  kSchemaViolation,       // 400 schema_violation: the Glean schema rejects the ping
  kInvalidPing,           // 400 invalid_ping: a structural rule of the ping is broken
  kOverLimit,             // 400 over_limit: more events, scalars or keys than a ping may hold
  kImplausibleTime,       // 400 implausible_time: a timestamp outside the plausible window
  kStorageUnavailable,    // 503 storage_unavailable: storage failed or is shutting down
  kOverloaded,            // 503 overloaded: storage is behind or too many connections; retry
};

std::string_view ReasonName(Reason reason);
int HttpStatusOf(Reason reason);

// A non-ok Status carrying `reason`.
Status Refuse(Reason reason, std::string_view detail);
// The reason of a Status made by Refuse(); kBadRequest for any other non-ok Status.
Reason ReasonOf(const Status& status);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_INGEST_REASONS_H_
