// The recording engine behind a Telemetry instance: per-probe slots, per-store values, event
// buffers, run-time registration and snapshots. See telemetry.h for the contract; this file
// says how it is kept.
//
// Memory model.
// - Slots for every scalar and event id are allocated when the recorder opens, with room for
//   max_dynamic_scalars run-time probes, and never move. A slot is filled before the registry
//   that names it is published (release store of registry_), so recording through an id from
//   the published registry always finds its slot ready.
// - uint scalars: each thread adds into its own stripe (one atomic add per Add, whatever the
//   number of stores). A probe's value in a store is (Set value, if any) + (sum of stripes -
//   the store's base), computed under the probe's mutex at Set/SetMaximum/snapshot time; a
//   snapshot-and-clear moves the store's base to the sum it read, so every Add lands in exactly
//   one snapshot of each store.
// - booleans: one atomic byte per store (present, value); snapshot-and-clear exchanges it.
// - strings and keyed scalars: per-probe mutex. Events: per-store mutex and buffer.
// - Registries and name indexes replaced by registration are retained until the recorder is
//   destroyed, so lock-free readers never see them freed.
#ifndef TELEMETRY_SRC_RECORDER_H_
#define TELEMETRY_SRC_RECORDER_H_

#include <array>
#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "telemetry/base/status.h"
#include "telemetry/snapshot.h"
#include "telemetry/telemetry.h"

