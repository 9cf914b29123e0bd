// The public Telemetry class: typed calls go straight to the recorder; by-name calls are
// looked up and checked here first.
#include "telemetry/telemetry.h"

#include "recorder.h"
#include "storage/persistence.h"
#include "telemetry/base/uuid.h"

namespace telemetry {

using internal::Health;

namespace {

Status ShutDown() { return Status::FailedPrecondition("telemetry is shut down"); }

// The uint a by-name call may record, or an error (counted).
Result<uint32_t> CheckedUint(internal::Recorder& recorder, int64_t amount) {
  if (amount < 0) {
    recorder.Count(Health::kTypeMismatches);
    return Status::InvalidArgument("a uint scalar cannot take the negative value " +
                                   std::to_string(amount));
  }
  if (amount > UINT32_MAX) {
    recorder.Count(Health::kUintOverflows);
    return static_cast<uint32_t>(UINT32_MAX);
  }
  return static_cast<uint32_t>(amount);
}

}  // namespace

Telemetry::Telemetry(std::unique_ptr<internal::Recorder> recorder,
                     std::unique_ptr<internal::Persistence> persistence)
    : recorder_(std::move(recorder)),
      persistence_(std::move(persistence)),
      client_id_(persistence_ ? persistence_->client().client_id : NewUuid()) {
  if (persistence_) {
    ping_storage_.reset(new PingStorage(recorder_.get(), persistence_.get()));
  }
}

Telemetry::~Telemetry() {
  Shutdown();
  persistence_.reset();  // Before the recorder it checkpoints.
}

Result<std::unique_ptr<Telemetry>> Telemetry::Open(TelemetryConfig config) {
  const TelemetryConfig copy = config;
  Result<std::unique_ptr<internal::Recorder>> recorder =
      internal::Recorder::Create(std::move(config));
  if (!recorder.ok()) return recorder.status();
  std::unique_ptr<internal::Persistence> persistence;
  if (!copy.data_dir.empty()) {
    Result<std::unique_ptr<internal::Persistence>> opened =
        internal::Persistence::Open(copy, recorder->get());
    if (!opened.ok()) return opened.status();
    persistence = std::move(opened).value();
  }
  return std::unique_ptr<Telemetry>(
      new Telemetry(std::move(recorder).value(), std::move(persistence)));
}

void Telemetry::Add(UintScalar probe, uint32_t amount) { recorder_->Add(probe.id(), amount); }
void Telemetry::Set(UintScalar probe, uint32_t value) { recorder_->Set(probe.id(), value); }
void Telemetry::SetMaximum(UintScalar probe, uint32_t value) {
  recorder_->SetMaximum(probe.id(), value);
}
void Telemetry::Set(StringScalar probe, std::string_view value) {
  recorder_->SetString(probe.id(), value);
}
void Telemetry::Set(BooleanScalar probe, bool value) { recorder_->SetBool(probe.id(), value); }
void Telemetry::Add(KeyedUintScalar probe, std::string_view key, uint32_t amount) {
  recorder_->KeyedAdd(probe.id(), key, amount);
}
void Telemetry::Set(KeyedUintScalar probe, std::string_view key, uint32_t value) {
  recorder_->KeyedSet(probe.id(), key, value);
}
void Telemetry::SetMaximum(KeyedUintScalar probe, std::string_view key, uint32_t value) {
  recorder_->KeyedSetMaximum(probe.id(), key, value);
}
void Telemetry::Set(KeyedStringScalar probe, std::string_view key, std::string_view value) {
  recorder_->KeyedSetString(probe.id(), key, value);
}
void Telemetry::Set(KeyedBooleanScalar probe, std::string_view key, bool value) {
  recorder_->KeyedSetBool(probe.id(), key, value);
}

void Telemetry::RecordEventById(uint32_t id, uint32_t method, uint32_t object,
                                std::optional<std::string_view> value,
                                std::span<const std::pair<uint32_t, std::string_view>> extras) {
  recorder_->RecordEvent(id, method, object, value, extras);
}

// By name. Each resolves the probe, checks kind and value, then takes the typed path.
namespace {

Result<const ScalarInfo*> Resolve(internal::Recorder& recorder, std::string_view name, bool keyed,
                                  uint32_t* id) {
  if (recorder.is_shut_down()) return ShutDown();
  std::optional<uint32_t> found = recorder.FindScalar(name);
  if (!found) {
    recorder.Count(Health::kUnknownProbes);
    return Status::NotFound("no scalar named '" + std::string(name) + "'");
  }
  *id = *found;
  const ScalarInfo* info = recorder.ScalarAt(*found);
  if (info->keyed != keyed) {
    recorder.Count(Health::kTypeMismatches);
    return Status::InvalidArgument(std::string(name) +
                                   (keyed ? " is not keyed" : " is keyed: pass a key"));
  }
  return info;
}

Status KindMismatch(internal::Recorder& recorder, const ScalarInfo& info, std::string_view given) {
  recorder.Count(Health::kTypeMismatches);
  return Status::InvalidArgument(info.FullName() + " is a " +
                                 std::string(ScalarKindName(info.kind)) + " scalar, not " +
                                 std::string(given));
}

std::string_view KindOf(const ScalarValue& value) {
  return std::holds_alternative<uint32_t>(value) ? "uint"
         : std::holds_alternative<bool>(value)   ? "boolean"
                                                 : "string";
}

}  // namespace

Status Telemetry::ScalarAdd(std::string_view name, int64_t amount) {
  uint32_t id = 0;
  Result<const ScalarInfo*> info = Resolve(*recorder_, name, false, &id);
  if (!info.ok()) return info.status();
  if ((*info)->kind != ScalarKind::kUint) return KindMismatch(*recorder_, **info, "uint");
  Result<uint32_t> checked = CheckedUint(*recorder_, amount);
  if (!checked.ok()) return checked.status();
  recorder_->Add(id, *checked);
  return Status::Ok();
}

Status Telemetry::ScalarSetMaximum(std::string_view name, int64_t value) {
  uint32_t id = 0;
  Result<const ScalarInfo*> info = Resolve(*recorder_, name, false, &id);
  if (!info.ok()) return info.status();
  if ((*info)->kind != ScalarKind::kUint) return KindMismatch(*recorder_, **info, "uint");
  Result<uint32_t> checked = CheckedUint(*recorder_, value);
  if (!checked.ok()) return checked.status();
  recorder_->SetMaximum(id, *checked);
  return Status::Ok();
}

Status Telemetry::ScalarSet(std::string_view name, const ScalarValue& value) {
  uint32_t id = 0;
  Result<const ScalarInfo*> info = Resolve(*recorder_, name, false, &id);
  if (!info.ok()) return info.status();
  const ScalarKind kind = (*info)->kind;
  if (kind == ScalarKind::kUint && std::holds_alternative<uint32_t>(value)) {
    recorder_->Set(id, std::get<uint32_t>(value));
  } else if (kind == ScalarKind::kBoolean && std::holds_alternative<bool>(value)) {
    recorder_->SetBool(id, std::get<bool>(value));
  } else if (kind == ScalarKind::kString && std::holds_alternative<std::string>(value)) {
    recorder_->SetString(id, std::get<std::string>(value));
  } else {
    return KindMismatch(*recorder_, **info, KindOf(value));
  }
  return Status::Ok();
}

Status Telemetry::KeyedScalarAdd(std::string_view name, std::string_view key, int64_t amount) {
  uint32_t id = 0;
  Result<const ScalarInfo*> info = Resolve(*recorder_, name, true, &id);
  if (!info.ok()) return info.status();
  if ((*info)->kind != ScalarKind::kUint) return KindMismatch(*recorder_, **info, "uint");
  Result<uint32_t> checked = CheckedUint(*recorder_, amount);
  if (!checked.ok()) return checked.status();
  recorder_->KeyedAdd(id, key, *checked);
  return Status::Ok();
}

Status Telemetry::KeyedScalarSetMaximum(std::string_view name, std::string_view key,
                                        int64_t value) {
  uint32_t id = 0;
  Result<const ScalarInfo*> info = Resolve(*recorder_, name, true, &id);
  if (!info.ok()) return info.status();
  if ((*info)->kind != ScalarKind::kUint) return KindMismatch(*recorder_, **info, "uint");
  Result<uint32_t> checked = CheckedUint(*recorder_, value);
  if (!checked.ok()) return checked.status();
  recorder_->KeyedSetMaximum(id, key, *checked);
  return Status::Ok();
}

Status Telemetry::KeyedScalarSet(std::string_view name, std::string_view key,
                                 const ScalarValue& value) {
  uint32_t id = 0;
  Result<const ScalarInfo*> info = Resolve(*recorder_, name, true, &id);
  if (!info.ok()) return info.status();
  const ScalarKind kind = (*info)->kind;
  if (kind == ScalarKind::kUint && std::holds_alternative<uint32_t>(value)) {
    recorder_->KeyedSet(id, key, std::get<uint32_t>(value));
  } else if (kind == ScalarKind::kBoolean && std::holds_alternative<bool>(value)) {
    recorder_->KeyedSetBool(id, key, std::get<bool>(value));
  } else if (kind == ScalarKind::kString && std::holds_alternative<std::string>(value)) {
    recorder_->KeyedSetString(id, key, std::get<std::string>(value));
  } else {
    return KindMismatch(*recorder_, **info, KindOf(value));
  }
  return Status::Ok();
}

Status Telemetry::RecordEvent(std::string_view category, std::string_view method,
                              std::string_view object, std::optional<std::string_view> value,
                              std::span<const EventExtra> extras) {
  if (recorder_->is_shut_down()) return ShutDown();
  std::optional<internal::Recorder::EventRef> event =
      recorder_->FindEvent(category, method, object);
  if (!event) {
    recorder_->Count(Health::kUnknownProbes);
    return Status::NotFound("no event " + std::string(category) + "#" + std::string(method) + "#" +
                            std::string(object));
  }
  const EventInfo& info = *recorder_->EventAt(event->id);
  if (extras.size() > kMaxEventExtras) {
    recorder_->Count(Health::kUnknownProbes);
    return Status::InvalidArgument("an event takes at most " + std::to_string(kMaxEventExtras) +
                                   " extras");
  }
  std::pair<uint32_t, std::string_view> ids[kMaxEventExtras];
  for (size_t i = 0; i < extras.size(); ++i) {
    uint32_t key = 0;
    while (key < info.extra_keys.size() && info.extra_keys[key].name != extras[i].first) ++key;
    if (key == info.extra_keys.size()) {
      recorder_->Count(Health::kUnknownProbes);
      return Status::NotFound(info.FullName() + " has no extra key '" +
                              std::string(extras[i].first) + "'");
    }
    ids[i] = {key, extras[i].second};
  }
  recorder_->RecordEvent(event->id, event->method, event->object, value,
                         std::span(ids, extras.size()));
  return Status::Ok();
}

Status Telemetry::RegisterScalars(std::string_view yaml) {
  return recorder_->Register(yaml, false);
}
Status Telemetry::RegisterEvents(std::string_view yaml) { return recorder_->Register(yaml, true); }

void Telemetry::SetRecordingEnabled(bool enabled) { recorder_->SetRecordingEnabled(enabled); }
void Telemetry::SetExtendedCollection(bool enabled) { recorder_->SetExtendedCollection(enabled); }
void Telemetry::SetEventCategoryEnabled(std::string_view category, bool enabled) {
  recorder_->SetEventCategoryEnabled(category, enabled);
}

Result<StoreSnapshot> Telemetry::Snapshot(std::string_view store, bool clear) {
  if (clear && persistence_ && !recorder_->is_shut_down()) {
    return persistence_->TakeSnapshot(store);
  }
  return recorder_->Snapshot(store, clear);
}

Status Telemetry::Checkpoint() {
  if (recorder_->is_shut_down()) return ShutDown();
  return persistence_ ? persistence_->Checkpoint() : Status::Ok();
}

const TelemetryConfig& Telemetry::config() const { return recorder_->config(); }
const Clock& Telemetry::clock() const { return recorder_->clock(); }

std::string Telemetry::client_id() const {
  std::lock_guard lock(client_id_mu_);
  return client_id_;
}

void Telemetry::ResetClientId() {
  std::string id = NewUuid();
  if (persistence_) (void)persistence_->SetClientId(id);
  std::lock_guard lock(client_id_mu_);
  client_id_ = std::move(id);
}
std::vector<std::string> Telemetry::Stores() const { return recorder_->Stores(); }
std::shared_ptr<const Registry> Telemetry::registry() const { return recorder_->registry(); }
void Telemetry::Shutdown() {
  recorder_->Shutdown();
  if (persistence_) persistence_->Shutdown();
}

}  // namespace telemetry
