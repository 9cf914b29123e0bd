// Recording events into every store they are declared for.
#include "recorder.h"
#include "utf8.h"

namespace telemetry::internal {
namespace {

constexpr uint32_t kNoValue = UINT32_MAX;

}  // namespace

void Recorder::RecordEvent(uint32_t id, uint32_t method, uint32_t object,
                           std::optional<std::string_view> value, ExtraIds extras,
                           std::optional<int64_t> timestamp_ms) {
  if (shut_down_.load(std::memory_order_relaxed)) return;
  if (id >= event_count_.load(std::memory_order_acquire)) {
    Count(Health::kUnknownProbes);
    return;
  }
  EventSlot& slot = events_[id];
  if (!Recording(slot.opt_in)) return;
  if (slot.expired) {
    if (!slot.expired_counted.exchange(true, std::memory_order_relaxed)) {
      Count(Health::kExpiredProbes);
    }
    return;
  }
  const EventInfo& info = *slot.info;
  if (method >= info.methods.size() || object >= info.objects.size()) {
    Count(Health::kUnknownProbes);
    return;
  }
  for (const auto& [key, unused] : extras) {
    if (key >= info.extra_keys.size()) {
      Count(Health::kUnknownProbes);
      return;
    }
  }
  if (!slot.category_enabled->load(std::memory_order_relaxed)) {
    Count(Health::kDroppedEvents);
    return;
  }
  const int64_t timestamp = timestamp_ms ? *timestamp_ms : clock_->NowMillis();

  // Cut the value and extras to 80 bytes; a repeated extra key keeps its last value.
  uint32_t truncated = 0;
  auto cut = [&truncated](std::string_view text) {
    std::string_view kept = TruncateUtf8Bytes(text, kMaxEventValueBytes);
    if (kept.size() != text.size()) ++truncated;
    return kept;
  };
  std::optional<std::string_view> kept_value;
  if (value) kept_value = cut(*value);
  std::pair<uint32_t, std::string_view> kept_extras[kMaxEventExtras];
  size_t extra_count = 0;
  for (size_t i = 0; i < extras.size(); ++i) {
    bool repeated_later = false;
    for (size_t j = i + 1; j < extras.size(); ++j)
      repeated_later |= extras[j].first == extras[i].first;
    if (!repeated_later && extra_count < kMaxEventExtras) {
      kept_extras[extra_count++] = {extras[i].first, cut(extras[i].second)};
    }
  }

  uint32_t dropped = 0;
  for (uint8_t i = 0; i < slot.store_count; ++i) {
    EventStore& store = event_stores_[slot.stores[i]];
    std::lock_guard lock(store.mu);
    if (!AppendEvent(store, timestamp, id, method, object, kept_value,
                     std::span(kept_extras, extra_count))) {
      ++dropped;
    }
  }
  if (truncated > 0) Count(Health::kTruncatedValues, truncated);
  if (dropped > 0) Count(Health::kDroppedEvents, dropped);
}

bool Recorder::AppendEvent(EventStore& store, int64_t timestamp, uint32_t id, uint32_t method,
                           uint32_t object, std::optional<std::string_view> value,
                           std::span<const std::pair<uint32_t, std::string_view>> extras) {
  if (store.events.size() >= config_.max_events_per_store) return false;
  PackedEvent packed{timestamp,
                     id,
                     method,
                     object,
                     kNoValue,
                     0,
                     static_cast<uint32_t>(store.extras.size()),
                     static_cast<uint32_t>(extras.size())};
  if (value) {
    packed.value_offset = static_cast<uint32_t>(store.arena.size());
    packed.value_length = static_cast<uint32_t>(value->size());
    store.arena.append(*value);
  }
  for (const auto& [key, text] : extras) {
    store.extras.push_back(
        {key, static_cast<uint32_t>(store.arena.size()), static_cast<uint32_t>(text.size())});
    store.arena.append(text);
  }
  store.events.push_back(packed);
  return true;
}

}  // namespace telemetry::internal
