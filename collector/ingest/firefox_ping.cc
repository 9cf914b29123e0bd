#include "collector/ingest/firefox_ping.h"

#include <string>

#include "collector/common/time_format.h"
#include "collector/ingest/json_input.h"
#include "collector/ingest/limits.h"
#include "collector/ingest/reasons.h"
#include "collector/ingest/scalar_value.h"
#include "telemetry/base/uuid.h"

namespace telemetry::collector {
namespace {

using nlohmann::json;

Status ExpectField(const json& ping, const char* key, bool (json::*is_kind)() const noexcept,
                   const char* kind, bool required) {
  auto it = ping.find(key);
  if (it == ping.end()) {
    if (!required) return Status::Ok();
    return Refuse(Reason::kInvalidPing, std::string(key) + " is missing");
  }
  if (!((*it).*is_kind)()) {
    return Refuse(Reason::kInvalidPing, std::string(key) + " is not " + kind);
  }
  return Status::Ok();
}

Status AddScalar(const std::string& process, const std::string& probe,
                 std::optional<std::string> key, const json& value, Normalized* out) {
  if (Status s = CheckLimit(out->scalars.size() + 1, kMaxScalarRowsPerPing, "scalar values");
      !s.ok()) {
    return s;
  }
  ScalarRow row;
  row.process = process;
  row.probe = probe;
  row.key = std::move(key);
  if (!SetScalarValue(value, &row)) {
    return Refuse(Reason::kInvalidPing,
                  "scalar " + probe + " in process " + process + " is not uint, bool or string");
  }
  out->scalars.push_back(std::move(row));
  return Status::Ok();
}

Status CollectScalars(const json& processes, Normalized* out) {
  for (auto process = processes.begin(); process != processes.end(); ++process) {
    if (!process->is_object()) continue;
    if (auto scalars = process->find("scalars"); scalars != process->end()) {
      if (!scalars->is_object()) return Refuse(Reason::kInvalidPing, "scalars is not an object");
      for (auto it = scalars->begin(); it != scalars->end(); ++it) {
        if (Status s = AddScalar(process.key(), it.key(), std::nullopt, *it, out); !s.ok()) {
          return s;
        }
      }
    }
    if (auto keyed = process->find("keyedScalars"); keyed != process->end()) {
      if (!keyed->is_object()) return Refuse(Reason::kInvalidPing, "keyedScalars is not an object");
      for (auto it = keyed->begin(); it != keyed->end(); ++it) {
        if (!it->is_object()) {
          return Refuse(Reason::kInvalidPing, "keyed scalar " + it.key() + " is not an object");
        }
        if (Status s = CheckLimit(it->size(), kMaxKeysPerScalar, "keys of a keyed scalar");
            !s.ok()) {
          return s;
        }
        for (auto value = it->begin(); value != it->end(); ++value) {
          if (Status s = AddScalar(process.key(), it.key(), value.key(), *value, out); !s.ok()) {
            return s;
          }
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Normalized> NormalizeFirefoxPing(std::string_view decoded, const Submission& submission) {
  Result<json> parsed = ParseJsonPing(decoded);
  if (!parsed.ok()) return parsed.status();
  const json& ping = *parsed;
  for (Status s : {ExpectField(ping, "type", &json::is_string, "a string", true),
                   ExpectField(ping, "id", &json::is_string, "a string", true),
                   ExpectField(ping, "creationDate", &json::is_string, "a string", true),
                   ExpectField(ping, "version", &json::is_number, "a number", true),
                   ExpectField(ping, "application", &json::is_object, "an object", true),
                   ExpectField(ping, "payload", &json::is_object, "an object", false),
                   ExpectField(ping, "environment", &json::is_object, "an object", false),
                   ExpectField(ping, "clientId", &json::is_string, "a string", false)}) {
    if (!s.ok()) return s;
  }
  const std::string& id = ping["id"].get_ref<const std::string&>();
  if (CanonicalUuid(id) != submission.doc_id) {
    return Refuse(Reason::kInvalidPing,
                  "id " + id + " differs from the URI's " + submission.doc_id);
  }
  if (!ParseMozillaDatetime(ping["creationDate"].get_ref<const std::string&>())) {
    return Refuse(Reason::kInvalidPing, "creationDate is not a datetime");
  }
  Normalized out;
  out.doc_version = ping["version"].dump();
  if (auto payload = ping.find("payload"); payload != ping.end()) {
    if (auto processes = payload->find("processes"); processes != payload->end()) {
      if (!processes->is_object()) {
        return Refuse(Reason::kInvalidPing, "payload.processes is not an object");
      }
      if (Status s = CollectScalars(*processes, &out); !s.ok()) return s;
    }
  }
  return out;
}

}  // namespace telemetry::collector
