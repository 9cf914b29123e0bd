// The recorder's set-up, run-time registration, name look-ups and snapshots.
#include "recorder.h"

#include <algorithm>
#include <cstring>

namespace telemetry::internal {
namespace {

constexpr uint32_t kNoValue = UINT32_MAX;

constexpr std::array<std::string_view, static_cast<size_t>(Health::kCount)> kHealthNames = {
    "rejected_keys",  "truncated_values",  "unknown_probes",    "type_mismatches",
    "uint_overflows", "expired_probes",    "preinit_overflows", "dropped_events",
    "storage_errors", "corrupt_databases", "discarded_pings"};

// "category\0method\0object" in `buffer`, or nothing if it cannot be a real event.
std::optional<std::string_view> EventKey(std::string_view category, std::string_view method,
                                         std::string_view object, char (&buffer)[128]) {
  size_t size = category.size() + method.size() + object.size() + 2;
  if (size > sizeof(buffer)) return std::nullopt;
  char* out = buffer;
  for (std::string_view part : {category, method, object}) {
    std::memcpy(out, part.data(), part.size());
    out += part.size();
    if (out - buffer < static_cast<ptrdiff_t>(size)) *out++ = '\0';
  }
  return std::string_view(buffer, size);
}

std::string Join(const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& d : diagnostics) out += (out.empty() ? "" : "\n") + d.ToString();
  return out;
}

}  // namespace

std::string_view HealthProbeName(Health health) {
  return kHealthNames[static_cast<size_t>(health)];
}

Recorder::Recorder(TelemetryConfig config)
    : config_(std::move(config)),
      clock_(config_.clock ? config_.clock : std::make_shared<SystemClock>()),
      recording_(config_.recording_enabled),
      extended_(config_.extended_collection),
      scalar_capacity_(config_.registry->scalars().size() + kHealthNames.size() +
                       config_.max_dynamic_scalars),
      event_capacity_(config_.registry->events().size() + config_.max_dynamic_scalars),
      scalars_(new ScalarSlot[scalar_capacity_]),
      events_(new EventSlot[event_capacity_]),
      event_stores_(new EventStore[kMaxStores]) {
  for (auto& stripe : stripes_) {
    // 8 spare counters keep the next stripe's first line apart from this one's last.
    stripe.reset(new std::atomic<uint64_t>[scalar_capacity_ + 8]());
  }
}

Recorder::~Recorder() = default;

Result<std::unique_ptr<Recorder>> Recorder::Create(TelemetryConfig config) {
  if (!config.registry) {
    return Status::InvalidArgument(
        "TelemetryConfig.registry is required: pass the generated CompiledRegistry()");
  }
  std::unique_ptr<Recorder> recorder(new Recorder(std::move(config)));
  std::lock_guard lock(recorder->registry_mu_);

  // The health counters: the registry's own `telemetry.recorder.*` probes, or built-in ones
  // recorded into every store.
  std::shared_ptr<const Registry> registry = recorder->config_.registry;
  std::vector<std::string> stores = registry->Stores();
  if (stores.empty()) stores = {"main"};
  RegistryBuilder builder(*registry);
  bool added = false;
  for (std::string_view health : kHealthNames) {
    std::string name = "telemetry.recorder." + std::string(health);
    if (std::optional<uint32_t> id = registry->FindScalar(name)) {
      const ScalarInfo& info = registry->scalars()[*id];
      if (info.kind != ScalarKind::kUint || info.keyed) {
        return Status::InvalidArgument(name + " must be an unkeyed uint scalar");
      }
      continue;
    }
    ScalarInfo info;
    info.category = "telemetry.recorder";
    info.name = std::string(health);
    info.description = "The recorder's health counter " + name + " (built in).";
    info.kind = ScalarKind::kUint;
    info.expires = "never";
    info.collection = CollectionPolicy::kOptOut;
    info.record_into_store = stores;
    info.location.file = "<built-in>";
    builder.AddScalar(std::move(info));
    added = true;
  }
  if (added) registry = builder.Build();
  if (!registry) return Status::Internal("cannot add the health probes");
  if (Status status = recorder->Publish(registry); !status.ok()) return status;
  for (size_t h = 0; h < kHealthNames.size(); ++h) {
    recorder->health_ids_[h] =
        *registry->FindScalar("telemetry.recorder." + std::string(kHealthNames[h]));
  }
  return recorder;
}

