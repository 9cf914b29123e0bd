#include "collector/ingest/json_input.h"

#include <utility>
#include <vector>

#include "collector/ingest/reasons.h"

namespace telemetry::collector {

Result<nlohmann::json> ParseJsonPing(std::string_view text) {
  // The parser itself is iterative, so depth is checked after parsing, without recursion.
  nlohmann::json document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return Refuse(Reason::kInvalidJson, "the body is not JSON");
  if (!document.is_object()) return Refuse(Reason::kInvalidJson, "the body is not a JSON object");
  std::vector<std::pair<const nlohmann::json*, int>> stack{{&document, 1}};
  while (!stack.empty()) {
    auto [value, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxJsonDepth) {
      return Refuse(Reason::kInvalidJson,
                    "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    if (value->is_object()) {
      for (auto it = value->begin(); it != value->end(); ++it) {
        if (it.key().size() > kMaxJsonKeyBytes) {
          return Refuse(Reason::kInvalidJson, "an object key is longer than " +
                                                  std::to_string(kMaxJsonKeyBytes) + " bytes");
        }
        if (it->is_structured()) stack.emplace_back(&*it, depth + 1);
      }
    } else if (value->is_array()) {
      for (const nlohmann::json& item : *value) {
        if (item.is_structured()) stack.emplace_back(&item, depth + 1);
      }
    }
  }
  return document;
}

}  // namespace telemetry::collector
