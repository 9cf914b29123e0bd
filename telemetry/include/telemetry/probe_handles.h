// Typed probe handles, the types telemetry-codegen emits one constant of per compiled-in probe.
//
// A handle is a probe id with the probe's type attached: a trivially copyable constexpr value
// that costs nothing to pass around. Its id is the probe's index in the compiled-in registry
// (scalars() or events()), so no name lookup happens when recording through it. The type
// carries what the compiler can check: a uint handle has no string setter, a keyed handle
// needs a key, and an event handle only accepts its own methods, objects and extra keys (each
// an enum class generated per event). Handles are immutable and safe to use from any thread.
#ifndef TELEMETRY_PROBE_HANDLES_H_
#define TELEMETRY_PROBE_HANDLES_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include "telemetry/probe_info.h"

namespace telemetry {

// Firefox's limit on an event's extra keys.
inline constexpr size_t kMaxEventExtras = 10;

// The default instance's entry points, for the handles' own methods below (see telemetry.h:
// before OpenDefault() they go to the pre-init buffer; after ShutdownDefault() they do nothing).
namespace internal {
void DefaultAdd(uint32_t id, uint32_t amount);
void DefaultSet(uint32_t id, uint32_t value);
void DefaultSetMaximum(uint32_t id, uint32_t value);
void DefaultSetString(uint32_t id, std::string_view value);
void DefaultSetBool(uint32_t id, bool value);
void DefaultKeyedAdd(uint32_t id, std::string_view key, uint32_t amount);
void DefaultKeyedSet(uint32_t id, std::string_view key, uint32_t value);
void DefaultKeyedSetMaximum(uint32_t id, std::string_view key, uint32_t value);
void DefaultKeyedSetString(uint32_t id, std::string_view key, std::string_view value);
void DefaultKeyedSetBool(uint32_t id, std::string_view key, bool value);
void DefaultRecordEvent(uint32_t id, uint32_t method, uint32_t object,
                        std::optional<std::string_view> value,
                        std::span<const std::pair<uint32_t, std::string_view>> extras);
}  // namespace internal

// Scalar handles. The methods record into the process-wide default instance; to record into
// an explicit instance, pass the handle to its methods (Telemetry::Add(handle, 1)).
template <ScalarKind Kind, bool Keyed>
class ScalarHandle {
 public:
  static constexpr ScalarKind kKind = Kind;
  static constexpr bool kKeyed = Keyed;

  constexpr explicit ScalarHandle(uint32_t id) : id_(id) {}
  constexpr uint32_t id() const { return id_; }

  // uint
  void Add(uint32_t amount) const requires(Kind == ScalarKind::kUint && !Keyed) {
    internal::DefaultAdd(id_, amount);
  }
  void Set(uint32_t value) const requires(Kind == ScalarKind::kUint && !Keyed) {
    internal::DefaultSet(id_, value);
  }
  void SetMaximum(uint32_t value) const requires(Kind == ScalarKind::kUint && !Keyed) {
    internal::DefaultSetMaximum(id_, value);
  }
  // string
  void Set(std::string_view value) const requires(Kind == ScalarKind::kString && !Keyed) {
    internal::DefaultSetString(id_, value);
  }
  // boolean
  void Set(bool value) const requires(Kind == ScalarKind::kBoolean && !Keyed) {
    internal::DefaultSetBool(id_, value);
  }
  // keyed uint
  void Add(std::string_view key, uint32_t amount) const
      requires(Kind == ScalarKind::kUint && Keyed) {
    internal::DefaultKeyedAdd(id_, key, amount);
  }
  void Set(std::string_view key, uint32_t value) const
      requires(Kind == ScalarKind::kUint && Keyed) {
    internal::DefaultKeyedSet(id_, key, value);
  }
  void SetMaximum(std::string_view key, uint32_t value) const
      requires(Kind == ScalarKind::kUint && Keyed) {
    internal::DefaultKeyedSetMaximum(id_, key, value);
  }
  // keyed string
  void Set(std::string_view key, std::string_view value) const
      requires(Kind == ScalarKind::kString && Keyed) {
    internal::DefaultKeyedSetString(id_, key, value);
  }
  // keyed boolean
  void Set(std::string_view key, bool value) const requires(Kind == ScalarKind::kBoolean && Keyed) {
    internal::DefaultKeyedSetBool(id_, key, value);
  }

 private:
  uint32_t id_;
};

using UintScalar = ScalarHandle<ScalarKind::kUint, false>;
using StringScalar = ScalarHandle<ScalarKind::kString, false>;
using BooleanScalar = ScalarHandle<ScalarKind::kBoolean, false>;
using KeyedUintScalar = ScalarHandle<ScalarKind::kUint, true>;
using KeyedStringScalar = ScalarHandle<ScalarKind::kString, true>;
using KeyedBooleanScalar = ScalarHandle<ScalarKind::kBoolean, true>;

// `Def` is a generated struct:
//   struct Def {
//     static constexpr uint32_t kId;              // Index in the registry's events().
//     enum class Method : uint32_t { ... };       // Index in EventInfo::methods.
//     enum class Object : uint32_t { ... };       // Index in EventInfo::objects.
//     enum class Extra : uint32_t { ... };        // Index in EventInfo::extra_keys.
//     static constexpr uint32_t kMethodCount, kObjectCount, kExtraCount;
//   };
template <typename Def>
class EventHandle {
 public:
  using Method = typename Def::Method;
  using Object = typename Def::Object;
  using Extra = typename Def::Extra;

  // One extra of an event record: a key this event declares, and its value.
  struct ExtraValue {
    Extra key;
    std::string_view value;
  };

  static constexpr uint32_t kMethodCount = Def::kMethodCount;
  static constexpr uint32_t kObjectCount = Def::kObjectCount;
  static constexpr uint32_t kExtraCount = Def::kExtraCount;

  constexpr EventHandle() = default;
  constexpr uint32_t id() const { return Def::kId; }

  // Records into the default instance. `extras` may name each of this event's keys once.
  void Record(Method method, Object object, std::optional<std::string_view> value = std::nullopt,
              std::initializer_list<ExtraValue> extras = {}) const {
    std::pair<uint32_t, std::string_view> ids[kMaxEventExtras];
    internal::DefaultRecordEvent(Def::kId, Index(method), Index(object), value,
                                 PackExtras(extras, ids));
  }
  // For events with one method (the event's name).
  void Record(Object object, std::optional<std::string_view> value = std::nullopt,
              std::initializer_list<ExtraValue> extras = {}) const
      requires(Def::kMethodCount == 1) {
    Record(Method{}, object, value, extras);
  }

  // Turns typed extras into (key index, value) pairs in `out`; only repeated keys can pass the
  // limit of kMaxEventExtras, and the recorder keeps the last of a repeated key.
  static std::span<const std::pair<uint32_t, std::string_view>> PackExtras(
      std::initializer_list<ExtraValue> extras,
      std::pair<uint32_t, std::string_view> (&out)[kMaxEventExtras]) {
    size_t n = 0;
    for (const ExtraValue& extra : extras) {
      if (n == kMaxEventExtras) break;
      out[n++] = {Index(extra.key), extra.value};
    }
    return std::span(out, n);
  }

  static constexpr uint32_t Index(Method method) { return static_cast<uint32_t>(method); }
  static constexpr uint32_t Index(Object object) { return static_cast<uint32_t>(object); }
  static constexpr uint32_t Index(Extra extra) { return static_cast<uint32_t>(extra); }
};

}  // namespace telemetry

#endif  // TELEMETRY_PROBE_HANDLES_H_
