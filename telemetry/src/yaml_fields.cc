#include "yaml_fields.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>

namespace telemetry::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view StripSign(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return s;
}

bool AllOf(std::string_view s, std::string_view allowed) {
  return !s.empty() && s.find_first_not_of(allowed) == std::string_view::npos;
}

// YAML 1.1 integers as PyYAML resolves them (decimal, 0x hex, 0b binary, 0 octal).
bool IsYamlInt(std::string_view s) {
  s = StripSign(s);
  if (s == "0") return true;
  if (s.starts_with("0x")) return AllOf(s.substr(2), "0123456789abcdefABCDEF_");
  if (s.starts_with("0b")) return AllOf(s.substr(2), "01_");
  if (s.starts_with("0")) return AllOf(s.substr(1), "01234567_");
  return !s.empty() && s[0] >= '1' && s[0] <= '9' && AllOf(s, "0123456789_");
}

bool IsYamlFloat(std::string_view s) {
  static const std::set<std::string_view> kSpecial = {".inf", ".Inf", ".INF",
                                                      ".nan", ".NaN", ".NAN"};
  if (kSpecial.count(StripSign(s)) > 0) return true;
  s = StripSign(s);
  size_t dot = s.find('.');
  if (dot == std::string_view::npos) return false;
  std::string_view whole = s.substr(0, dot);
  std::string_view rest = s.substr(dot + 1);
  if (!whole.empty() && !(IsDigit(whole[0]) && AllOf(whole, "0123456789_"))) return false;
  size_t exp = rest.find_first_of("eE");
  std::string_view fraction = rest.substr(0, exp);
  if (!fraction.empty() && !AllOf(fraction, "0123456789_")) return false;
  if (whole.empty() && fraction.empty()) return false;
  if (exp == std::string_view::npos) return true;
  std::string_view exponent = rest.substr(exp + 1);
  return exponent.size() >= 2 && (exponent[0] == '-' || exponent[0] == '+') &&
         AllOf(exponent.substr(1), "0123456789");
}

const std::set<std::string_view>& TrueWords() {
  static const std::set<std::string_view> kWords = {"yes",  "Yes", "YES", "true", "True",
                                                    "TRUE", "on",  "On",  "ON"};
  return kWords;
}

const std::set<std::string_view>& FalseWords() {
  static const std::set<std::string_view> kWords = {"no",    "No",  "NO",  "false", "False",
                                                    "FALSE", "off", "Off", "OFF"};
  return kWords;
}

YamlType ResolvePlain(std::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return YamlType::kNull;
  if (TrueWords().count(s) > 0 || FalseWords().count(s) > 0) return YamlType::kBool;
  if (IsYamlInt(s)) return YamlType::kInt;
  if (IsYamlFloat(s)) return YamlType::kFloat;
  return YamlType::kString;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c != '_') s += c;
  }
  bool negative = !s.empty() && s[0] == '-';
  std::string_view digits = StripSign(s);
  int base = 10;
  if (digits.starts_with("0x")) {
    base = 16;
    digits.remove_prefix(2);
  } else if (digits.starts_with("0b")) {
    base = 2;
    digits.remove_prefix(2);
  } else if (digits.size() > 1 && digits[0] == '0') {
    base = 8;
  }
  int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return negative ? -value : value;
}

bool Matches(const YAML::Node& node, FieldType type) {
  YamlType actual = TypeOf(node);
  switch (type) {
    case FieldType::kString:
      return actual == YamlType::kString;
    case FieldType::kBool:
      return actual == YamlType::kBool;
    case FieldType::kStringList:
    case FieldType::kIntList:
      return actual == YamlType::kList;
    case FieldType::kStringMap:
      return actual == YamlType::kMap;
  }
  return false;
}

std::string_view ExpectedName(FieldType type) {
  switch (type) {
    case FieldType::kString:
      return "a string";
    case FieldType::kBool:
      return "a boolean";
    case FieldType::kStringList:
      return "a list of strings";
    case FieldType::kIntList:
      return "a list of integers";
    case FieldType::kStringMap:
      return "a map of strings to strings";
  }
  return "?";
}

std::string Article(YamlType type) {
  std::string_view name = TypeName(type);
  bool vowel = name[0] == 'a' || name[0] == 'i' || name[0] == 'o';
  return std::string(vowel ? "an " : "a ") + std::string(name);
}

