// The import's NDJSON reader (collector/import/): any file is imported row by row, bad rows
// rejected with their line, never a crash.
#include "fuzz/import_fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  telemetry::fuzz::ImportOnce(telemetry::collector::ImportFormat::kNdjson, data, size);
  return 0;
}
