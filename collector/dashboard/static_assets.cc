#include "collector/dashboard/static_assets.h"

#include "collector/dashboard/embedded_file.h"

namespace telemetry::collector::dashboard {
namespace {

std::string_view ContentTypeOf(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

std::optional<StaticAsset> FindStaticAsset(std::string_view name) {
  for (size_t i = 0; i < kEmbeddedFileCount; ++i) {
    const EmbeddedFile& file = kEmbeddedFiles[i];
    if (name != file.name) continue;
    return StaticAsset{std::string_view(reinterpret_cast<const char*>(file.bytes), file.size),
                       ContentTypeOf(name)};
  }
  return std::nullopt;
}

}  // namespace telemetry::collector::dashboard
