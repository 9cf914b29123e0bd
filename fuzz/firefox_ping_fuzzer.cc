// Firefox desktop JSON to rows (collector/ingest/firefox_ping.h): rows or a refusal. The URI's
// document id is taken from the body's "id" when there is one, so that mutated pings get past
// the id check to the payload.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "collector/ingest/firefox_ping.h"
#include "fuzz/fuzz_support.h"
#include "telemetry/base/uuid.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace telemetry::collector;
  Submission submission;
  submission.route = Submission::Route::kFirefox;
  submission.namespace_name = "telemetry";
  submission.doc_type = "main";
  submission.received_ms = 1700000000000;
  const std::string_view body = telemetry::fuzz::AsText(data, size);
  const nlohmann::json ping = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (ping.is_object() && ping.contains("id") && ping["id"].is_string()) {
    submission.doc_id = telemetry::CanonicalUuid(ping["id"].get<std::string>());
  }
  (void)NormalizeFirefoxPing(body, submission);
  return 0;
}
