// Helpers shared by the fuzz targets: a scratch directory per process, files written there,
// and a check that stops the run (libFuzzer reports an abort as a crash with its input).
#ifndef TELEMETRY_FUZZ_FUZZ_SUPPORT_H_
#define TELEMETRY_FUZZ_FUZZ_SUPPORT_H_

#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace telemetry::fuzz {

// The input as text (the decoders take string_view).
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A directory of this process's own under the temporary directory, removed at exit.
inline const std::string& ScratchDir() {
  static const std::string* dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "telemetry-fuzz-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    auto* path = new std::string(pattern);
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(*dir, ignored);
    });
    return path;
  }();
  return *dir;
}

inline void WriteFile(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) std::abort();
}

// Aborts (a crash libFuzzer keeps the input of) when an invariant of the decoder breaks.
inline void Check(bool invariant, const char* what) {
  if (!invariant) {
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
  }
}

}  // namespace telemetry::fuzz

#endif  // TELEMETRY_FUZZ_FUZZ_SUPPORT_H_
