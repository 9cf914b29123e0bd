#include "data_commands.h"

#include <fnmatch.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "telemetry/base/utc_date.h"
#include "telemetry/data_directory.h"
#include "telemetry/wire/ping_codec.h"
#include "terminal.h"

namespace telemetry::inspect {
namespace {

using Reader = DataDirectoryReader;
using Json = nlohmann::ordered_json;

// Opens the database read-only, or says why not on `err`.
std::unique_ptr<Reader> OpenOrSay(const DataOptions& options, std::ostream& err) {
  if (options.data_dir.empty()) {
    err << "telemetry-inspect: name the data directory with --data-dir\n";
    return nullptr;
  }
  // The non-throwing form: a path that cannot even be looked at is an answer, not an abort.
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(options.data_dir, ec);
  if (ec && status.type() != std::filesystem::file_type::not_found) {
    err << "telemetry-inspect: " << options.data_dir << " cannot be read: " << ec.message() << "\n";
    return nullptr;
  }
  if (status.type() != std::filesystem::file_type::directory) {
    err << "telemetry-inspect: " << options.data_dir << " is not a directory\n";
    return nullptr;
  }
  Result<std::unique_ptr<Reader>> db = Reader::Open(options.data_dir);
  if (!db.ok()) {
    err << "telemetry-inspect: cannot read the telemetry database: " << db.status().ToString()
        << "\n";
    return nullptr;
  }
  return std::move(db).value();
}

int Failed(const Status& status, std::ostream& err) {
  err << "telemetry-inspect: " << status.ToString() << "\n";
  return 1;
}

std::string Time(int64_t ms) {
  if (ms <= 0) return "-";
  return UtcDateTime(ms);
}

std::string ValueText(const ScalarValue& value) {
  if (const uint32_t* u = std::get_if<uint32_t>(&value)) return std::to_string(*u);
  if (const bool* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  return std::get<std::string>(value);
}

Json ValueJson(const ScalarValue& value) {
  if (const uint32_t* u = std::get_if<uint32_t>(&value)) return *u;
  if (const bool* b = std::get_if<bool>(&value)) return *b;
  return std::get<std::string>(value);
}

}  // namespace

int RunClient(const DataOptions& options, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Reader> db = OpenOrSay(options, err);
  if (!db) return 1;
  std::map<std::string, std::string> values;
  for (const char* key : {"client_id", "first_run_date", "upload_enabled"}) {
    Result<std::optional<std::string>> value = db->ClientValue(key);
    if (!value.ok()) return Failed(value.status(), err);
    values[key] = value->value_or("");
  }
  Result<int> version = db->SchemaVersion();
  if (!version.ok()) return Failed(version.status(), err);
  const std::string path = Reader::DatabasePath(options.data_dir);
  std::error_code ignored;
  const uintmax_t size = std::filesystem::file_size(path, ignored);
  const bool upload = values["upload_enabled"] != "0";
  if (options.json) {
    out << Json{{"client_id", values["client_id"]}, {"first_run_date", values["first_run_date"]},
                {"upload_enabled", upload},         {"database", path},
                {"database_bytes", size},           {"schema_version", *version}}
               .dump(2)
        << "\n";
    return 0;
  }
  PrintTable(out, {"FIELD", "VALUE"},
             {{"client id", values["client_id"]},
              {"first run", values["first_run_date"]},
              {"upload", upload ? "enabled" : "disabled"},
              {"database", path},
              {"size", std::to_string(size) + " bytes"},
              {"schema version", std::to_string(*version)}},
             options.width);
  return 0;
}

int RunStores(const DataOptions& options, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Reader> db = OpenOrSay(options, err);
  if (!db) return 1;
  Result<std::vector<StoredStore>> stores = db->Stores();
  if (!stores.ok()) return Failed(stores.status(), err);
  Json list = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const StoredStore& s : *stores) {
    list.push_back({{"store", s.store},
                    {"scalars", s.contents.scalars.size()},
                    {"keyed_scalars", s.contents.keyed_scalars.size()},
                    {"events", s.contents.events.size()}});
    rows.push_back({s.store, std::to_string(s.contents.scalars.size()),
                    std::to_string(s.contents.keyed_scalars.size()),
                    std::to_string(s.contents.events.size())});
  }
  if (options.json) {
    out << list.dump(2) << "\n";
  } else {
    PrintTable(out, {"STORE", "SCALARS", "KEYED", "EVENTS"}, rows, options.width);
  }
  return 0;
}

int RunScalars(const DataOptions& options, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Reader> db = OpenOrSay(options, err);
  if (!db) return 1;
  Result<std::vector<StoredStore>> stores = db->Stores();
  if (!stores.ok()) return Failed(stores.status(), err);
  auto wanted = [&](const std::string& name) {
    return options.filter.empty() || fnmatch(options.filter.c_str(), name.c_str(), 0) == 0;
  };
  Json list = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const StoredStore& s : *stores) {
    if (!options.store.empty() && s.store != options.store) continue;
    for (const ScalarEntry& e : s.contents.scalars) {
      if (!wanted(e.name)) continue;
      list.push_back({{"store", s.store}, {"name", e.name}, {"value", ValueJson(e.value)}});
      rows.push_back({s.store, e.name, "", ValueText(e.value)});
    }
    for (const KeyedScalarEntry& e : s.contents.keyed_scalars) {
      if (!wanted(e.name)) continue;
      Json keyed = Json::object();
      for (const auto& [key, value] : e.values) {
        keyed[key] = ValueJson(value);
        rows.push_back({s.store, e.name, key, ValueText(value)});
      }
      list.push_back({{"store", s.store}, {"name", e.name}, {"values", keyed}});
    }
  }
  if (options.json) {
    out << list.dump(2) << "\n";
  } else {
    PrintTable(out, {"STORE", "SCALAR", "KEY", "VALUE"}, rows, options.width);
  }
  return 0;
}

