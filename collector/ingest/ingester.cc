#include "collector/ingest/ingester.h"

#include <cctype>

#include "collector/codec/content_coding.h"
#include "collector/ingest/firefox_ping.h"
#include "collector/ingest/glean_ping.h"
#include "collector/ingest/limits.h"
#include "collector/ingest/protobuf_ping.h"
#include "collector/ingest/reasons.h"
#include "telemetry/base/utc_date.h"
#include "telemetry/base/uuid.h"

namespace telemetry::collector {
namespace {

bool IsProtobuf(std::string_view content_type) {
  const std::string_view media = content_type.substr(0, content_type.find(';'));
  std::string lower;
  for (char c : media) {
    if (c != ' ') lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lower == "application/x-protobuf" || lower == "application/protobuf";
}

bool IsDigits(std::string_view text) {
  if (text.empty() || text.size() > 9) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes || name.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Ingester::Ingester(const IdHasher* hasher, const GleanSchema* schema, IngestOptions options)
    : hasher_(hasher), schema_(schema), options_(options) {}

Result<Document> Ingester::Ingest(const Submission& submission) const {
  if (!IsUuid(submission.doc_id)) {
    return Refuse(Reason::kInvalidDocumentId, "the document id is not a UUID");
  }
  if (!IsValidName(submission.namespace_name) || !IsValidName(submission.doc_type)) {
    return Refuse(Reason::kInvalidUri,
                  "the namespace and document type may hold only letters, digits, '-', '_' and "
                  "'.' (no \"..\"), at most 128 bytes");
  }
  Submission canonical = submission;
  canonical.doc_id = CanonicalUuid(submission.doc_id);
  if (submission.route == Submission::Route::kGeneric && !IsDigits(submission.doc_version)) {
    return Refuse(Reason::kInvalidUri, "the document version is not a number");
  }
  std::optional<ContentCoding> coding = ParseContentCoding(submission.content_encoding);
  if (!coding) {
    return Refuse(Reason::kUnsupportedEncoding, "Content-Encoding must be zstd, gzip or identity");
  }
  Result<std::string> decoded = Decode(*coding, submission.body, options_.max_decoded_bytes);
  if (!decoded.ok()) return decoded.status();

  Result<Normalized> normalized = Status::Internal("unreachable");
  if (submission.route == Submission::Route::kFirefox) {
    normalized = NormalizeFirefoxPing(*decoded, canonical);
  } else if (IsProtobuf(submission.content_type)) {
    normalized = NormalizeProtobufPing(*decoded, canonical, *hasher_);
  } else {
    normalized = NormalizeGleanPing(*decoded, canonical, schema_, *hasher_);
  }
  if (!normalized.ok()) return normalized.status();
  for (const ActivityEvent& row : normalized->activity) {
    Status plausible = CheckPlausibleTime(row.timestamp_ms, submission.received_ms, "timestamp");
    if (!plausible.ok()) return plausible;
  }

  Document document;
  StoredPing& ping = document.ping;
  ping.document_id = canonical.doc_id;
  ping.namespace_name = submission.namespace_name;
  ping.doc_type = submission.doc_type;
  ping.doc_version = submission.route == Submission::Route::kFirefox ? normalized->doc_version
                                                                     : submission.doc_version;
  ping.uri = submission.path;
  ping.received_ms = submission.received_ms;
  ping.submission_date = UtcDate(submission.received_ms);
  ping.content_type = submission.content_type;
  ping.content_encoding = std::string(ContentCodingName(*coding));
  if (normalized->redacted) {
    Result<std::string> encoded = Encode(*coding, *normalized->redacted);
    if (!encoded.ok()) return encoded.status();
    ping.body = std::move(*encoded);
    ping.redacted = true;
  } else {
    ping.body = std::string(submission.body);
  }
  document.activity = std::move(normalized->activity);
  document.scalars = std::move(normalized->scalars);
  return document;
}

}  // namespace telemetry::collector
