#include "probe_rules.h"

#include <algorithm>
#include <array>
#include <set>

namespace telemetry::internal {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string CheckScalarName(std::string_view name, std::string_view what, char extra) {
  if (name.empty()) return std::string(what) + " name must not be empty";
  if (name.size() > 40) {
    return std::string(what) + " name " + Quote(name) + " is longer than 40 characters";
  }
  for (char c : name) {
    if (!IsAlnum(c) && c != extra) {
      return std::string(what) + " name " + Quote(name) + " may only hold letters, digits and '" +
             extra + "'";
    }
  }
  auto bad_end = [](char c) { return IsDigit(c) || c == '.' || c == '_'; };
  if (bad_end(name.front()) || bad_end(name.back())) {
    return std::string(what) + " name " + Quote(name) +
           " must not start or end with a digit, '.' or '_'";
  }
  return "";
}

}  // namespace

std::string CheckScalarCategoryName(std::string_view name) {
  return CheckScalarName(name, "category", '.');
}

std::string CheckScalarProbeName(std::string_view name) {
  return CheckScalarName(name, "probe", '_');
}

std::string CheckEventIdentifier(std::string_view value, std::string_view what, size_t max_length) {
  if (value.empty()) return std::string(what) + " must not be empty";
  if (value.size() > max_length) {
    return std::string(what) + " " + Quote(value) + " is longer than " +
           std::to_string(max_length) + " characters";
  }
  bool ok = value.size() >= 2 && IsAlpha(value.front()) && IsAlnum(value.back()) &&
            std::all_of(value.begin(), value.end(),
                        [](char c) { return IsAlnum(c) || c == '_' || c == '.'; });
  if (!ok) {
    return std::string(what) + " " + Quote(value) +
           " must match ^[a-zA-Z][a-zA-Z0-9_.]*[a-zA-Z0-9]$";
  }
  return "";
}

bool IsKnownProcess(std::string_view process) {
  static constexpr std::array<std::string_view, 9> kProcesses = {
      "all", "all_children", "all_childs", "main", "content", "gpu", "rdd", "socket", "utility"};
  return std::find(kProcesses.begin(), kProcesses.end(), process) != kProcesses.end();
}

bool IsKnownProduct(std::string_view product, const std::vector<std::string>& extra_products) {
  if (product == "firefox" || product == "fennec" || product == "thunderbird") return true;
  return std::find(extra_products.begin(), extra_products.end(), product) != extra_products.end();
}

bool IsKnownOperatingSystem(std::string_view os) {
  return os == "mac" || os == "linux" || os == "windows" || os == "android" || os == "unix" ||
         os == "all";
}

bool IsValidExpiry(std::string_view expiry) {
  if (expiry == "never") return true;
  return !expiry.empty() && expiry.size() <= 3 &&
         std::all_of(expiry.begin(), expiry.end(), IsDigit);
}

bool IsValidStoreName(std::string_view store) {
  if (store.empty()) return false;
  auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || IsDigit(c); };
  if (!lower_alnum(store.front()) || !lower_alnum(store.back())) return false;
  return std::all_of(store.begin(), store.end(),
                     [&](char c) { return lower_alnum(c) || c == '-'; });
}

bool IsValidEmail(std::string_view email) {
  return email.find_first_of(" ,") == std::string_view::npos;
}

int FirstRepeat(const std::vector<std::string>& values) {
  std::set<std::string_view> seen;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!seen.insert(values[i]).second) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace telemetry::internal
