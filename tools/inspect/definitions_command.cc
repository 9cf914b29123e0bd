#include "definitions_command.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "terminal.h"

namespace telemetry::inspect {
namespace {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string Join(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& value : values) out += (out.empty() ? "" : ",") + value;
  return out;
}

// The description on one line.
std::string OneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

struct Row {
  std::string name, kind;
  bool keyed;
  const ProbeCommon* probe;
  std::string expiry;
};

}  // namespace

int RunDefinitions(const Registry& registry, const DefinitionsOptions& options, std::ostream& out) {
  std::vector<Row> rows;
  for (const ScalarInfo& s : registry.scalars()) {
    rows.push_back({s.FullName(), std::string(ScalarKindName(s.kind)), s.keyed, &s, s.expires});
  }
  for (const EventInfo& e : registry.events()) {
    rows.push_back({e.FullName(), "event", false, &e, e.expiry_version});
  }
  const std::string search = Lower(options.search);
  std::erase_if(rows, [&](const Row& row) {
    return !search.empty() && Lower(row.name).find(search) == std::string::npos &&
           Lower(row.probe->description).find(search) == std::string::npos;
  });

  if (options.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const Row& row : rows) {
      list.push_back({{"name", row.name},
                      {"kind", row.kind},
                      {"keyed", row.keyed},
                      {"stores", row.probe->record_into_store},
                      {"expires", row.expiry},
                      {"collection", CollectionPolicyName(row.probe->collection)},
                      {"description", OneLine(row.probe->description)}});
    }
    out << list.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> table;
  for (const Row& row : rows) {
    table.push_back({row.name, row.kind, row.keyed ? "yes" : "no",
                     Join(row.probe->record_into_store), row.expiry,
                     std::string(CollectionPolicyName(row.probe->collection)),
                     OneLine(row.probe->description)});
  }
  PrintTable(out, {"NAME", "KIND", "KEYED", "STORES", "EXPIRES", "POLICY", "DESCRIPTION"}, table,
             options.width);
  out << rows.size() << (rows.size() == 1 ? " probe\n" : " probes\n");
  return 0;
}

}  // namespace telemetry::inspect
