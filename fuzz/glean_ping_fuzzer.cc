// Glean JSON to rows (collector/ingest/glean_ping.h), with the structural checks only and with
// the glean.1 schema of ../shared/fixtures (when it is there): rows or a refusal, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "collector/ingest/glean_ping.h"
#include "fuzz/fuzz_support.h"

namespace {

const telemetry::collector::GleanSchema* Schema() {
  static const std::unique_ptr<telemetry::collector::GleanSchema> schema = [] {
    const char* shared = std::getenv("TELEMETRY_SHARED_DIR");
    const std::string dir = shared != nullptr ? shared : TELEMETRY_SHARED_DIR;
    auto loaded =
        telemetry::collector::GleanSchema::Load(dir + "/fixtures/glean/glean.1.schema.json");
    return loaded.ok() ? std::move(loaded).value() : nullptr;
  }();
  return schema.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace telemetry::collector;
  static const IdHasher hasher = IdHasher::InsecureDevelopmentKey();
  Submission submission;
  submission.namespace_name = "glean";
  submission.doc_type = "baseline";
  submission.doc_id = "6f1e4b39-7d1a-4c2e-9a55-0b3c2d4e5f60";
  submission.received_ms = 1700000000000;
  const std::string_view body = telemetry::fuzz::AsText(data, size);
  (void)NormalizeGleanPing(body, submission, nullptr, hasher);
  (void)NormalizeGleanPing(body, submission, Schema(), hasher);
  return 0;
}