// The value node of `name` in `definition`, or an undefined node.
YAML::Node Find(const YAML::Node& definition, std::string_view name) {
  if (!definition.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  for (const auto& it : definition) {
    if (it.first.IsScalar() && it.first.Scalar() == name) return it.second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

}  // namespace

YamlType TypeOf(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return YamlType::kList;
    case YAML::NodeType::Map:
      return YamlType::kMap;
    case YAML::NodeType::Scalar:
      break;
    default:
      return YamlType::kNull;
  }
  const std::string& tag = node.Tag();
  if (tag == "?") return ResolvePlain(node.Scalar());
  if (tag == "tag:yaml.org,2002:int") return YamlType::kInt;
  if (tag == "tag:yaml.org,2002:bool") return YamlType::kBool;
  if (tag == "tag:yaml.org,2002:float") return YamlType::kFloat;
  if (tag == "tag:yaml.org,2002:null") return YamlType::kNull;
  return YamlType::kString;  // Quoted, folded, literal, or tagged !!str.
}

std::string_view TypeName(YamlType type) {
  switch (type) {
    case YamlType::kNull:
      return "null";
    case YamlType::kBool:
      return "boolean";
    case YamlType::kInt:
      return "integer";
    case YamlType::kFloat:
      return "float";
    case YamlType::kString:
      return "string";
    case YamlType::kList:
      return "list";
    case YamlType::kMap:
      return "map";
  }
  return "?";
}

bool AsBool(const YAML::Node& node) { return TrueWords().count(node.Scalar()) > 0; }

SourceLocation Reporter::Location(const YAML::Mark& mark) const {
  SourceLocation location{file_, 0, 0};
  if (mark.line >= 0) location.line = mark.line + 1;
  if (mark.column >= 0) location.column = mark.column + 1;
  return location;
}

void Reporter::Error(const YAML::Mark& mark, std::string_view probe, std::string message) {
  ++errors_;
  out_->push_back(Diagnostic{Diagnostic::Severity::kError, Location(mark), std::string(probe),
                             std::move(message)});
}

void Reporter::Warning(const YAML::Mark& mark, std::string_view probe, std::string message) {
  out_->push_back(Diagnostic{Diagnostic::Severity::kWarning, Location(mark), std::string(probe),
                             std::move(message)});
}

YAML::Node ParseYaml(std::string_view text, Reporter& reporter, bool* ok) {
  *ok = true;
  // yaml-cpp 0.7 silently accepts a quoted string left open at the end of the input when a line
  // break ends the input (it only throws when none does). A final comment line makes it throw
  // in both cases, and changes nothing else.
  std::string input(text);
  const bool sentinel = input.ends_with('\n');
  if (sentinel) input += '#';
  try {
    return YAML::Load(input);
  } catch (const YAML::Exception& e) {
    *ok = false;
    YAML::Mark mark = e.mark;
    if (sentinel && mark.pos >= static_cast<int>(text.size())) {
      // Found in the sentinel: report the end of the input, as yaml-cpp does for other errors.
      mark.pos = static_cast<int>(text.size());
      mark.line = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
      mark.column = 0;
    }
    reporter.Error(mark, "", "YAML syntax error: " + e.msg);
  }
  return YAML::Node();
}

void CheckFields(const YAML::Node& definition, const YAML::Mark& definition_mark,
                 std::span<const FieldSpec> specs, std::string_view probe, Reporter& reporter) {
  std::set<std::string> seen;
  for (const auto& it : definition) {
    const YAML::Node& key = it.first;
    const YAML::Node& value = it.second;
    if (!key.IsScalar()) {
      reporter.Error(key.Mark(), probe, "field names must be plain strings");
      continue;
    }
    const std::string& name = key.Scalar();
    const FieldSpec* spec = nullptr;
    for (const FieldSpec& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) {
      reporter.Error(key.Mark(), probe, "unknown field '" + name + "'");
      continue;
    }
    if (!seen.insert(name).second) {
      reporter.Error(key.Mark(), probe, "field '" + name + "' is given twice");
      continue;
    }
    if (!Matches(value, spec->type)) {
      reporter.Error(key.Mark(), probe,
                     "field '" + name + "' must be " + std::string(ExpectedName(spec->type)) +
                         ", not " + Article(TypeOf(value)));
      continue;
    }
    if (spec->type == FieldType::kStringList || spec->type == FieldType::kIntList) {
      if (value.size() == 0) {
        reporter.Error(key.Mark(), probe, "field '" + name + "' must not be an empty list");
        continue;
      }
      YamlType want = spec->type == FieldType::kIntList ? YamlType::kInt : YamlType::kString;
      for (const YAML::Node& element : value) {
        YamlType got = TypeOf(element);
        if (got != want || (want == YamlType::kInt && !ParseInt(element.Scalar()))) {
          reporter.Error(element.Mark(), probe,
                         "field '" + name + "' must only hold " +
                             (want == YamlType::kInt ? "integers" : "strings") + ", not " +
                             Article(got));
        }
      }
    }
    if (spec->type == FieldType::kStringMap) {
      if (value.size() == 0) {
        reporter.Error(key.Mark(), probe, "field '" + name + "' must not be an empty map");
        continue;
      }
      for (const auto& entry : value) {
        if (TypeOf(entry.first) != YamlType::kString) {
          reporter.Error(
              entry.first.Mark(), probe,
              "field '" + name + "' must have string keys, not " + Article(TypeOf(entry.first)));
        }
        if (TypeOf(entry.second) != YamlType::kString) {
          reporter.Error(entry.second.Mark(), probe,
                         "field '" + name + "': the value of '" + entry.first.Scalar() +
                             "' must be a string, not " + Article(TypeOf(entry.second)));
        }
      }
    }
  }
  for (const FieldSpec& spec : specs) {
    if (spec.required && seen.count(std::string(spec.name)) == 0) {
      reporter.Error(definition_mark, probe,
                     "missing required field '" + std::string(spec.name) + "'");
    }
  }
}

bool HasField(const YAML::Node& definition, std::string_view name) {
  return Find(definition, name).IsDefined();
}

bool HasStringField(const YAML::Node& definition, std::string_view name) {
  YAML::Node node = Find(definition, name);
  return node.IsDefined() && TypeOf(node) == YamlType::kString;
}

YAML::Mark FieldMark(const YAML::Node& definition, std::string_view name) {
  if (definition.IsMap()) {
    for (const auto& it : definition) {
      if (it.first.IsScalar() && it.first.Scalar() == name) return it.first.Mark();
    }
  }
  return definition.Mark();
}

std::string GetString(const YAML::Node& definition, std::string_view name, std::string fallback) {
  YAML::Node node = Find(definition, name);
  if (!node.IsDefined() || TypeOf(node) != YamlType::kString) return fallback;
  return node.Scalar();
}

bool GetBool(const YAML::Node& definition, std::string_view name, bool fallback) {
  YAML::Node node = Find(definition, name);
  if (!node.IsDefined() || TypeOf(node) != YamlType::kBool) return fallback;
  return AsBool(node);
}

std::vector<Item> GetStringList(const YAML::Node& definition, std::string_view name) {
  std::vector<Item> items;
  YAML::Node node = Find(definition, name);
  if (!node.IsDefined() || !node.IsSequence()) return items;
  for (const YAML::Node& element : node) {
    if (TypeOf(element) == YamlType::kString) items.push_back({element.Scalar(), element.Mark()});
  }
  return items;
}

std::vector<int64_t> GetIntList(const YAML::Node& definition, std::string_view name) {
  std::vector<int64_t> values;
  YAML::Node node = Find(definition, name);
  if (!node.IsDefined() || !node.IsSequence()) return values;
  for (const YAML::Node& element : node) {
    if (TypeOf(element) != YamlType::kInt) continue;
    if (std::optional<int64_t> value = ParseInt(element.Scalar())) values.push_back(*value);
  }
  return values;
}

std::vector<Item> GetStringMap(const YAML::Node& definition, std::string_view name,
                               std::vector<std::string>* values) {
  std::vector<Item> keys;
  YAML::Node node = Find(definition, name);
  if (!node.IsDefined() || !node.IsMap()) return keys;
  for (const auto& it : node) {
    if (TypeOf(it.first) != YamlType::kString || TypeOf(it.second) != YamlType::kString) {
      continue;
    }
    keys.push_back({it.first.Scalar(), it.first.Mark()});
    values->push_back(it.second.Scalar());
  }
  return keys;
}

std::vector<std::string> Values(const std::vector<Item>& items) {
  std::vector<std::string> values;
  values.reserve(items.size());
  for (const Item& item : items) values.push_back(item.value);
  return values;
}

}  // namespace telemetry::internal
