// UTF-8 truncation that never cuts a code point in two.
#ifndef TELEMETRY_SRC_UTF8_H_
#define TELEMETRY_SRC_UTF8_H_

#include <cstddef>
#include <string_view>

namespace telemetry::internal {

// The longest prefix of `text` of at most `max_bytes` bytes that ends on a code-point
// boundary. Bytes that are not valid UTF-8 count as one code point each.
std::string_view TruncateUtf8Bytes(std::string_view text, size_t max_bytes);

// The prefix of `text` holding at most `max_chars` code points.
std::string_view TruncateUtf8Chars(std::string_view text, size_t max_chars);

// The number of code points in `text` (invalid bytes count one each).
size_t CountUtf8Chars(std::string_view text);

}  // namespace telemetry::internal

#endif  // TELEMETRY_SRC_UTF8_H_
