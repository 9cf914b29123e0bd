// Document ids: the collector accepts only UUIDs ("8-4-4-4-12" hex digits, either case).
#ifndef TELEMETRY_COLLECTOR_COMMON_UUID_H_
#define TELEMETRY_COLLECTOR_COMMON_UUID_H_

#include <string>
#include <string_view>

namespace telemetry::collector {

// True when `text` is a UUID in its canonical 36-character form. Any version is accepted.
bool IsUuid(std::string_view text);

// The lower-case form of a UUID (the key the collector deduplicates on).
std::string CanonicalUuid(std::string_view uuid);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_COMMON_UUID_H_
