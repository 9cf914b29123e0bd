// Content decoding of request bodies (collector/codec/content_coding.h) over one fuzz input, in
// one coding: any body decodes or is refused, never past the cap; and the input, taken as plain
// data, survives an encode and decode round trip.
#ifndef TELEMETRY_FUZZ_CONTENT_CODING_FUZZ_SUPPORT_H_
#define TELEMETRY_FUZZ_CONTENT_CODING_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>

#include "collector/codec/content_coding.h"
#include "fuzz/fuzz_support.h"

namespace telemetry::fuzz {

inline void DecodeAndRoundTrip(collector::ContentCoding coding, const uint8_t* data, size_t size) {
  constexpr size_t kCap = 1 << 20;  // Small, so that bombs reach it fast.
  const std::string_view input = AsText(data, size);
  Result<std::string> decoded = collector::Decode(coding, input, kCap);
  if (decoded.ok()) Check(decoded->size() <= kCap, "decoded past the cap");

  Result<std::string> encoded = collector::Encode(coding, input);
  Check(encoded.ok(), "encoding failed");
  Result<std::string> back = collector::Decode(coding, *encoded, kCap);
  Check(back.ok() && *back == input, "round trip changed the data");
}

}  // namespace telemetry::fuzz

#endif  // TELEMETRY_FUZZ_CONTENT_CODING_FUZZ_SUPPORT_H_