std::optional<uint8_t> Recorder::StoreIndex(const std::string& store, bool create) {
  auto it = std::find(store_names_.begin(), store_names_.end(), store);
  if (it != store_names_.end()) return static_cast<uint8_t>(it - store_names_.begin());
  if (!create || store_names_.size() >= kMaxStores) return std::nullopt;
  store_names_.push_back(store);
  return static_cast<uint8_t>(store_names_.size() - 1);
}

Status Recorder::Publish(std::shared_ptr<const Registry> registry) {
  const uint32_t old_scalars = scalar_count_.load(std::memory_order_relaxed);
  const uint32_t old_events = event_count_.load(std::memory_order_relaxed);
  const auto& scalars = registry->scalars();
  const auto& events = registry->events();
  if (scalars.size() > scalar_capacity_ || events.size() > event_capacity_) {
    return Status::FailedPrecondition(
        "no room for more run-time probes (TelemetryConfig.max_dynamic_scalars)");
  }
  // Check every limit before changing anything: a registration is all or nothing.
  std::vector<std::string> new_stores;
  auto check_stores = [&](const ProbeCommon& probe) -> Status {
    if (probe.record_into_store.size() > kMaxStoresPerProbe) {
      return Status::InvalidArgument(probe.FullName() + " names more than " +
                                     std::to_string(kMaxStoresPerProbe) + " stores");
    }
    for (const std::string& store : probe.record_into_store) {
      if (std::find(store_names_.begin(), store_names_.end(), store) == store_names_.end() &&
          std::find(new_stores.begin(), new_stores.end(), store) == new_stores.end()) {
        new_stores.push_back(store);
      }
    }
    return Status::Ok();
  };
  for (size_t id = old_scalars; id < scalars.size(); ++id) {
    if (Status s = check_stores(scalars[id]); !s.ok()) return s;
  }
  for (size_t id = old_events; id < events.size(); ++id) {
    if (Status s = check_stores(events[id]); !s.ok()) return s;
  }
  if (store_names_.size() + new_stores.size() > kMaxStores) {
    return Status::FailedPrecondition("more than " + std::to_string(kMaxStores) + " stores");
  }

  for (size_t id = old_scalars; id < scalars.size(); ++id) {
    ScalarSlot& slot = scalars_[id];
    const ScalarInfo& info = scalars[id];
    slot.info = &info;
    slot.kind = info.kind;
    slot.keyed = info.keyed;
    slot.opt_in = info.collection == CollectionPolicy::kOptIn;
    slot.expired = IsExpired(info.expires, config_.app_version);
    slot.store_count = static_cast<uint8_t>(info.record_into_store.size());
    for (size_t i = 0; i < info.record_into_store.size(); ++i) {
      uint8_t store = *StoreIndex(info.record_into_store[i], true);
      slot.stores[i] = store;
      store_scalars_[store].push_back({static_cast<uint32_t>(id), static_cast<uint8_t>(i)});
    }
    slot.uints.resize(slot.store_count);
    slot.strings.resize(slot.store_count);
    slot.keyed_values.resize(slot.store_count);
  }
  for (size_t id = old_events; id < events.size(); ++id) {
    EventSlot& slot = events_[id];
    const EventInfo& info = events[id];
    slot.info = &info;
    slot.opt_in = info.collection == CollectionPolicy::kOptIn;
    slot.expired = IsExpired(info.expiry_version, config_.app_version);
    slot.store_count = static_cast<uint8_t>(info.record_into_store.size());
    for (size_t i = 0; i < info.record_into_store.size(); ++i) {
      slot.stores[i] = *StoreIndex(info.record_into_store[i], true);
    }
    auto [it, inserted] = categories_.try_emplace(info.category, nullptr);
    if (inserted) it->second = &category_flags_.emplace_back(true);
    slot.category_enabled = it->second;
  }

  auto names = std::make_unique<NameIndex>();
  for (size_t id = 0; id < scalars.size(); ++id) {
    names->scalars.emplace(names->owned.emplace_back(scalars[id].FullName()),
                           static_cast<uint32_t>(id));
  }
  for (size_t id = 0; id < events.size(); ++id) {
    const EventInfo& info = events[id];
    for (size_t m = 0; m < info.methods.size(); ++m) {
      for (size_t o = 0; o < info.objects.size(); ++o) {
        std::string key = info.category + '\0' + info.methods[m] + '\0' + info.objects[o];
        names->events.emplace(names->owned.emplace_back(std::move(key)),
                              EventRef{static_cast<uint32_t>(id), static_cast<uint32_t>(m),
                                       static_cast<uint32_t>(o)});
      }
    }
  }
  registries_.push_back(registry);
  scalar_count_.store(static_cast<uint32_t>(scalars.size()), std::memory_order_release);
  event_count_.store(static_cast<uint32_t>(events.size()), std::memory_order_release);
  registry_.store(registry.get(), std::memory_order_release);
  names_.store(names.get(), std::memory_order_release);
  name_indexes_.push_back(std::move(names));
  return Status::Ok();
}

