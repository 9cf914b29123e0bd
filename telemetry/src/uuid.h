// Random (version 4) UUIDs from OpenSSL's generator.
#ifndef TELEMETRY_SRC_UUID_H_
#define TELEMETRY_SRC_UUID_H_

#include <string>
#include <string_view>

namespace telemetry::internal {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower-case hex; y is 8, 9, a or b.
std::string NewUuid();
// True for the canonical 8-4-4-4-12 hex form (any version, either case).
bool IsUuid(std::string_view text);

}  // namespace telemetry::internal

#endif  // TELEMETRY_SRC_UUID_H_
