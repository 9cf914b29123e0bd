// The recording hot paths, against a baseline built the way Firefox's scalar storage is: one
// global mutex around hash maps (one per store) keyed by probe id. Same operations, same run.
//
//   uint Add through a typed handle into 1 store and into 2 stores; by-name Add; keyed Add on
//   an existing key; string Set; an event with 3 extras; each at 1 and 2 threads.
//
// Throughput (items_per_second) is the figure to compare; with 2 threads it is the total of
// both. Real time is used so that contention shows.
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "telemetry/project_probes.h"
#include "telemetry/telemetry.h"

namespace {

namespace engagement = telemetry::probes::browser_engagement;
namespace account = telemetry::probes::account;
using Created = account::CreatedEvent;

// The recorder under test, shared by the benchmark threads. Never destroyed (like the default
// instance), so late threads cannot outlive it.
telemetry::Telemetry& Ours() {
  static telemetry::Telemetry* instance = [] {
    telemetry::TelemetryConfig config;
    config.app_name = "bench";
    config.app_version = "1.0";
    config.registry = telemetry::probes::CompiledRegistry();
    config.max_events_per_store = 1u << 30;
    return telemetry::Telemetry::Open(std::move(config)).value().release();
  }();
  return *instance;
}

// Clears the stores between benchmarks so event buffers do not grow without bound.
void DrainOurs() {
  for (const std::string& store : Ours().Stores()) (void)Ours().Snapshot(store, true);
}

// Firefox's shape: a global mutex, a hash map per store from probe id to value, probe metadata
// (its stores) looked up per call, names resolved through a hash map of strings.
class Baseline {
 public:
  Baseline() {
    std::shared_ptr<const telemetry::Registry> registry = telemetry::probes::CompiledRegistry();
    store_names_ = registry->Stores();
    auto store_index = [&](const std::string& store) {
      return static_cast<size_t>(std::find(store_names_.begin(), store_names_.end(), store) -
                                 store_names_.begin());
    };
    for (const telemetry::ScalarInfo& scalar : registry->scalars()) {
      std::vector<size_t> stores;
      for (const std::string& store : scalar.record_into_store)
        stores.push_back(store_index(store));
      scalar_stores_.push_back(stores);
      ids_[scalar.FullName()] = static_cast<uint32_t>(scalar_stores_.size() - 1);
    }
    for (const telemetry::EventInfo& event : registry->events()) {
      std::vector<size_t> stores;
      for (const std::string& store : event.record_into_store) stores.push_back(store_index(store));
      event_stores_.push_back(stores);
    }
    uints_.resize(store_names_.size());
    keyed_.resize(store_names_.size());
    strings_.resize(store_names_.size());
    events_.resize(store_names_.size());
  }

  void Add(uint32_t id, uint32_t amount) {
    std::lock_guard lock(mu_);
    for (size_t store : scalar_stores_[id]) uints_[store][id] += amount;
  }
  void AddByName(const std::string& name, uint32_t amount) {
    std::lock_guard lock(mu_);
    auto it = ids_.find(name);
    if (it == ids_.end()) return;
    for (size_t store : scalar_stores_[it->second]) uints_[store][it->second] += amount;
  }
  void KeyedAdd(uint32_t id, const std::string& key, uint32_t amount) {
    std::lock_guard lock(mu_);
    for (size_t store : scalar_stores_[id]) keyed_[store][id][key] += amount;
  }
  void SetString(uint32_t id, const std::string& value) {
    std::lock_guard lock(mu_);
    for (size_t store : scalar_stores_[id]) strings_[store][id] = value;
  }
  struct Event {
    int64_t timestamp;
    uint32_t id;
    std::string value;
    std::vector<std::pair<std::string, std::string>> extras;
  };
  void RecordEvent(uint32_t id, int64_t timestamp, const std::string& value,
                   const std::vector<std::pair<std::string, std::string>>& extras) {
    std::lock_guard lock(mu_);
    for (size_t store : event_stores_[id]) events_[store].push_back({timestamp, id, value, extras});
  }
  void Drain() {
    std::lock_guard lock(mu_);
    for (auto& events : events_) events.clear();
  }