Status Recorder::Register(std::string_view yaml, bool events) {
  if (is_shut_down()) return Status::FailedPrecondition("telemetry is shut down");
  std::lock_guard lock(registry_mu_);
  RegistryBuilder builder(*registries_.back(), {.app_version = config_.app_version,
                                                .extra_products = config_.extra_products});
  if (events) {
    builder.AddEventsYaml(yaml, "<dynamic>");
  } else {
    builder.AddScalarsYaml(yaml, "<dynamic>");
  }
  std::shared_ptr<const Registry> registry = builder.Build();
  if (!registry) return Status::InvalidArgument(Join(builder.diagnostics()));
  return Publish(std::move(registry));
}

std::optional<uint32_t> Recorder::FindScalar(std::string_view name) const {
  const NameIndex* names = names_.load(std::memory_order_acquire);
  auto it = names->scalars.find(name);
  if (it == names->scalars.end()) return std::nullopt;
  return it->second;
}

std::optional<Recorder::EventRef> Recorder::FindEvent(std::string_view category,
                                                      std::string_view method,
                                                      std::string_view object) const {
  char buffer[128];
  std::optional<std::string_view> key = EventKey(category, method, object, buffer);
  if (!key) return std::nullopt;
  const NameIndex* names = names_.load(std::memory_order_acquire);
  auto it = names->events.find(*key);
  if (it == names->events.end()) return std::nullopt;
  return it->second;
}

const ScalarInfo* Recorder::ScalarAt(uint32_t id) const {
  return id < scalar_count_.load(std::memory_order_acquire) ? scalars_[id].info : nullptr;
}

const EventInfo* Recorder::EventAt(uint32_t id) const {
  return id < event_count_.load(std::memory_order_acquire) ? events_[id].info : nullptr;
}

void Recorder::SetEventCategoryEnabled(std::string_view category, bool enabled) {
  std::lock_guard lock(registry_mu_);
  auto it = categories_.find(std::string(category));
  if (it != categories_.end()) it->second->store(enabled, std::memory_order_relaxed);
}

std::vector<std::string> Recorder::Stores() const {
  std::lock_guard lock(registry_mu_);
  std::vector<std::string> stores = store_names_;
  std::sort(stores.begin(), stores.end());
  return stores;
}

std::shared_ptr<const Registry> Recorder::registry() const {
  std::lock_guard lock(registry_mu_);
  return registries_.back();
}

void Recorder::Count(Health health, uint32_t n) {
  Add(health_ids_[static_cast<size_t>(health)], n);
}

uint64_t Recorder::StripeSum(uint32_t id) const {
  uint64_t sum = 0;
  for (const auto& stripe : stripes_) sum += stripe[id].load(std::memory_order_relaxed);
  return sum;
}

Result<StoreSnapshot> Recorder::Snapshot(std::string_view store, bool clear) {
  if (is_shut_down()) return Status::FailedPrecondition("telemetry is shut down");
  uint32_t overflows = 0;
  Result<StoreSnapshot> snapshot = Status::Internal("unset");
  {
    std::lock_guard lock(registry_mu_);
    std::optional<uint8_t> index = StoreIndex(std::string(store), false);
    if (!index) return Status::NotFound("no probe records into store '" + std::string(store) + "'");
    size_t event_count = 0;
    snapshot = SnapshotLocked(*index, clear, 0, &event_count, &overflows);
  }
  if (!snapshot.ok()) return snapshot;
  std::stable_sort(
      snapshot->events.begin(), snapshot->events.end(),
      [](const EventEntry& a, const EventEntry& b) { return a.timestamp_ms < b.timestamp_ms; });
  if (overflows > 0) Count(Health::kUintOverflows, overflows);
  return snapshot;
}

