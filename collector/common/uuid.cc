#include "collector/common/uuid.h"

#include <cctype>

namespace telemetry::collector {

bool IsUuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (dash ? c != '-' : std::isxdigit(c) == 0) return false;
  }
  return true;
}

std::string CanonicalUuid(std::string_view uuid) {
  std::string out(uuid);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace telemetry::collector
