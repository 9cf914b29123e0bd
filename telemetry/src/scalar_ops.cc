// Recording scalars: the hot paths.
#include <algorithm>

#include "recorder.h"
#include "utf8.h"

namespace telemetry::internal {
namespace {

std::atomic<uint32_t> g_next_stripe{0};

// This thread's stripe of the uint counters, fixed for the thread's life.
uint32_t ThreadStripe() {
  thread_local const uint32_t stripe =
      g_next_stripe.fetch_add(1, std::memory_order_relaxed) % kStripes;
  return stripe;
}

// `a + b`, saturated at 2^32 - 1; *overflowed tells whether it saturated.
uint32_t SaturatingAdd(uint64_t a, uint64_t b, bool* overflowed) {
  uint64_t sum = a + b;
  *overflowed = sum > UINT32_MAX;
  return static_cast<uint32_t>(std::min<uint64_t>(sum, UINT32_MAX));
}

}  // namespace

Recorder::ScalarSlot* Recorder::WritableScalar(uint32_t id, ScalarKind kind, bool keyed) {
  if (shut_down_.load(std::memory_order_relaxed)) return nullptr;
  if (id >= scalar_count_.load(std::memory_order_acquire)) {
    Count(Health::kUnknownProbes);
    return nullptr;
  }
  ScalarSlot& slot = scalars_[id];
  if (slot.kind != kind || slot.keyed != keyed) {
    Count(Health::kTypeMismatches);
    return nullptr;
  }
  if (!Recording(slot.opt_in)) return nullptr;
  if (slot.expired) {
    if (!slot.expired_counted.exchange(true, std::memory_order_relaxed)) {
      Count(Health::kExpiredProbes);
    }
    return nullptr;
  }
  return &slot;
}

void Recorder::Add(uint32_t id, uint32_t amount) {
  if (WritableScalar(id, ScalarKind::kUint, false) == nullptr) return;
  stripes_[ThreadStripe()][id].fetch_add(amount, std::memory_order_relaxed);
}

void Recorder::Set(uint32_t id, uint32_t value) {
  ScalarSlot* slot = WritableScalar(id, ScalarKind::kUint, false);
  if (slot == nullptr) return;
  std::lock_guard lock(slot->mu);
  const uint64_t sum = StripeSum(id);
  for (UintStore& store : slot->uints) store = UintStore{sum, value, true};
}

void Recorder::SetMaximum(uint32_t id, uint32_t value) {
  ScalarSlot* slot = WritableScalar(id, ScalarKind::kUint, false);
  if (slot == nullptr) return;
  std::lock_guard lock(slot->mu);
  const uint64_t sum = StripeSum(id);
  for (UintStore& store : slot->uints) {
    const uint64_t delta = sum - store.base;
    const bool present = store.set_present || delta > 0;
    bool overflowed = false;
    const uint32_t current =
        SaturatingAdd(store.set_present ? store.set_value : 0, delta, &overflowed);
    if (!present || value > current) store = UintStore{sum, value, true};
  }
}

void Recorder::SetBool(uint32_t id, bool value) {
  ScalarSlot* slot = WritableScalar(id, ScalarKind::kBoolean, false);
  if (slot == nullptr) return;
  const uint8_t bits = value ? 3 : 1;
  for (uint8_t i = 0; i < slot->store_count; ++i) {
    slot->bools[i].store(bits, std::memory_order_release);
  }
}

std::string_view Recorder::TruncateString(std::string_view value) {
  std::string_view kept = TruncateUtf8Chars(value, kMaxStringChars);
  if (kept.size() != value.size()) Count(Health::kTruncatedValues);
  return kept;
}

void Recorder::SetString(uint32_t id, std::string_view value) {
  ScalarSlot* slot = WritableScalar(id, ScalarKind::kString, false);
  if (slot == nullptr) return;
  value = TruncateString(value);
  std::lock_guard lock(slot->mu);
  for (std::optional<std::string>& store : slot->strings) {
    if (store) {
      store->assign(value);  // Keeps the capacity: no allocation once warm.
    } else {
      store.emplace(value);
    }
  }
}

bool Recorder::AcceptKey(const ScalarSlot& slot, std::string_view key) {
  bool ok = !key.empty() && CountUtf8Chars(key) <= kMaxKeyLength;
  const std::vector<std::string>& allowed = slot.info->keys;
  if (ok && !allowed.empty()) ok = std::find(allowed.begin(), allowed.end(), key) != allowed.end();
  if (!ok) Count(Health::kRejectedKeys);
  return ok;
}

Recorder::KeyedEntry* Recorder::KeyedEntryFor(ScalarSlot& slot, size_t position,
                                              std::string_view key) {
  std::vector<KeyedEntry>& entries = slot.keyed_values[position];
  for (KeyedEntry& entry : entries) {
    if (entry.key == key) return &entry;
  }
  if (entries.size() >= kMaxKeysPerScalar) return nullptr;
  return &entries.emplace_back(KeyedEntry{std::string(key)});
}

template <typename Update>
void Recorder::UpdateKeyed(uint32_t id, ScalarKind kind, std::string_view key, Update update) {
  ScalarSlot* slot = WritableScalar(id, kind, true);
  if (slot == nullptr || !AcceptKey(*slot, key)) return;
  bool rejected = false;
  bool overflowed = false;
  {
    std::lock_guard lock(slot->mu);
    for (size_t position = 0; position < slot->store_count; ++position) {
      KeyedEntry* entry = KeyedEntryFor(*slot, position, key);
      if (entry == nullptr) {
        rejected = true;  // The 101st key of this store.
        continue;
      }
      overflowed |= update(*entry);
    }
  }
  if (rejected) Count(Health::kRejectedKeys);
  if (overflowed) Count(Health::kUintOverflows);
}

void Recorder::KeyedAdd(uint32_t id, std::string_view key, uint32_t amount) {
  UpdateKeyed(id, ScalarKind::kUint, key, [amount](KeyedEntry& entry) {
    bool overflowed = false;
    entry.uint_value = SaturatingAdd(entry.uint_value, amount, &overflowed);
    return overflowed;
  });
}

void Recorder::KeyedSet(uint32_t id, std::string_view key, uint32_t value) {
  UpdateKeyed(id, ScalarKind::kUint, key, [value](KeyedEntry& entry) {
    entry.uint_value = value;
    return false;
  });
}

void Recorder::KeyedSetMaximum(uint32_t id, std::string_view key, uint32_t value) {
  UpdateKeyed(id, ScalarKind::kUint, key, [value](KeyedEntry& entry) {
    entry.uint_value = std::max(entry.uint_value, value);
    return false;
  });
}

void Recorder::KeyedSetString(uint32_t id, std::string_view key, std::string_view value) {
  const ScalarInfo* info = ScalarAt(id);
  if (info != nullptr && info->kind == ScalarKind::kString) value = TruncateString(value);
  UpdateKeyed(id, ScalarKind::kString, key, [value](KeyedEntry& entry) {
    entry.string_value.assign(value);
    return false;
  });
}

void Recorder::KeyedSetBool(uint32_t id, std::string_view key, bool value) {
  UpdateKeyed(id, ScalarKind::kBoolean, key, [value](KeyedEntry& entry) {
    entry.bool_value = value;
    return false;
  });
}

}  // namespace telemetry::internal
