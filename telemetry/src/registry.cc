#include "telemetry/registry.h"

#include <algorithm>

namespace telemetry {

std::optional<uint32_t> Registry::FindScalar(std::string_view full_name) const {
  auto it = scalar_index_.find(std::string(full_name));
  if (it == scalar_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> Registry::FindEvent(std::string_view category,
                                            std::string_view name) const {
  std::string key;
  key.reserve(category.size() + 1 + name.size());
  key.append(category).append(".").append(name);
  auto it = event_index_.find(key);
  if (it == event_index_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Registry::Stores() const {
  std::vector<std::string> stores;
  auto add = [&](const ProbeCommon& probe) {
    stores.insert(stores.end(), probe.record_into_store.begin(), probe.record_into_store.end());
  };
  for (const ScalarInfo& scalar : scalars_) add(scalar);
  for (const EventInfo& event : events_) add(event);
  std::sort(stores.begin(), stores.end());
  stores.erase(std::unique(stores.begin(), stores.end()), stores.end());
  return stores;
}

size_t Registry::EventPairCount() const {
  size_t pairs = 0;
  for (const EventInfo& event : events_) pairs += event.methods.size() * event.objects.size();
  return pairs;
}

}  // namespace telemetry
