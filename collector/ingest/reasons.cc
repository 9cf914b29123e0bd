#include "collector/ingest/reasons.h"

#include <array>
#include <utility>

namespace telemetry::collector {
namespace {

struct ReasonInfo {
  Reason reason;
  std::string_view name;
  int http_status;
};

constexpr std::array<ReasonInfo, 20> kReasons = {{
    {Reason::kBadRequest, "bad_request", 400},
    {Reason::kUnknownRoute, "unknown_route", 404},
    {Reason::kRequestTimeout, "request_timeout", 408},
    {Reason::kLengthRequired, "length_required", 411},
    {Reason::kBodyTooLarge, "body_too_large", 413},
    {Reason::kUriTooLong, "uri_too_long", 414},
    {Reason::kHeadersTooLarge, "headers_too_large", 431},
    {Reason::kUnsupportedEncoding, "unsupported_encoding", 415},
    {Reason::kInvalidDocumentId, "invalid_document_id", 400},
    {Reason::kInvalidUri, "invalid_uri", 400},
    {Reason::kCorruptBody, "corrupt_body", 400},
    {Reason::kDecompressedTooLarge, "decompressed_too_large", 413},
    {Reason::kInvalidProtobuf, "invalid_protobuf", 400},
    {Reason::kInvalidJson, "invalid_json", 400},
    {Reason::kSchemaViolation, "schema_violation", 400},
    {Reason::kInvalidPing, "invalid_ping", 400},
    {Reason::kOverLimit, "over_limit", 400},
    {Reason::kImplausibleTime, "implausible_time", 400},
    {Reason::kStorageUnavailable, "storage_unavailable", 503},
    {Reason::kOverloaded, "overloaded", 503},
}};

const ReasonInfo& Info(Reason reason) {
  for (const ReasonInfo& info : kReasons) {
    if (info.reason == reason) return info;
  }
  return kReasons[0];
}

}  // namespace

std::string_view ReasonName(Reason reason) { return Info(reason).name; }
int HttpStatusOf(Reason reason) { return Info(reason).http_status; }

Status Refuse(Reason reason, std::string_view detail) {
  std::string message(ReasonName(reason));
  message += ": ";
  message += detail;
  return Status::InvalidArgument(std::move(message));
}

Reason ReasonOf(const Status& status) {
  const std::string& message = status.message();
  const std::string_view token = std::string_view(message).substr(0, message.find(':'));
  for (const ReasonInfo& info : kReasons) {
    if (info.name == token) return info.reason;
  }
  return Reason::kBadRequest;
}

}  // namespace telemetry::collector