int RunEvents(const DataOptions& options, std::ostream& out, std::ostream& err) {
  std::unique_ptr<Reader> db = OpenOrSay(options, err);
  if (!db) return 1;
  Result<std::vector<StoredStore>> stores = db->Stores();
  if (!stores.ok()) return Failed(stores.status(), err);
  std::vector<std::pair<std::string, const EventEntry*>> events;
  for (const StoredStore& s : *stores) {
    if (!options.store.empty() && s.store != options.store) continue;
    for (const EventEntry& e : s.contents.events) {
      if (options.category.empty() || e.category == options.category)
        events.push_back({s.store, &e});
    }
  }
  std::stable_sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return a.second->timestamp_ms < b.second->timestamp_ms;
  });
  if (options.limit > 0 && events.size() > static_cast<size_t>(options.limit)) {
    events.erase(events.begin(), events.end() - options.limit);
  }
  Json list = Json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& [store, e] : events) {
    Json extras = Json::object();
    std::string extras_text;
    for (const auto& [key, value] : e->extras) {
      extras[key] = value;
      extras_text += (extras_text.empty() ? "" : " ") + key + "=" + value;
    }
    list.push_back({{"store", store},
                    {"timestamp_ms", e->timestamp_ms},
                    {"category", e->category},
                    {"method", e->method},
                    {"object", e->object},
                    {"value", e->value ? Json(*e->value) : Json(nullptr)},
                    {"extras", extras}});
    rows.push_back({store, Time(e->timestamp_ms), e->category, e->method, e->object,
                    e->value.value_or(""), extras_text});
  }
  if (options.json) {
    out << list.dump(2) << "\n";
  } else {
    PrintTable(out, {"STORE", "TIME", "CATEGORY", "METHOD", "OBJECT", "VALUE", "EXTRAS"}, rows,
               options.width);
  }
  return 0;
}

int RunPings(const DataOptions& options, const std::string& which, std::ostream& out,
             std::ostream& err) {
  std::unique_ptr<Reader> db = OpenOrSay(options, err);
  if (!db) return 1;
  Json list = Json::array();
  std::vector<std::vector<std::string>> rows;
  if (which == "pending") {
    Result<std::vector<PendingPing>> pings = db->PendingPings();
    if (!pings.ok()) return Failed(pings.status(), err);
    std::reverse(pings->begin(), pings->end());  // Newest first.
    for (const PendingPing& p : *pings) {
      if (!options.type.empty() && p.ping_type != options.type) continue;
      list.push_back({{"document_id", p.document_id},
                      {"type", p.ping_type},
                      {"store", p.store},
                      {"created_ms", p.created_ms},
                      {"bytes", p.body.size()},
                      {"attempts", p.attempts},
                      {"next_attempt_ms", p.next_attempt_ms}});
      rows.push_back({p.document_id, p.ping_type, Time(p.created_ms), std::to_string(p.body.size()),
                      std::to_string(p.attempts), p.attempts > 0 ? Time(p.next_attempt_ms) : "-"});
    }
    if (!options.json) {
      PrintTable(out, {"ID", "TYPE", "CREATED", "BYTES", "ATTEMPTS", "NEXT RETRY"}, rows,
                 options.width);
    }
  } else {
    Result<std::vector<ArchivedPing>> pings = db->ArchivedPings();
    if (!pings.ok()) return Failed(pings.status(), err);
    for (const ArchivedPing& p : *pings) {
      if (!options.type.empty() && p.ping_type != options.type) continue;
      list.push_back({{"document_id", p.document_id},
                      {"type", p.ping_type},
                      {"created_ms", p.created_ms},
                      {"sent_ms", p.sent_ms},
                      {"bytes", p.body.size()}});
      rows.push_back({p.document_id, p.ping_type, Time(p.created_ms), Time(p.sent_ms),
                      std::to_string(p.body.size())});
    }
    if (!options.json) {
      PrintTable(out, {"ID", "TYPE", "CREATED", "SENT", "BYTES"}, rows, options.width);
    }
  }
  if (options.json) out << list.dump(2) << "\n";
  return 0;
}

int RunPingShow(const DataOptions& options, const std::string& id, std::ostream& out,
                std::ostream& err) {
  std::unique_ptr<Reader> db = OpenOrSay(options, err);
  if (!db) return 1;
  std::optional<std::string> body;
  Result<std::vector<PendingPing>> pending = db->PendingPings();
  if (!pending.ok()) return Failed(pending.status(), err);
  for (const PendingPing& p : *pending) {
    if (p.document_id == id) body = p.body;
  }
  if (!body) {
    Result<std::vector<ArchivedPing>> archived = db->ArchivedPings();
    if (!archived.ok()) return Failed(archived.status(), err);
    for (const ArchivedPing& p : *archived) {
      if (p.document_id == id) body = p.body;
    }
  }
  if (!body) {
    err << "telemetry-inspect: no pending or archived ping has the id " << id << "\n";
    return 1;
  }
  if (options.raw) {
    out << *body;
    return 0;
  }
  Result<ping::Ping> decoded = wire::DecodePing(*body, 8 << 20);
  if (!decoded.ok()) {
    err << "telemetry-inspect: ping " << id << " cannot be decoded: " << decoded.status().message()
        << " (use --raw for its bytes)\n";
    return 1;
  }
  out << wire::ToJson(*decoded) << "\n";
  return 0;
}

}  // namespace telemetry::inspect
