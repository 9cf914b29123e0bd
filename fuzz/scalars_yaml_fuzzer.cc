// The probe YAML reader (telemetry/registry.h), Scalars.yaml: any text is probes or diagnostics,
// and Build() gives a registry exactly when there was no error.
#include <cstddef>
#include <cstdint>

#include "fuzz/fuzz_support.h"
#include "telemetry/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  telemetry::RegistryBuilder builder;
  builder.AddScalarsYaml(telemetry::fuzz::AsText(data, size), "fuzz.yaml");
  const bool errors = builder.has_errors();
  telemetry::fuzz::Check((builder.Build() == nullptr) == errors, "Build() disagrees with errors");
  return 0;
}
