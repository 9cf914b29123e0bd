#include "collector/ingest/glean_rules.h"

#include <cctype>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collector/ingest/reasons.h"

namespace telemetry::collector {
namespace {

using nlohmann::json;

// A rule checks one value at a place ("ping_info.seq") and says what is wrong, if anything.
using Rule = std::function<Status(const json& value, const std::string& at)>;
using NameRule = std::function<bool(const std::string& name)>;

Status Broken(const std::string& at, const std::string& what) {
  return Refuse(Reason::kSchemaViolation, (at.empty() ? "the ping" : at) + ": " + what);
}

// JSON Schema lengths count characters (code points), not bytes.
size_t Characters(const std::string& text) {
  size_t count = 0;
  for (unsigned char c : text) count += (c & 0xC0) != 0x80;
  return count;
}

Rule String(std::optional<size_t> max_length = std::nullopt, NameRule pattern = nullptr) {
  return [=](const json& v, const std::string& at) {
    if (!v.is_string()) return Broken(at, "must be a string");
    const std::string& text = v.get_ref<const std::string&>();
    if (max_length && Characters(text) > *max_length) {
      return Broken(at, "longer than " + std::to_string(*max_length) + " characters");
    }
    if (pattern && !pattern(text)) return Broken(at, "does not match its pattern");
    return Status::Ok();
  };
}

Rule Enum(std::vector<std::string> values) {
  return [values = std::move(values)](const json& v, const std::string& at) {
    for (const std::string& value : values) {
      if (v.is_string() && v.get_ref<const std::string&>() == value) return Status::Ok();
    }
    return Broken(at, "is not one of the allowed values");
  };
}

Rule Integer(std::optional<int64_t> minimum = std::nullopt, bool nullable = false) {
  return [=](const json& v, const std::string& at) {
    if (nullable && v.is_null()) return Status::Ok();
    if (!v.is_number_integer()) return Broken(at, "must be an integer");
    if (minimum && v.is_number_integer() && !v.is_number_unsigned() &&
        v.get<int64_t>() < *minimum) {
      return Broken(at, "is below its minimum " + std::to_string(*minimum));
    }
    return Status::Ok();
  };
}

Rule Number(double minimum, double maximum, bool nullable = false) {
  return [=](const json& v, const std::string& at) {
    if (nullable && v.is_null()) return Status::Ok();
    if (!v.is_number()) return Broken(at, "must be a number");
    const double d = v.get<double>();
    if (d < minimum || d > maximum) return Broken(at, "is out of its range");
    return Status::Ok();
  };
}

Rule Boolean() {
  return [](const json& v, const std::string& at) {
    return v.is_boolean() ? Status::Ok() : Broken(at, "must be a boolean");
  };
}

struct Field {
  std::string name;
  Rule rule;
  bool required = false;
};

// An object with known fields; other fields are refused unless `open`.
Rule Object(std::vector<Field> fields, bool open = false) {
  return [fields = std::move(fields), open](const json& v, const std::string& at) {
    if (!v.is_object()) return Broken(at, "must be an object");
    const std::string prefix = at.empty() ? "" : at + ".";
    for (const Field& field : fields) {
      auto it = v.find(field.name);
      if (it == v.end()) {
        if (field.required) return Broken(at, "lacks the required field " + field.name);
        continue;
      }
      if (Status s = field.rule(*it, prefix + field.name); !s.ok()) return s;
    }
    for (auto it = v.begin(); !open && it != v.end(); ++it) {
      bool known = false;
      for (const Field& field : fields) known = known || field.name == it.key();
      if (!known) return Broken(at, "has a field the schema does not allow");
    }
    return Status::Ok();
  };
}

// An object whose keys are names (checked by `name`) and whose values all follow `value`.
Rule Map(NameRule name, Rule value) {
  return [name = std::move(name), value = std::move(value)](const json& v, const std::string& at) {
    if (!v.is_object()) return Broken(at, "must be an object");
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (name && !name(it.key())) return Broken(at, "has a key that does not match its pattern");
      if (Status s = value(*it, at + "." + it.key()); !s.ok()) return s;
    }
    return Status::Ok();
  };
}

Rule Array(Rule item, std::optional<size_t> exact_size = std::nullopt) {
  return [item = std::move(item), exact_size](const json& v, const std::string& at) {
    if (!v.is_array()) return Broken(at, "must be an array");
    if (exact_size && v.size() != *exact_size) return Broken(at, "has the wrong number of items");
    for (size_t i = 0; i < v.size(); ++i) {
      if (Status s = item(v[i], at + "[" + std::to_string(i) + "]"); !s.ok()) return s;
    }
    return Status::Ok();
  };
}

NameRule MaxLength(size_t max) {
  return [max](const std::string& name) { return Characters(name) <= max; };
}

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// ^[a-z_][a-z0-9_\.]+$, at most 111 characters.
bool IsMetricName(const std::string& name) {
  if (name.size() < 2 || name.size() > 111 || !(IsLower(name[0]) || name[0] == '_')) return false;
  for (char c : name) {
    if (!(IsLower(c) || IsDigit(c) || c == '_' || c == '.')) return false;
  }
  return true;
}

// ^[a-z-_][a-z0-9-_]*$, at most 30 characters.
bool IsPingName(const std::string& name) {
  if (name.empty() || name.size() > 30 || IsDigit(name[0])) return false;
  for (char c : name) {
    if (!(IsLower(c) || IsDigit(c) || c == '-' || c == '_')) return false;
  }
  return true;
}

bool IsDigits(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// 8-4-4-4-12 hex digits.
bool IsUuidText(const std::string& text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !IsHex(text[i])) return false;
  }
  return true;
}

