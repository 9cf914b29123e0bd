// Content decoding of request bodies (collector/codec/content_coding.h), gzip: any body
// decodes or is refused, never past the cap; and the input, taken as plain data, survives an
// encode and decode round trip.
#include <cstddef>
#include <cstdint>

#include "collector/codec/content_coding.h"
#include "fuzz/fuzz_support.h"

namespace {
constexpr size_t kCap = 1 << 20;  // Small, so that bombs reach it fast.
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using telemetry::collector::ContentCoding;
  const std::string_view input = telemetry::fuzz::AsText(data, size);
  telemetry::Result<std::string> decoded =
      telemetry::collector::Decode(ContentCoding::kGzip, input, kCap);
  if (decoded.ok()) telemetry::fuzz::Check(decoded->size() <= kCap, "decoded past the cap");

  telemetry::Result<std::string> encoded =
      telemetry::collector::Encode(ContentCoding::kGzip, input);
  telemetry::fuzz::Check(encoded.ok(), "encoding failed");
  telemetry::Result<std::string> back =
      telemetry::collector::Decode(ContentCoding::kGzip, *encoded, kCap);
  telemetry::fuzz::Check(back.ok() && *back == input, "round trip changed the data");
  return 0;
}
