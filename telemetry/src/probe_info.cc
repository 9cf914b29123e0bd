#include "telemetry/probe_info.h"

#include <charconv>
#include <optional>

namespace telemetry {

std::string_view ScalarKindName(ScalarKind kind) {
  switch (kind) {
    case ScalarKind::kUint:
      return "uint";
    case ScalarKind::kString:
      return "string";
    case ScalarKind::kBoolean:
      return "boolean";
  }
  return "unknown";
}

std::string_view CollectionPolicyName(CollectionPolicy policy) {
  return policy == CollectionPolicy::kOptOut ? "opt-out" : "opt-in";
}

std::string ProbeCommon::FullName() const { return category + "." + name; }

namespace {

// The leading run of digits of `text` as a number, if it has one.
std::optional<uint64_t> LeadingNumber(std::string_view text) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  return value;
}

}  // namespace

bool IsExpired(std::string_view expiry, std::string_view app_version) {
  if (expiry == "never" || app_version.empty()) return false;
  // Firefox turns an expiry "N" into "N.0a1", the first nightly of major version N, so any
  // build of major version N or later has expired it.
  std::optional<uint64_t> expiry_major = LeadingNumber(expiry);
  std::optional<uint64_t> app_major = LeadingNumber(app_version);
  if (!expiry_major || !app_major) return false;
  return *app_major >= *expiry_major;
}

}  // namespace telemetry