// ^((?!data)([a-zA-Z][a-zA-Z0-9-\+\.]*):(.*))$: a scheme, a colon, not a data: URL.
bool IsUrl(const std::string& text) {
  if (text.rfind("data", 0) == 0) return false;
  const size_t colon = text.find(':');
  if (colon == std::string::npos || colon == 0 ||
      !std::isalpha(static_cast<unsigned char>(text[0]))) {
    return false;
  }
  for (size_t i = 1; i < colon; ++i) {
    const char c = text[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.')) {
      return false;
    }
  }
  return true;
}

Rule TimeUnit() {
  return Enum({"nanosecond", "microsecond", "millisecond", "second", "minute", "hour", "day"});
}

Rule Buckets() { return Map(IsDigits, Integer()); }

// timing_distribution, memory_distribution and custom_distribution values.
Rule Distribution(const std::string& type) {
  std::vector<Field> fields = {
      {"count", Integer()}, {"sum", Integer(), type == "custom"}, {"values", Buckets(), true}};
  if (type == "timing") {
    fields.push_back({"bucket_count", Integer()});
    fields.push_back({"histogram_type", Enum({"linear", "exponential"})});
    fields.push_back({"overflow", Integer()});
    fields.push_back({"underflow", Integer()});
    fields.push_back({"range", Array(Number(-1e308, 1e308), 2)});
    fields.push_back({"time_unit", TimeUnit()});
  }
  return Object(std::move(fields), /*open=*/true);
}

Rule Rate() { return Object({{"numerator", Integer(0), true}, {"denominator", Integer(0), true}}); }

Rule Labeled(Rule value) { return Map(MaxLength(111), std::move(value)); }

