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

#include <cstdint>
#include <string_view>
#include <type_traits>

#include "telemetry/probe_info.h"

namespace telemetry {

template <ScalarKind Kind, bool Keyed>
class ScalarHandle {
 public:
  static constexpr ScalarKind kKind = Kind;
  static constexpr bool kKeyed = Keyed;

  constexpr explicit ScalarHandle(uint32_t id) : id_(id) {}
  constexpr uint32_t id() const { return id_; }

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

  static constexpr uint32_t Index(Method method) { return static_cast<uint32_t>(method); }
  static constexpr uint32_t Index(Object object) { return static_cast<uint32_t>(object); }
  static constexpr uint32_t Index(Extra extra) { return static_cast<uint32_t>(extra); }
};

}  // namespace telemetry

#endif  // TELEMETRY_PROBE_HANDLES_H_
