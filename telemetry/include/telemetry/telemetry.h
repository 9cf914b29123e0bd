// The recorder: scalars and events recorded into named stores.
//
//   telemetry::TelemetryConfig config;
//   config.app_name = "my-app";
//   config.data_dir = "/home/me/.my-app/telemetry";   // durable; empty: memory only
//   config.registry = my_app::probes::CompiledRegistry();  // generated from your YAML
//   auto telemetry = telemetry::Telemetry::Open(config);
//   if (!telemetry.ok()) return Report(telemetry.status());
//   (*telemetry)->Add(my_app::probes::browser_engagement::kTabOpenEventCount, 1);
//   (*telemetry)->Record(my_app::probes::account::kLoginEvent,
//                        my_app::probes::account::LoginEvent::Object::kAccount);
//   auto main = (*telemetry)->Snapshot("main", /*clear=*/false);  // what a ping would carry
//
// A Telemetry instance is opened from a TelemetryConfig whose registry holds the probes it may
// record (the generated CompiledRegistry() of the application's probe files, plus probes
// registered later at run time). Each recorded value lands in every store its probe names in
// `record_into_store`; each store keeps its own copy, and Snapshot(store, clear) takes one
// store's contents (and resets that store only) for a ping.
//
// Threading. Every method may be called from any thread at any time, also concurrently with
// Snapshot() and Shutdown(). Recording through a typed handle takes no global lock and does not
// allocate in the common case: uint Add is one atomic add on a per-thread stripe; boolean Set
// one atomic store per store; uint Set/SetMaximum, string, keyed and event recording take a
// per-probe or per-store lock. Exactly once: every Add, Set and event lands in exactly one
// snapshot of each store it is recorded into, whatever runs concurrently.
//
// Bad input is never an error return on the recording path: it is dropped or truncated and
// counted in the health probes `telemetry.recorder.*` (Firefox's limits: string values are cut
// to 50 characters, keys over 72 characters, keys outside a probe's allow-list and a 101st key
// are rejected, event values and extras are cut to 80 bytes on a code-point boundary; an
// unknown probe, method, object or extra key drops the call). Health counters are recorded
// into every store. By-name calls also return a Status saying what went wrong.
//
// uint values saturate at 2^32 - 1 (Firefox's range); a saturated value is counted in
// `telemetry.recorder.uint_overflows` once, when a snapshot-and-clear takes it (keyed uints:
// when the Add saturates).
//
// Lifecycle. After Shutdown() every call does nothing (Snapshot returns FailedPrecondition);
// shutting down twice is fine. Destroying a Telemetry shuts it down; no other call on that
// object may run concurrently with its destruction. The process-wide default instance is
// never destroyed, so its handles stay safe to call forever; calls made through typed handles
// before OpenDefault() are kept in a bounded pre-init buffer (1000 calls; the overflow is
// counted) and replayed when it opens.
#ifndef TELEMETRY_TELEMETRY_H_
#define TELEMETRY_TELEMETRY_H_

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telemetry/base/clock.h"
#include "telemetry/base/status.h"
#include "telemetry/ping_storage.h"
#include "telemetry/probe_handles.h"
#include "telemetry/registry.h"
#include "telemetry/snapshot.h"

namespace telemetry {

namespace internal {
class Recorder;
class Persistence;
struct RecorderAccess;
}  // namespace internal

struct TelemetryConfig {
  std::string app_name;
  std::string app_version;  // Probes expired for this version are not recorded.
  std::string channel;      // "release", "beta", "nightly", ...
  std::string build_id;
  // Where client state lives: <data_dir>/telemetry.db. Empty: memory only. With a data
  // directory, store contents are checkpointed every checkpoint_interval_ms of `clock` (0: only at
  // snapshot-and-clear, Checkpoint() and shutdown) and restored at open; a crash loses at most
  // one interval and never duplicates (docs/STORAGE.md).
  std::string data_dir;
  int64_t checkpoint_interval_ms = 5000;

  // The probes: the generated CompiledRegistry() whose handles the application uses.
  // Required. Handles index it, so use only handles generated from this registry.
  std::shared_ptr<const Registry> registry;

  // Collection policy: nothing is recorded while recording is off; opt-in probes
  // (`release_channel_collection: opt-in`, the default) only while extended collection is on.
  bool recording_enabled = true;
  bool extended_collection = false;

  // Product names run-time probes may name beside Firefox's (see RegistryOptions).
  std::vector<std::string> extra_products;

  size_t max_events_per_store = 10000;  // Further events are dropped and counted.
  size_t max_dynamic_scalars = 1024;    // Room for probes registered at run time.
  std::shared_ptr<const Clock> clock;   // Default: SystemClock.
};

// One extra of a by-name event: key and value.
using EventExtra = std::pair<std::string_view, std::string_view>;

class Telemetry {
 public:
  // Checks the config (a registry is required) and opens an instance.
  static Result<std::unique_ptr<Telemetry>> Open(TelemetryConfig config);
  ~Telemetry();

  Telemetry(const Telemetry&) = delete;
  Telemetry& operator=(const Telemetry&) = delete;

