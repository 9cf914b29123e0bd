// The process-wide default instance and the pre-init buffer of calls made before it opens.
//
// Instances opened here are never destroyed (they are kept in a list that is never freed), so
// a handle call racing with ShutdownDefault() or with process exit always finds live memory.
#include <functional>
#include <mutex>

#include "recorder.h"
#include "telemetry/telemetry.h"

namespace telemetry {
namespace {

constexpr size_t kPreInitCapacity = 1000;

// Guards opening, shutting down and the pre-init buffer.
std::mutex& Mutex() {
  static std::mutex* mu = new std::mutex;
  return *mu;
}

std::atomic<Telemetry*> g_default{nullptr};
bool g_ever_opened = false;                                         // Under Mutex().
std::vector<std::function<void(internal::Recorder&)>>* g_preinit =  // Under Mutex().
    new std::vector<std::function<void(internal::Recorder&)>>;
size_t g_preinit_overflow = 0;  // Under Mutex().
std::vector<std::unique_ptr<Telemetry>>* g_instances = new std::vector<std::unique_ptr<Telemetry>>;

// Runs `call` on the default recorder, or keeps it for replay while none was ever opened.
// `keep` makes an owning copy of the call's arguments.
template <typename Call, typename Keep>
void Route(Call&& call, Keep&& keep) {
  if (Telemetry* telemetry = g_default.load(std::memory_order_acquire)) {
    call(internal::RecorderAccess::Of(*telemetry));
    return;
  }
  std::lock_guard lock(Mutex());
  if (Telemetry* telemetry = g_default.load(std::memory_order_acquire)) {
    call(internal::RecorderAccess::Of(*telemetry));
    return;
  }
  if (g_ever_opened) return;
  if (g_preinit->size() >= kPreInitCapacity) {
    ++g_preinit_overflow;
    return;
  }
  g_preinit->push_back(keep());
}

}  // namespace

Status OpenDefault(TelemetryConfig config) {
  std::lock_guard lock(Mutex());
  Telemetry* current = g_default.load(std::memory_order_acquire);
  if (current != nullptr && !internal::RecorderAccess::Of(*current).is_shut_down()) {
    return Status::FailedPrecondition("the default telemetry instance is already open");
  }
  Result<std::unique_ptr<Telemetry>> opened = Telemetry::Open(std::move(config));
  if (!opened.ok()) return opened.status();
  Telemetry* telemetry = opened->get();
  g_instances->push_back(std::move(opened).value());
  internal::Recorder& recorder = internal::RecorderAccess::Of(*telemetry);
  for (auto& call : *g_preinit) call(recorder);
  if (g_preinit_overflow > 0) {
    recorder.Count(internal::Health::kPreinitOverflows, static_cast<uint32_t>(g_preinit_overflow));
  }
  g_preinit->clear();
  g_preinit->shrink_to_fit();
  g_preinit_overflow = 0;
  g_ever_opened = true;
  g_default.store(telemetry, std::memory_order_release);
  return Status::Ok();
}

Telemetry* Default() {
  Telemetry* telemetry = g_default.load(std::memory_order_acquire);
  return telemetry != nullptr && !internal::RecorderAccess::Of(*telemetry).is_shut_down()
             ? telemetry
             : nullptr;
}

void ShutdownDefault() {
  std::lock_guard lock(Mutex());
  if (Telemetry* telemetry = g_default.load(std::memory_order_acquire)) telemetry->Shutdown();
}

namespace internal {

void DefaultAdd(uint32_t id, uint32_t amount) {
  Route([&](Recorder& r) { r.Add(id, amount); },
        [&] { return [=](Recorder& r) { r.Add(id, amount); }; });
}

void DefaultSet(uint32_t id, uint32_t value) {
  Route([&](Recorder& r) { r.Set(id, value); },
        [&] { return [=](Recorder& r) { r.Set(id, value); }; });
}

void DefaultSetMaximum(uint32_t id, uint32_t value) {
  Route([&](Recorder& r) { r.SetMaximum(id, value); },
        [&] { return [=](Recorder& r) { r.SetMaximum(id, value); }; });
}

void DefaultSetString(uint32_t id, std::string_view value) {
  Route([&](Recorder& r) { r.SetString(id, value); },
        [&] { return [=, v = std::string(value)](Recorder& r) { r.SetString(id, v); }; });
}

void DefaultSetBool(uint32_t id, bool value) {
  Route([&](Recorder& r) { r.SetBool(id, value); },
        [&] { return [=](Recorder& r) { r.SetBool(id, value); }; });
}

void DefaultKeyedAdd(uint32_t id, std::string_view key, uint32_t amount) {
  Route([&](Recorder& r) { r.KeyedAdd(id, key, amount); },
        [&] { return [=, k = std::string(key)](Recorder& r) { r.KeyedAdd(id, k, amount); }; });
}

void DefaultKeyedSet(uint32_t id, std::string_view key, uint32_t value) {
  Route([&](Recorder& r) { r.KeyedSet(id, key, value); },
        [&] { return [=, k = std::string(key)](Recorder& r) { r.KeyedSet(id, k, value); }; });
}

void DefaultKeyedSetMaximum(uint32_t id, std::string_view key, uint32_t value) {
  Route(
      [&](Recorder& r) { r.KeyedSetMaximum(id, key, value); },
      [&] { return [=, k = std::string(key)](Recorder& r) { r.KeyedSetMaximum(id, k, value); }; });
}

void DefaultKeyedSetString(uint32_t id, std::string_view key, std::string_view value) {
  Route([&](Recorder& r) { r.KeyedSetString(id, key, value); },
        [&] {
          return [=, k = std::string(key), v = std::string(value)](Recorder& r) {
            r.KeyedSetString(id, k, v);
          };
        });
}

void DefaultKeyedSetBool(uint32_t id, std::string_view key, bool value) {
  Route([&](Recorder& r) { r.KeyedSetBool(id, key, value); },
        [&] { return [=, k = std::string(key)](Recorder& r) { r.KeyedSetBool(id, k, value); }; });
}

void DefaultRecordEvent(uint32_t id, uint32_t method, uint32_t object,
                        std::optional<std::string_view> value, ExtraIds extras) {
  Route([&](Recorder& r) { r.RecordEvent(id, method, object, value, extras); },
        [&] {
          // Owning copies, and the time of the call: the event happened now, not at replay.
          std::optional<std::string> v(value);
          std::vector<std::pair<uint32_t, std::string>> owned(extras.begin(), extras.end());
          int64_t now = SystemClock().NowMillis();
          return [=](Recorder& r) {
            std::vector<std::pair<uint32_t, std::string_view>> views(owned.begin(), owned.end());
            r.RecordEvent(id, method, object, v, views, now);
          };
        });
}

}  // namespace internal
}  // namespace telemetry
