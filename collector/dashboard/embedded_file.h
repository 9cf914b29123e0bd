// The files built into the binary by cmake/EmbedFiles.cmake (this part's web/ and Chart.js).
// Internal to collector/dashboard: static_assets.h is the way to serve them.
#ifndef COLLECTOR_DASHBOARD_EMBEDDED_FILE_H_
#define COLLECTOR_DASHBOARD_EMBEDDED_FILE_H_

#include <cstddef>

namespace telemetry::collector::dashboard {

struct EmbeddedFile {
  const char* name;  // "chart.js", "overview.html", ...
  const unsigned char* bytes;
  size_t size;
};

extern const EmbeddedFile kEmbeddedFiles[];
extern const size_t kEmbeddedFileCount;

}  // namespace telemetry::collector::dashboard

#endif  // COLLECTOR_DASHBOARD_EMBEDDED_FILE_H_