  // Typed recording. A handle from another registry is counted as an unknown probe.
  void Add(UintScalar probe, uint32_t amount);
  void Set(UintScalar probe, uint32_t value);
  void SetMaximum(UintScalar probe, uint32_t value);
  void Set(StringScalar probe, std::string_view value);
  void Set(BooleanScalar probe, bool value);
  void Add(KeyedUintScalar probe, std::string_view key, uint32_t amount);
  void Set(KeyedUintScalar probe, std::string_view key, uint32_t value);
  void SetMaximum(KeyedUintScalar probe, std::string_view key, uint32_t value);
  void Set(KeyedStringScalar probe, std::string_view key, std::string_view value);
  void Set(KeyedBooleanScalar probe, std::string_view key, bool value);

  template <typename Def>
  void Record(EventHandle<Def> event, typename Def::Method method, typename Def::Object object,
              std::optional<std::string_view> value = std::nullopt,
              std::initializer_list<typename EventHandle<Def>::ExtraValue> extras = {});
  // For events with a single method (the common case: the method is the event's name).
  template <typename Def>
  requires(Def::kMethodCount == 1) void Record(
      EventHandle<Def> event, typename Def::Object object,
      std::optional<std::string_view> value = std::nullopt,
      std::initializer_list<typename EventHandle<Def>::ExtraValue> extras = {}) {
    Record(event, typename Def::Method{}, object, value, extras);
  }

  // By-name recording, for probes registered at run time (or any probe). `amount` and values
  // are checked against the probe's kind; a negative uint is rejected. Each failure is also
  // counted in the health probes.
  Status ScalarAdd(std::string_view name, int64_t amount);
  Status ScalarSet(std::string_view name, const ScalarValue& value);
  Status ScalarSetMaximum(std::string_view name, int64_t value);
  Status KeyedScalarAdd(std::string_view name, std::string_view key, int64_t amount);
  Status KeyedScalarSet(std::string_view name, std::string_view key, const ScalarValue& value);
  Status KeyedScalarSetMaximum(std::string_view name, std::string_view key, int64_t value);
  Status RecordEvent(std::string_view category, std::string_view method, std::string_view object,
                     std::optional<std::string_view> value = std::nullopt,
                     std::span<const EventExtra> extras = {});

  // Registers probes from YAML text (Firefox's dynamic probes), checked by the same rules as
  // the files. All or nothing: on any error nothing is registered and the Status lists every
  // diagnostic. New stores are allowed.
  Status RegisterScalars(std::string_view yaml);
  Status RegisterEvents(std::string_view yaml);

  // Collection switches, effective immediately.
  void SetRecordingEnabled(bool enabled);
  void SetExtendedCollection(bool enabled);
  // Events of a disabled category are dropped (and counted). All categories start enabled.
  void SetEventCategoryEnabled(std::string_view category, bool enabled);

  // The contents of `store`; with `clear`, also resets that store (only). NotFound for a store
  // no probe names; FailedPrecondition after Shutdown().
  Result<StoreSnapshot> Snapshot(std::string_view store, bool clear);
  // Every store any probe names, sorted.
  std::vector<std::string> Stores() const;
  // The registry in force (the compiled-in one plus run-time registrations).
  std::shared_ptr<const Registry> registry() const;

  // Durable storage (with a data directory; otherwise this does nothing and returns Ok).
  // Writes every store's changes now. IoError when the disk failed (also counted).
  Status Checkpoint();
  // The pending-ping queue, ping state and archive of the data directory, for the pings
  // library (ping_storage.h); nullptr without a data directory. Owned by this instance.
  PingStorage* ping_storage() { return ping_storage_.get(); }
  // A UUIDv4 made on first run and kept in the data directory (per run without one).
  std::string client_id() const;
  // Replaces the client id (after consent is given again); kept in the data directory.
  void ResetClientId();

  // The configuration this instance was opened with, and the clock it reads.
  const TelemetryConfig& config() const;
  const Clock& clock() const;

  // Stops recording, then writes a last checkpoint; every later call does nothing.
  // Idempotent.
  void Shutdown();

 private:
  friend struct internal::RecorderAccess;  // The default instance's plumbing, in src/.
  Telemetry(std::unique_ptr<internal::Recorder> recorder,
            std::unique_ptr<internal::Persistence> persistence);
  void RecordEventById(uint32_t id, uint32_t method, uint32_t object,
                       std::optional<std::string_view> value,
                       std::span<const std::pair<uint32_t, std::string_view>> extras);

  std::unique_ptr<internal::Recorder> recorder_;
  std::unique_ptr<internal::Persistence> persistence_;  // Null without a data directory.
  std::unique_ptr<PingStorage> ping_storage_;           // Null without a data directory.
  mutable std::mutex client_id_mu_;
  std::string client_id_;
};

template <typename Def>
void Telemetry::Record(EventHandle<Def> event, typename Def::Method method,
                       typename Def::Object object, std::optional<std::string_view> value,
                       std::initializer_list<typename EventHandle<Def>::ExtraValue> extras) {
  std::pair<uint32_t, std::string_view> ids[kMaxEventExtras];
  RecordEventById(event.id(), EventHandle<Def>::Index(method), EventHandle<Def>::Index(object),
                  value, EventHandle<Def>::PackExtras(extras, ids));
}

// The process-wide default instance. OpenDefault fails if it is already open; after
// ShutdownDefault it may be opened again (a new instance; the old one stays allocated so late
// calls through old pointers stay safe).
Status OpenDefault(TelemetryConfig config);
// The open default instance, or nullptr. The pointer stays valid for the life of the process.
Telemetry* Default();
void ShutdownDefault();

}  // namespace telemetry

#endif  // TELEMETRY_TELEMETRY_H_
