// Firefox's rules for probe names and field values, shared by the scalar and event readers.
// Each check returns an empty string when the value is fine, else what is wrong with it.
#ifndef TELEMETRY_SRC_PROBE_RULES_H_
#define TELEMETRY_SRC_PROBE_RULES_H_

#include <string>
#include <string_view>
#include <vector>

namespace telemetry::internal {

// Scalars: category <= 40 chars of [a-zA-Z0-9.], probe <= 40 chars of [a-zA-Z0-9_]; neither
// starts or ends with a digit, '.' or '_'.
std::string CheckScalarCategoryName(std::string_view name);
std::string CheckScalarProbeName(std::string_view name);

// Events: `what` ("category", "event name", "method", "object", "extra key") matches
// ^[a-zA-Z][a-zA-Z0-9_.]*[a-zA-Z0-9]$ and is at most `max_length` chars.
std::string CheckEventIdentifier(std::string_view value, std::string_view what, size_t max_length);

inline constexpr size_t kMaxEventCategoryLength = 30;
inline constexpr size_t kMaxEventMethodLength = 20;  // Also event names.
inline constexpr size_t kMaxEventObjectLength = 20;
inline constexpr size_t kMaxExtraKeys = 10;
inline constexpr size_t kMaxExtraKeyLength = 15;
inline constexpr size_t kMaxScalarKeys = 100;
inline constexpr size_t kMaxScalarKeyLength = 72;

bool IsKnownProcess(std::string_view process);
bool IsKnownProduct(std::string_view product, const std::vector<std::string>& extra_products);
bool IsKnownOperatingSystem(std::string_view os);
// Firefox: "never" or a major version of one to three digits.
bool IsValidExpiry(std::string_view expiry);
// Store names become ping names: ^[a-z0-9][a-z0-9-]*[a-z0-9]$ (or a single [a-z0-9]).
bool IsValidStoreName(std::string_view store);
// Notification emails must not hold spaces or commas.
bool IsValidEmail(std::string_view email);

// The first value of `values` that repeats an earlier one, or -1.
int FirstRepeat(const std::vector<std::string>& values);

}  // namespace telemetry::internal

#endif  // TELEMETRY_SRC_PROBE_RULES_H_
