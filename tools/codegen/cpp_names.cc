#include "cpp_names.h"

#include <algorithm>
#include <cstdio>
#include <set>

namespace telemetry::codegen {
namespace {

bool IsSeparator(char c) { return c == '_' || c == '.' || c == '-'; }

char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// C++ keywords, and namespaces a generated one must not shadow.
bool IsKeyword(std::string_view word) {
  static const std::set<std::string_view> kKeywords = {
      "alignas",       "alignof",     "and",
      "and_eq",        "asm",         "auto",
      "bitand",        "bitor",       "bool",
      "break",         "case",        "catch",
      "char",          "char8_t",     "char16_t",
      "char32_t",      "class",       "compl",
      "concept",       "const",       "consteval",
      "constexpr",     "constinit",   "const_cast",
      "continue",      "co_await",    "co_return",
      "co_yield",      "decltype",    "default",
      "delete",        "do",          "double",
      "dynamic_cast",  "else",        "enum",
      "explicit",      "export",      "extern",
      "false",         "float",       "for",
      "friend",        "goto",        "if",
      "inline",        "int",         "long",
      "mutable",       "namespace",   "new",
      "noexcept",      "not",         "not_eq",
      "nullptr",       "operator",    "or",
      "or_eq",         "private",     "protected",
      "public",        "register",    "reinterpret_cast",
      "requires",      "return",      "short",
      "signed",        "sizeof",      "static",
      "static_assert", "static_cast", "struct",
      "switch",        "template",    "this",
      "thread_local",  "throw",       "true",
      "try",           "typedef",     "typeid",
      "typename",      "union",       "unsigned",
      "using",         "virtual",     "void",
      "volatile",      "wchar_t",     "while",
      "xor",           "xor_eq",      "std",
      "telemetry",
  };
  return kKeywords.count(word) > 0;
}

}  // namespace

std::string TypeName(std::string_view name) {
  std::string out;
  bool start_of_word = true;
  for (char c : name) {
    if (IsSeparator(c)) {
      start_of_word = true;
      continue;
    }
    out += start_of_word ? Upper(c) : c;
    start_of_word = false;
  }
  return out;
}

std::string ConstantName(std::string_view name) { return "k" + TypeName(name); }

std::string NamespaceName(std::string_view category) {
  std::string out(category);
  std::replace(out.begin(), out.end(), '.', '_');
  if (IsKeyword(out)) out += '_';
  return out;
}

std::string Literal(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '?':
        out += "\\?";  // No trigraphs by accident.
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\%03o", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

}  // namespace telemetry::codegen