namespace telemetry::internal {

inline constexpr size_t kStripes = 8;
inline constexpr size_t kMaxStores = 64;
inline constexpr size_t kMaxStoresPerProbe = 16;
inline constexpr size_t kMaxKeysPerScalar = 100;
inline constexpr size_t kMaxKeyLength = 72;
inline constexpr size_t kMaxStringChars = 50;
inline constexpr size_t kMaxEventValueBytes = 80;

// The recorder's own health counters: `telemetry.recorder.<name>` uint probes.
enum class Health : uint8_t {
  kRejectedKeys,
  kTruncatedValues,
  kUnknownProbes,
  kTypeMismatches,
  kUintOverflows,
  kExpiredProbes,
  kPreinitOverflows,
  kDroppedEvents,
  kStorageErrors,
  kCorruptDatabases,
  kDiscardedPings,
  kCount,
};
std::string_view HealthProbeName(Health health);  // "rejected_keys", ...

using ExtraIds = std::span<const std::pair<uint32_t, std::string_view>>;

class Recorder {
 public:
  static Result<std::unique_ptr<Recorder>> Create(TelemetryConfig config);
  ~Recorder();

  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Scalars by id (an index into the registry's scalars()).
  void Add(uint32_t id, uint32_t amount);
  void Set(uint32_t id, uint32_t value);
  void SetMaximum(uint32_t id, uint32_t value);
  void SetString(uint32_t id, std::string_view value);
  void SetBool(uint32_t id, bool value);
  void KeyedAdd(uint32_t id, std::string_view key, uint32_t amount);
  void KeyedSet(uint32_t id, std::string_view key, uint32_t value);
  void KeyedSetMaximum(uint32_t id, std::string_view key, uint32_t value);
  void KeyedSetString(uint32_t id, std::string_view key, std::string_view value);
  void KeyedSetBool(uint32_t id, std::string_view key, bool value);

  // An event by id; method, object and extra keys index the EventInfo's lists. Without a
  // timestamp, the clock's time is used.
  void RecordEvent(uint32_t id, uint32_t method, uint32_t object,
                   std::optional<std::string_view> value, ExtraIds extras,
                   std::optional<int64_t> timestamp_ms = std::nullopt);

  // By name: look-ups for the by-name API. Lock-free.
  std::optional<uint32_t> FindScalar(std::string_view name) const;
  struct EventRef {
    uint32_t id, method, object;
  };
  std::optional<EventRef> FindEvent(std::string_view category, std::string_view method,
                                    std::string_view object) const;
  const ScalarInfo* ScalarAt(uint32_t id) const;  // Null for an unknown id.
  const EventInfo* EventAt(uint32_t id) const;

  Status Register(std::string_view yaml, bool events);

  void SetRecordingEnabled(bool enabled) { recording_.store(enabled, std::memory_order_relaxed); }
  void SetExtendedCollection(bool enabled) { extended_.store(enabled, std::memory_order_relaxed); }
  void SetEventCategoryEnabled(std::string_view category, bool enabled);

  Result<StoreSnapshot> Snapshot(std::string_view store, bool clear);
  // For checkpoints: the store's contents without clearing, events from the `first_event`th
  // in recording order (not sorted); works after Shutdown. *event_count receives the number
  // of events the store holds.
  Result<StoreSnapshot> CheckpointSnapshot(std::string_view store, size_t first_event,
                                           size_t* event_count);
  // Puts `contents` (read back from disk) into `store` only: scalar values replace what the
  // store holds, events are appended with their timestamps. Probes or keys the registry does
  // not know are dropped and counted.
  void Restore(std::string_view store, const StoreSnapshot& contents);
  std::vector<std::string> Stores() const;
  std::shared_ptr<const Registry> registry() const;

  void Count(Health health, uint32_t n = 1);
  void Shutdown() { shut_down_.store(true, std::memory_order_release); }
  bool is_shut_down() const { return shut_down_.load(std::memory_order_acquire); }
  const Clock& clock() const { return *clock_; }
  const TelemetryConfig& config() const { return config_; }

 private:
  struct KeyedEntry {
    std::string key;
    uint32_t uint_value = 0;
    bool bool_value = false;
    std::string string_value;
  };
  struct UintStore {
    uint64_t base = 0;       // Sum of stripes already accounted for in this store.
    uint32_t set_value = 0;  // The last Set/SetMaximum, when set_present.
    bool set_present = false;
  };
  struct ScalarSlot {
    // Written once before publication; read-only afterwards.
    const ScalarInfo* info = nullptr;
    ScalarKind kind = ScalarKind::kUint;
    bool keyed = false;
    bool opt_in = false;
    bool expired = false;
    uint8_t store_count = 0;
    std::array<uint8_t, kMaxStoresPerProbe> stores{};  // Store indexes.
    std::atomic<bool> expired_counted{false};
    std::array<std::atomic<uint8_t>, kMaxStoresPerProbe> bools{};  // bit 0: set, bit 1: value

    std::mutex mu;  // Guards the per-store values below.
    std::vector<UintStore> uints;
    std::vector<std::optional<std::string>> strings;
    std::vector<std::vector<KeyedEntry>> keyed_values;
  };
  struct EventSlot {
    const EventInfo* info = nullptr;
    bool opt_in = false;
    bool expired = false;
    uint8_t store_count = 0;
    std::array<uint8_t, kMaxStoresPerProbe> stores{};
    std::atomic<bool>* category_enabled = nullptr;
    std::atomic<bool> expired_counted{false};
  };
  struct PackedEvent {
    int64_t timestamp_ms;
    uint32_t id;
    uint32_t method;
    uint32_t object;
    uint32_t value_offset;  // kNoValue: no value.
    uint32_t value_length;
    uint32_t extras_begin;
    uint32_t extras_count;
  };
  struct PackedExtra {
    uint32_t key;
    uint32_t offset;
    uint32_t length;
  };
  struct EventStore {
    std::mutex mu;
    std::vector<PackedEvent> events;
    std::vector<PackedExtra> extras;
    std::string arena;  // Values and extras, back to back.
  };
  // Name look-ups, replaced whole on registration.
  struct NameIndex {
    std::deque<std::string> owned;  // The keys below view these.
    std::unordered_map<std::string_view, uint32_t> scalars;
    std::unordered_map<std::string_view, EventRef> events;  // "category\0method\0object"
  };

  explicit Recorder(TelemetryConfig config);
  Result<StoreSnapshot> SnapshotLocked(uint8_t store, bool clear, size_t first_event,
                                       size_t* event_count, uint32_t* overflows);
  // Appends one event to one store's buffer (under its lock); false when the store is full.
  bool AppendEvent(EventStore& store, int64_t timestamp, uint32_t id, uint32_t method,
                   uint32_t object, std::optional<std::string_view> value,
                   std::span<const std::pair<uint32_t, std::string_view>> extras);
  Status Publish(std::shared_ptr<const Registry> registry);  // Under registry_mu_.
  std::optional<uint8_t> StoreIndex(const std::string& store, bool create);

  bool Recording(bool opt_in) const {
    return !shut_down_.load(std::memory_order_relaxed) &&
           recording_.load(std::memory_order_relaxed) &&
           (!opt_in || extended_.load(std::memory_order_relaxed));
  }
  // The slot of a recordable scalar of this kind and keyedness, or null (counted).
  ScalarSlot* WritableScalar(uint32_t id, ScalarKind kind, bool keyed);
  uint64_t StripeSum(uint32_t id) const;
  // Checks a key against the probe's rules; false (counted) when rejected.
  bool AcceptKey(const ScalarSlot& slot, std::string_view key);
  // The entry for `key` in one store, created if there is room (else null, counted).
  KeyedEntry* KeyedEntryFor(ScalarSlot& slot, size_t position, std::string_view key);
  template <typename Update>
  void UpdateKeyed(uint32_t id, ScalarKind kind, std::string_view key, Update update);
  std::string_view TruncateString(std::string_view value);

  TelemetryConfig config_;
  std::shared_ptr<const Clock> clock_;
  std::atomic<bool> shut_down_{false};
  std::atomic<bool> recording_;
  std::atomic<bool> extended_;

  const size_t scalar_capacity_;
  const size_t event_capacity_;
  std::unique_ptr<ScalarSlot[]> scalars_;
  std::unique_ptr<EventSlot[]> events_;
  std::array<std::unique_ptr<std::atomic<uint64_t>[]>, kStripes> stripes_;
  std::atomic<uint32_t> scalar_count_{0};
  std::atomic<uint32_t> event_count_{0};
  std::array<uint32_t, static_cast<size_t>(Health::kCount)> health_ids_{};

  std::atomic<const Registry*> registry_{nullptr};
  std::atomic<const NameIndex*> names_{nullptr};

  // Registration and snapshots.
  mutable std::mutex registry_mu_;
  std::vector<std::shared_ptr<const Registry>> registries_;  // Every one published.
  std::vector<std::unique_ptr<NameIndex>> name_indexes_;     // Every one published.
  std::vector<std::string> store_names_;                     // By store index.
  // Per store: (scalar id, position in its store list), and the event buffer.
  std::array<std::vector<std::pair<uint32_t, uint8_t>>, kMaxStores> store_scalars_;
  std::unique_ptr<EventStore[]> event_stores_;
  std::deque<std::atomic<bool>> category_flags_;
  std::unordered_map<std::string, std::atomic<bool>*> categories_;
};

// The engine behind a public Telemetry, for the library's own plumbing (the default instance).
struct RecorderAccess {
  static Recorder& Of(Telemetry& telemetry) { return *telemetry.recorder_; }
};

}  // namespace telemetry::internal

#endif  // TELEMETRY_SRC_RECORDER_H_