// What a metric of each type holds, keyed by the type's name in "metrics".
std::vector<Field> MetricTypes() {
  Rule uuid = String(std::nullopt, IsUuidText);
  Rule object_or_array = [](const json& v, const std::string& at) {
    return v.is_structured() ? Status::Ok() : Broken(at, "must be an object or an array");
  };
  Rule timespan = Object({{"time_unit", TimeUnit(), true}, {"value", Integer(), true}}, true);
  return {
      {"boolean", Boolean()},
      {"counter", Integer()},
      {"quantity", Integer()},
      {"string", String()},
      {"jwe", String()},
      {"text", String(204800)},
      {"datetime", String()},
      {"uuid", uuid},
      {"url", String(std::nullopt, IsUrl)},
      {"string_list", Array(String())},
      {"object", object_or_array},
      {"timespan", timespan},
      {"rate", Rate()},
      {"custom_distribution", Distribution("custom")},
      {"memory_distribution", Distribution("memory")},
      {"timing_distribution", Distribution("timing")},
      {"labeled_boolean", Labeled(Boolean())},
      {"labeled_counter", Labeled(Integer())},
      {"labeled_quantity", Labeled(Integer())},
      {"labeled_string", Labeled(String())},
      {"labeled_rate", Labeled(Rate())},
      {"labeled_custom_distribution", Labeled(Distribution("custom"))},
      {"labeled_memory_distribution", Labeled(Distribution("memory"))},
      {"labeled_timing_distribution", Labeled(Distribution("timing"))},
      {"dual_labeled_counter", Labeled(Labeled(Integer()))},
  };
}

Rule Metrics() {
  std::vector<Field> types = MetricTypes();
  for (Field& type : types) type.rule = Map(IsMetricName, std::move(type.rule));
  return Object(std::move(types));
}

Rule ClientInfo() {
  std::vector<Field> fields;
  for (const char* name : {"app_build", "app_display_version", "architecture", "first_run_date",
                           "os", "os_version", "telemetry_sdk_build"}) {
    fields.push_back({name, String(), true});
  }
  for (const char* name : {"android_sdk_version", "app_channel", "build_date",
                           "device_manufacturer", "device_model", "locale", "session_id"}) {
    fields.push_back({name, String()});
  }
  fields.push_back({"client_id", String(std::nullopt, IsUuidText)});
  fields.push_back({"session_count", Integer()});
  fields.push_back({"windows_build_number", Integer()});
  fields.push_back({"attribution", Object({{"campaign", String()},
                                           {"content", String()},
                                           {"medium", String()},
                                           {"source", String()},
                                           {"term", String()}})});
  fields.push_back({"distribution", Object({{"name", String()}})});
  return Object(std::move(fields));
}

Rule PingInfo() {
  Rule extra = [open = Object({{"enrollment_id", String()}, {"type", String()}}, true)](
                   const json& v, const std::string& at) {
    return v.is_null() ? Status::Ok() : open(v, at);
  };
  Rule experiment = Object({{"branch", String(100), true}, {"extra", extra}});
  Rule knobs = Object({{"event_threshold", Integer(0, /*nullable=*/true)},
                       {"metrics_enabled", Map(IsMetricName, Boolean())},
                       {"pings_enabled", Map(IsPingName, Boolean())},
                       {"session_sample_rate", Number(0, 1, /*nullable=*/true)}});
  return Object({{"seq", Integer(), true},
                 {"start_time", String(), true},
                 {"end_time", String(), true},
                 {"ping_type", String(30, IsPingName)},
                 {"reason", String(30)},
                 {"experiments", Map(MaxLength(100), experiment)},
                 {"server_knobs_config", knobs}});
}

Rule Events() {
  Rule session = Object({{"session_id", String(), true},
                         {"session_seq", Integer(0), true},
                         {"event_seq", Integer(0), true},
                         {"session_sample_rate", Number(0, 1), true},
                         {"session_start_time", String()}});
  return Array(Object({{"timestamp", Integer(0), true},
                       {"category", String(), true},
                       {"name", String(), true},
                       {"extra", Map(MaxLength(40), String())},
                       {"session", session}}));
}

Rule Ping() {
  return Object({{"$schema", Enum({"moz://mozilla.org/schemas/glean/ping/1"})},
                 {"ping_info", PingInfo(), true},
                 {"client_info", ClientInfo(), true},
                 {"metrics", Metrics()},
                 {"events", Events()}});
}

}  // namespace

Status CheckGleanRules(const json& ping) {
  static const Rule rules = Ping();
  return rules(ping, "");
}

}  // namespace telemetry::collector