Result<StoreSnapshot> Recorder::CheckpointSnapshot(std::string_view store, size_t first_event,
                                                   size_t* event_count) {
  std::lock_guard lock(registry_mu_);
  std::optional<uint8_t> index = StoreIndex(std::string(store), false);
  if (!index) return Status::NotFound("no probe records into store '" + std::string(store) + "'");
  uint32_t overflows = 0;
  return SnapshotLocked(*index, false, first_event, event_count, &overflows);
}

Result<StoreSnapshot> Recorder::SnapshotLocked(uint8_t index, bool clear, size_t first_event,
                                               size_t* event_count, uint32_t* overflows) {
  StoreSnapshot snapshot;
  snapshot.store = store_names_[index];
  for (auto [id, position] : store_scalars_[index]) {
    ScalarSlot& slot = scalars_[id];
    std::string name = slot.info->FullName();
    if (slot.keyed) {
      std::lock_guard probe_lock(slot.mu);
      std::vector<KeyedEntry>& entries = slot.keyed_values[position];
      if (entries.empty()) continue;
      KeyedScalarEntry keyed{std::move(name), {}};
      for (const KeyedEntry& entry : entries) {
        ScalarValue value = slot.kind == ScalarKind::kUint      ? ScalarValue(entry.uint_value)
                            : slot.kind == ScalarKind::kBoolean ? ScalarValue(entry.bool_value)
                                                                : ScalarValue(entry.string_value);
        keyed.values.emplace_back(entry.key, std::move(value));
      }
      std::sort(keyed.values.begin(), keyed.values.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      snapshot.keyed_scalars.push_back(std::move(keyed));
      if (clear) entries.clear();
      continue;
    }
    switch (slot.kind) {
      case ScalarKind::kUint: {
        std::lock_guard probe_lock(slot.mu);
        const uint64_t sum = StripeSum(id);
        UintStore& state = slot.uints[position];
        const uint64_t delta = sum - state.base;
        if (state.set_present || delta > 0) {
          uint64_t value = (state.set_present ? state.set_value : 0) + delta;
          if (value > UINT32_MAX) {
            value = UINT32_MAX;
            if (clear) ++*overflows;  // Counted once, when the saturated value is taken.
          }
          snapshot.scalars.push_back({std::move(name), static_cast<uint32_t>(value)});
        }
        if (clear) state = UintStore{sum, 0, false};
        break;
      }
      case ScalarKind::kBoolean: {
        std::atomic<uint8_t>& cell = slot.bools[position];
        uint8_t bits = clear ? cell.exchange(0, std::memory_order_acq_rel)
                             : cell.load(std::memory_order_acquire);
        if (bits & 1) snapshot.scalars.push_back({std::move(name), (bits & 2) != 0});
        break;
      }
      case ScalarKind::kString: {
        std::lock_guard probe_lock(slot.mu);
        std::optional<std::string>& value = slot.strings[position];
        if (!value) break;
        snapshot.scalars.push_back({std::move(name), clear ? std::move(*value) : *value});
        if (clear) value.reset();
        break;
      }
    }
  }

  EventStore& events = event_stores_[index];
  std::lock_guard events_lock(events.mu);
  *event_count = events.events.size();
  for (size_t i = first_event; i < events.events.size(); ++i) {
    const PackedEvent& packed = events.events[i];
    const EventInfo& info = *events_[packed.id].info;
    EventEntry entry{packed.timestamp_ms,         info.category, info.methods[packed.method],
                     info.objects[packed.object], std::nullopt,  {}};
    if (packed.value_offset != kNoValue) {
      entry.value = events.arena.substr(packed.value_offset, packed.value_length);
    }
    for (uint32_t e = packed.extras_begin; e < packed.extras_begin + packed.extras_count; ++e) {
      const PackedExtra& extra = events.extras[e];
      entry.extras.emplace_back(info.extra_keys[extra.key].name,
                                events.arena.substr(extra.offset, extra.length));
    }
    snapshot.events.push_back(std::move(entry));
  }
  if (clear) {
    events.events.clear();
    events.extras.clear();
    events.arena.clear();
  }
  auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  std::sort(snapshot.scalars.begin(), snapshot.scalars.end(), by_name);
  std::sort(snapshot.keyed_scalars.begin(), snapshot.keyed_scalars.end(), by_name);
  return snapshot;
}

void Recorder::Restore(std::string_view store, const StoreSnapshot& contents) {
  uint32_t unknown = 0;
  std::lock_guard lock(registry_mu_);
  std::optional<uint8_t> index = StoreIndex(std::string(store), false);
  if (!index) {
    Count(Health::kUnknownProbes,
          static_cast<uint32_t>(contents.scalars.size() + contents.keyed_scalars.size() +
                                contents.events.size()));
    return;
  }
  // The position of this store in a probe's store list, if the probe records into it.
  auto position_of = [&](uint32_t id) -> std::optional<size_t> {
    for (auto [scalar, position] : store_scalars_[*index]) {
      if (scalar == id) return position;
    }
    return std::nullopt;
  };
  auto find = [&](const std::string& name, bool keyed) -> ScalarSlot* {
    std::optional<uint32_t> id = FindScalar(name);
    if (!id || scalars_[*id].keyed != keyed || !position_of(*id)) return nullptr;
    return &scalars_[*id];
  };
  for (const ScalarEntry& entry : contents.scalars) {
    ScalarSlot* slot = find(entry.name, false);
    if (slot == nullptr) {
      ++unknown;
      continue;
    }
    const uint32_t id = static_cast<uint32_t>(slot - scalars_.get());
    const size_t position = *position_of(id);
    std::lock_guard probe_lock(slot->mu);
    if (slot->kind == ScalarKind::kUint && std::holds_alternative<uint32_t>(entry.value)) {
      slot->uints[position] = UintStore{StripeSum(id), std::get<uint32_t>(entry.value), true};
    } else if (slot->kind == ScalarKind::kBoolean && std::holds_alternative<bool>(entry.value)) {
      slot->bools[position].store(std::get<bool>(entry.value) ? 3 : 1, std::memory_order_release);
    } else if (slot->kind == ScalarKind::kString &&
               std::holds_alternative<std::string>(entry.value)) {
      slot->strings[position] = std::get<std::string>(entry.value);
    } else {
      ++unknown;
    }
  }
  for (const KeyedScalarEntry& entry : contents.keyed_scalars) {
    ScalarSlot* slot = find(entry.name, true);
    if (slot == nullptr) {
      ++unknown;
      continue;
    }
    const size_t position = *position_of(static_cast<uint32_t>(slot - scalars_.get()));
    std::lock_guard probe_lock(slot->mu);
    std::vector<KeyedEntry>& entries = slot->keyed_values[position];
    entries.clear();
    for (const auto& [key, value] : entry.values) {
      if (entries.size() >= kMaxKeysPerScalar) break;
      KeyedEntry restored{key};
      if (const uint32_t* u = std::get_if<uint32_t>(&value)) restored.uint_value = *u;
      if (const bool* b = std::get_if<bool>(&value)) restored.bool_value = *b;
      if (const std::string* t = std::get_if<std::string>(&value)) restored.string_value = *t;
      entries.push_back(std::move(restored));
    }
  }
  EventStore& events = event_stores_[*index];
  for (const EventEntry& entry : contents.events) {
    std::optional<EventRef> ref = FindEvent(entry.category, entry.method, entry.object);
    if (!ref) {
      ++unknown;
      continue;
    }
    const EventInfo& info = *events_[ref->id].info;
    std::pair<uint32_t, std::string_view> extras[kMaxEventExtras];
    size_t count = 0;
    for (const auto& [key, value] : entry.extras) {
      for (uint32_t k = 0; k < info.extra_keys.size() && count < kMaxEventExtras; ++k) {
        if (info.extra_keys[k].name == key) extras[count++] = {k, value};
      }
    }
    std::lock_guard events_lock(events.mu);
    AppendEvent(events, entry.timestamp_ms, ref->id, ref->method, ref->object, entry.value,
                std::span(extras, count));
  }
  if (unknown > 0) Count(Health::kUnknownProbes, unknown);
}

}  // namespace telemetry::internal
