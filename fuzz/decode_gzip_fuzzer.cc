// Content decoding of request bodies, gzip (fuzz/content_coding_fuzz_support.h).
#include "fuzz/content_coding_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  telemetry::fuzz::DecodeAndRoundTrip(telemetry::collector::ContentCoding::kGzip, data, size);
  return 0;
}
