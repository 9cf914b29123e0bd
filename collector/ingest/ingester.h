// Ingester: turns one submission into the Document to store, or refuses it with a reason.
//
// In order: the document id must be a UUID (invalid_document_id), namespace and document
// type plain names (IsValidName, invalid_uri), the document version of a generic URI digits
// (invalid_uri), the content coding zstd, gzip or identity
// (unsupported_encoding); the body is decoded under the cap (corrupt_body,
// decompressed_too_large) and normalised by kind: Content-Type application/x-protobuf is one
// of our pings, anything else JSON (Glean at /submit/<namespace>/..., Firefox at
// /submit/telemetry/<id>/...), within the caps of ingest/limits.h (over_limit); every activity
// timestamp must be plausible (implausible_time). Refusals are Statuses from ingest/reasons.h.
//
// Thread safety: Ingest() is const and may run on any number of threads at once. The hasher
// and schema must outlive the Ingester.
#ifndef TELEMETRY_COLLECTOR_INGEST_INGESTER_H_
#define TELEMETRY_COLLECTOR_INGEST_INGESTER_H_

#include <cstddef>
#include <string_view>

#include "collector/ingest/glean_schema.h"
#include "collector/ingest/submission.h"
#include "collector/model/records.h"
#include "collector/privacy/id_hasher.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

// URI names (namespace, document type, Firefox's app, version, channel and build id), after
// percent-decoding: ASCII letters, digits, '-', '_' and '.', without "..", 1 to kMaxNameBytes
// bytes. Names are stored and printed by every output; nothing else may reach them.
inline constexpr size_t kMaxNameBytes = 128;
bool IsValidName(std::string_view name);

struct IngestOptions {
  size_t max_decoded_bytes = 8 * 1024 * 1024;  // The decompressed-size cap.
};

class Ingester {
 public:
  // `schema` may be null: Glean pings are then checked structurally only.
  Ingester(const IdHasher* hasher, const GleanSchema* schema, IngestOptions options = {});

  Result<Document> Ingest(const Submission& submission) const;

  // A refused body as it may be stored: sealed under the rejected-body key (IdHasher::Seal),
  // since it may carry raw ids.
  std::string SealRejectedBody(std::string_view body) const { return hasher_->Seal(body); }

 private:
  const IdHasher* hasher_;
  const GleanSchema* schema_;
  IngestOptions options_;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_INGEST_INGESTER_H_
