#include "utf8.h"

namespace telemetry::internal {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The length of the code point starting at text[i]: 1 for ASCII and for an invalid byte.
size_t CodePointLength(std::string_view text, size_t i) {
  unsigned char lead = static_cast<unsigned char>(text[i]);
  size_t length = lead < 0x80           ? 1
                  : (lead >> 5) == 0x6  ? 2
                  : (lead >> 4) == 0xE  ? 3
                  : (lead >> 3) == 0x1E ? 4
                                        : 1;
  if (i + length > text.size()) return 1;
  for (size_t k = 1; k < length; ++k) {
    if (!IsContinuation(static_cast<unsigned char>(text[i + k]))) return 1;
  }
  return length;
}

}  // namespace

std::string_view TruncateUtf8Bytes(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = 0;
  while (end < text.size()) {
    size_t next = end + CodePointLength(text, end);
    if (next > max_bytes) break;
    end = next;
  }
  return text.substr(0, end);
}

std::string_view TruncateUtf8Chars(std::string_view text, size_t max_chars) {
  if (text.size() <= max_chars) return text;  // Fewer bytes than the limit: fewer chars too.
  size_t end = 0;
  for (size_t chars = 0; end < text.size() && chars < max_chars; ++chars) {
    end += CodePointLength(text, end);
  }
  return text.substr(0, end);
}

size_t CountUtf8Chars(std::string_view text) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); i += CodePointLength(text, i)) ++chars;
  return chars;
}

}  // namespace telemetry::internal
