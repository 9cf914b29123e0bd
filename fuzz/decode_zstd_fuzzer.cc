// Content decoding of request bodies, zstd (fuzz/content_coding_fuzz_support.h).
#include "fuzz/content_coding_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  telemetry::fuzz::DecodeAndRoundTrip(telemetry::collector::ContentCoding::kZstd, data, size);
  return 0;
}