 private:
  std::mutex mu_;
  std::vector<std::string> store_names_;
  std::vector<std::vector<size_t>> scalar_stores_;
  std::vector<std::vector<size_t>> event_stores_;
  std::unordered_map<std::string, uint32_t> ids_;
  std::vector<std::unordered_map<uint32_t, uint64_t>> uints_;
  std::vector<std::unordered_map<uint32_t, std::unordered_map<std::string, uint64_t>>> keyed_;
  std::vector<std::unordered_map<uint32_t, std::string>> strings_;
  std::vector<std::vector<Event>> events_;
};

Baseline& TheBaseline() {
  static Baseline* baseline = new Baseline;
  return *baseline;
}

// --- Ours ---------------------------------------------------------------------------------

void BM_Ours_UintAdd_1Store(benchmark::State& state) {
  telemetry::Telemetry& t = Ours();
  for (auto _ : state) t.Add(engagement::kMaxConcurrentTabCount, 1);
  state.SetItemsProcessed(state.iterations());
}

void BM_Ours_UintAdd_2Stores(benchmark::State& state) {
  telemetry::Telemetry& t = Ours();
  for (auto _ : state) t.Add(engagement::kTabOpenEventCount, 1);
  state.SetItemsProcessed(state.iterations());
}

void BM_Ours_UintAdd_ByName(benchmark::State& state) {
  telemetry::Telemetry& t = Ours();
  for (auto _ : state) benchmark::DoNotOptimize(t.ScalarAdd("browser.engagement.active_ticks", 1));
  state.SetItemsProcessed(state.iterations());
}

void BM_Ours_KeyedAdd_ExistingKey(benchmark::State& state) {
  telemetry::Telemetry& t = Ours();
  t.Add(engagement::kNavigation, "urlbar", 1);
  for (auto _ : state) t.Add(engagement::kNavigation, "urlbar", 1);
  state.SetItemsProcessed(state.iterations());
}

void BM_Ours_StringSet(benchmark::State& state) {
  telemetry::Telemetry& t = Ours();
  for (auto _ : state) t.Set(engagement::kDefaultSearchEngine, "duckduckgo");
  state.SetItemsProcessed(state.iterations());
}

// Events accumulate until a ping takes them; the benchmarks drain the stores every
// kDrainEvery events per thread, outside the timed region, as pings would.
constexpr int kDrainEvery = 1000;

void BM_Ours_Event3Extras(benchmark::State& state) {
  telemetry::Telemetry& t = Ours();
  if (state.thread_index() == 0) DrainOurs();
  int n = 0;
  for (auto _ : state) {
    t.Record(account::kCreatedEvent, Created::Object::kAccount, std::nullopt,
             {{Created::Extra::kSeqId, "f1e2d3c4"},
              {Created::Extra::kService, "sync"},
              {Created::Extra::kNewUser, "1"}});
    if (++n == kDrainEvery) {
      state.PauseTiming();
      DrainOurs();
      n = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) DrainOurs();
}

// --- Baseline -----------------------------------------------------------------------------

void BM_Baseline_UintAdd_1Store(benchmark::State& state) {
  Baseline& b = TheBaseline();
  for (auto _ : state) b.Add(engagement::kMaxConcurrentTabCount.id(), 1);
  state.SetItemsProcessed(state.iterations());
}

void BM_Baseline_UintAdd_2Stores(benchmark::State& state) {
  Baseline& b = TheBaseline();
  for (auto _ : state) b.Add(engagement::kTabOpenEventCount.id(), 1);
  state.SetItemsProcessed(state.iterations());
}

void BM_Baseline_UintAdd_ByName(benchmark::State& state) {
  Baseline& b = TheBaseline();
  const std::string name = "browser.engagement.active_ticks";
  for (auto _ : state) b.AddByName(name, 1);
  state.SetItemsProcessed(state.iterations());
}

void BM_Baseline_KeyedAdd_ExistingKey(benchmark::State& state) {
  Baseline& b = TheBaseline();
  const std::string key = "urlbar";
  for (auto _ : state) b.KeyedAdd(engagement::kNavigation.id(), key, 1);
  state.SetItemsProcessed(state.iterations());
}

void BM_Baseline_StringSet(benchmark::State& state) {
  Baseline& b = TheBaseline();
  const std::string value = "duckduckgo";
  for (auto _ : state) b.SetString(engagement::kDefaultSearchEngine.id(), value);
  state.SetItemsProcessed(state.iterations());
}

void BM_Baseline_Event3Extras(benchmark::State& state) {
  Baseline& b = TheBaseline();
  if (state.thread_index() == 0) b.Drain();
  const std::vector<std::pair<std::string, std::string>> extras = {
      {"seq_id", "f1e2d3c4"}, {"service", "sync"}, {"new_user", "1"}};
  int n = 0;
  for (auto _ : state) {
    // Firefox stamps each event with the time too.
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    b.RecordEvent(account::kCreatedEvent.id(), now, std::string(), extras);
    if (++n == kDrainEvery) {
      state.PauseTiming();
      b.Drain();
      n = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) b.Drain();
}

#define TELEMETRY_BENCH(name) BENCHMARK(name)->Threads(1)->Threads(2)->UseRealTime()

TELEMETRY_BENCH(BM_Ours_UintAdd_1Store);
TELEMETRY_BENCH(BM_Baseline_UintAdd_1Store);
TELEMETRY_BENCH(BM_Ours_UintAdd_2Stores);
TELEMETRY_BENCH(BM_Baseline_UintAdd_2Stores);
TELEMETRY_BENCH(BM_Ours_UintAdd_ByName);
TELEMETRY_BENCH(BM_Baseline_UintAdd_ByName);
TELEMETRY_BENCH(BM_Ours_KeyedAdd_ExistingKey);
TELEMETRY_BENCH(BM_Baseline_KeyedAdd_ExistingKey);
TELEMETRY_BENCH(BM_Ours_StringSet);
TELEMETRY_BENCH(BM_Baseline_StringSet);
TELEMETRY_BENCH(BM_Ours_Event3Extras);
TELEMETRY_BENCH(BM_Baseline_Event3Extras);

}  // namespace

BENCHMARK_MAIN();
