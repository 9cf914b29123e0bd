// Turning probe names into C++ names, and text into C++ string literals.
#ifndef TELEMETRY_TOOLS_CODEGEN_CPP_NAMES_H_
#define TELEMETRY_TOOLS_CODEGEN_CPP_NAMES_H_

#include <string>
#include <string_view>

namespace telemetry::codegen {

// "tab_open_event_count" -> "kTabOpenEventCount", "HCM_background" -> "kHCMBackground",
// "fileExtension" -> "kFileExtension", "link.clicked" -> "kLinkClicked".
std::string ConstantName(std::string_view name);
// "tab_open" -> "TabOpen": the same words without the 'k'.
std::string TypeName(std::string_view name);
// "browser.engagement" -> "browser_engagement"; a C++ keyword gets a trailing '_'.
std::string NamespaceName(std::string_view category);
// A double-quoted C++ literal of any bytes (non-ASCII and control bytes as octal escapes).
std::string Literal(std::string_view text);

}  // namespace telemetry::codegen

#endif  // TELEMETRY_TOOLS_CODEGEN_CPP_NAMES_H_
