// Our protobuf ping to rows (collector/ingest/protobuf_ping.h): any decoded body becomes rows or
// a refusal; a redacted copy, when made, is itself a ping that normalises again.
#include <cstddef>
#include <cstdint>

#include "collector/ingest/protobuf_ping.h"
#include "fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace telemetry::collector;
  static const IdHasher hasher = IdHasher::InsecureDevelopmentKey();
  Submission submission;
  submission.doc_type = "main";
  submission.doc_id = "6f1e4b39-7d1a-4c2e-9a55-0b3c2d4e5f60";  // The seeds' document id.
  submission.received_ms = 1700000000000;
  telemetry::Result<Normalized> rows =
      NormalizeProtobufPing(telemetry::fuzz::AsText(data, size), submission, hasher);
  if (rows.ok() && rows->redacted) {
    telemetry::fuzz::Check(NormalizeProtobufPing(*rows->redacted, submission, hasher).ok(),
                           "the redacted ping is refused");
  }
  return 0;
}
