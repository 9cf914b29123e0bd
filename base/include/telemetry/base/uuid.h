// Random (version 4) UUIDs, from OpenSSL's generator, and checks of the UUID text form.
//
//   std::string id = telemetry::NewUuid();       // "0f8fad5b-d9cb-469f-a165-70867728950e"
//   telemetry::IsUuid(id);                        // true
//   telemetry::CanonicalUuid("0F8FAD5B-D9CB-...");  // lower case, the form ids are keyed by
//
// Thread-safe. NewUuid aborts the process when the system has no randomness to give: ids that
// could collide are worse than no ids.
#ifndef TELEMETRY_BASE_UUID_H_
#define TELEMETRY_BASE_UUID_H_

#include <string>
#include <string_view>

namespace telemetry {

// "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", lower-case hex; y is 8, 9, a or b.
std::string NewUuid();
// True for the canonical 8-4-4-4-12 hex form (any version, either case).
bool IsUuid(std::string_view text);
// The lower-case form of a UUID.
std::string CanonicalUuid(std::string_view uuid);

}  // namespace telemetry

#endif  // TELEMETRY_BASE_UUID_H_
