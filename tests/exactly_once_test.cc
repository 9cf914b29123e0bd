// The recorder's central promise (DESIGN): every recorded increment, set and event lands in
// exactly one snapshot of each store it is recorded into -- none lost, none counted twice --
// also while other threads record during snapshot-and-clear.
//
// The races here are bounded by op counts, not by time: threads start together behind a
// latch, and recording threads wait (spinning, never sleeping) at a midpoint until the
// snapshotter has run a few times, so snapshots really interleave with recording.
#include <array>
#include <atomic>
#include <cstdint>
#include <latch>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "recorder_support.h"

namespace telemetry::testing {
namespace {

using test_probes::test_kinds::kAUint;
using test_probes::test_policy::kEnabled;
using test_probes::test_policy::kEngine;
using test_probes::test_policy::kMaxTabs;
using test_probes::test_policy::kSeenEvent;
using test_probes::test_policy::kSources;
using test_probes::test_policy::SeenEvent;

// The stores the probes under test record into.
const std::array<std::string, 2> kStores = {"main", "second-store"};

constexpr char kAUintName[] = "test.kinds.a_uint";
constexpr char kMaxTabsName[] = "test.policy.max_tabs";
constexpr char kEngineName[] = "test.policy.engine";
constexpr char kEnabledName[] = "test.policy.enabled";
constexpr char kSourcesName[] = "test.policy.sources";
constexpr char kDroppedEvents[] = "telemetry.recorder.dropped_events";

// Spins until `counter` reaches `at_least`. Synchronisation by progress, not by time.
void WaitFor(const std::atomic<int>& counter, int at_least) {
  while (counter.load(std::memory_order_acquire) < at_least) std::this_thread::yield();
}

uint32_t UintOf(const std::optional<ScalarValue>& value) {
  return value && std::holds_alternative<uint32_t>(*value) ? std::get<uint32_t>(*value) : 0;
}

// What all snapshots of one store added up to.
struct StoreTotals {
  int snapshots = 0;
  uint64_t uint_sum = 0;
  std::map<std::string, uint64_t> keyed_sums;
  std::map<std::string, int> event_ids;  // Extra `first` -> times seen.
  std::vector<int> last_seq;             // Per recording thread: the last seq seen.
  int events_out_of_timestamp_order = 0;
  int events_out_of_thread_order = 0;
  int malformed_events = 0;
  int dropped_event_counts = 0;  // Snapshots holding telemetry.recorder.dropped_events.
};

// Adds one snapshot to `totals`. Events carry first = "<thread>-<seq>".
void Accumulate(const StoreSnapshot& snapshot, StoreTotals& totals) {
  ++totals.snapshots;
  totals.uint_sum += UintOf(Scalar(snapshot, kAUintName));
  for (const KeyedScalarEntry& entry : snapshot.keyed_scalars) {
    if (entry.name != kSourcesName) continue;
    for (const auto& [key, value] : entry.values) {
      totals.keyed_sums[key] += std::get<uint32_t>(value);
    }
  }
  if (Scalar(snapshot, kDroppedEvents)) ++totals.dropped_event_counts;
  for (size_t i = 0; i < snapshot.events.size(); ++i) {
    const EventEntry& event = snapshot.events[i];
    if (i > 0 && event.timestamp_ms < snapshot.events[i - 1].timestamp_ms) {
      ++totals.events_out_of_timestamp_order;
    }
    if (event.category != "test.policy" || event.method != "seen" || event.extras.size() != 1 ||
        event.extras[0].first != "first") {
      ++totals.malformed_events;
      continue;
    }
    const std::string& id = event.extras[0].second;
    ++totals.event_ids[id];
    // One thread's events reach a store in the order it recorded them, and its clock readings
    // only grow, so across the store's snapshots its sequence numbers must only grow.
    const size_t dash = id.find('-');
    const size_t thread = std::stoul(id.substr(0, dash));
    const int seq = std::stoi(id.substr(dash + 1));
    if (thread >= totals.last_seq.size()) totals.last_seq.resize(thread + 1, -1);
    if (seq <= totals.last_seq[thread]) ++totals.events_out_of_thread_order;
    totals.last_seq[thread] = seq;
  }
}

TEST(ExactlyOnceTest, AddsKeyedAddsAndEventsLandOncePerStoreWhileSnapshotsClear) {
  constexpr int kThreads = 4;
  constexpr int kOps = 20000;
  constexpr int kKeyedEvery = 4;
  constexpr int kEventEvery = 8;
  const std::array<std::string, 3> kKeys = {"alpha", "beta", "gamma"};

  auto clock = std::make_shared<ManualClock>(kStartMillis);
  TelemetryConfig config = TestConfig(clock);
  config.max_events_per_store = 1 << 20;  // Never drop: every event must arrive.
  std::unique_ptr<Telemetry> telemetry = OpenOrDie(std::move(config));
  ASSERT_NE(telemetry, nullptr);

  std::latch start(kThreads + 1);
  std::atomic<int> snapshots_taken{0};
  std::atomic<bool> recording_done{false};
  std::array<uint64_t, kThreads> added{};
  std::array<std::map<std::string, uint64_t>, kThreads> keyed_added;
  std::array<std::vector<std::string>, kThreads> event_ids;

  std::vector<std::thread> recorders;
  for (int t = 0; t < kThreads; ++t) {
    recorders.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kOps; ++i) {
        if (i == kOps / 2) WaitFor(snapshots_taken, 4);
        const uint32_t amount = 1 + static_cast<uint32_t>(i + t) % 7;
        telemetry->Add(kAUint, amount);
        added[t] += amount;
        if (i % kKeyedEvery == 0) {
          const std::string& key = kKeys[(i / kKeyedEvery + t) % kKeys.size()];
          telemetry->Add(kSources, key, amount);
          keyed_added[t][key] += amount;
        }
        if (i % kEventEvery == 0) {
          clock->Advance(1);
          std::string id = std::to_string(t) + "-" + std::to_string(i / kEventEvery);
          telemetry->Record(kSeenEvent, SeenEvent::Object::kThing, "v",
                            {{SeenEvent::Extra::kFirst, id}});
          event_ids[t].push_back(std::move(id));
        }
      }
    });
  }

  std::array<StoreTotals, 2> totals;
  int failed_snapshots = 0;
  std::thread snapshotter([&] {
    start.arrive_and_wait();
    for (size_t n = 0; !recording_done.load(std::memory_order_acquire); ++n) {
      Result<StoreSnapshot> snapshot = telemetry->Snapshot(kStores[n % 2], /*clear=*/true);
      if (!snapshot.ok()) {
        ++failed_snapshots;
        continue;
      }
      Accumulate(*snapshot, totals[n % 2]);
      snapshots_taken.fetch_add(1, std::memory_order_release);
    }
  });

  for (std::thread& thread : recorders) thread.join();
  recording_done.store(true, std::memory_order_release);
  snapshotter.join();
  for (size_t s = 0; s < kStores.size(); ++s) {
    Accumulate(SnapshotOrDie(*telemetry, kStores[s], /*clear=*/true), totals[s]);
  }

  uint64_t total_added = 0;
  std::map<std::string, uint64_t> total_keyed;
  std::map<std::string, int> all_ids;
  for (int t = 0; t < kThreads; ++t) {
    total_added += added[t];
    for (const auto& [key, sum] : keyed_added[t]) total_keyed[key] += sum;
    for (const std::string& id : event_ids[t]) all_ids[id] = 1;
  }
  ASSERT_EQ(all_ids.size(), static_cast<size_t>(kThreads * kOps / kEventEvery));
  // The sums must fit a uint for the comparison to be exact.
  ASSERT_LT(total_added, uint64_t{UINT32_MAX});

  EXPECT_EQ(failed_snapshots, 0);
  for (size_t s = 0; s < kStores.size(); ++s) {
    SCOPED_TRACE("store " + kStores[s]);
    const StoreTotals& store = totals[s];
    EXPECT_GE(store.snapshots, 3);  // Two or more during recording, and the final one.
    EXPECT_EQ(store.uint_sum, total_added);
    EXPECT_EQ(store.keyed_sums, total_keyed);
    EXPECT_EQ(store.malformed_events, 0);
    EXPECT_EQ(store.dropped_event_counts, 0);
    EXPECT_EQ(store.events_out_of_timestamp_order, 0);
    EXPECT_EQ(store.events_out_of_thread_order, 0);
    // Every id exactly once: none missing, none twice, none invented.
    int missing = 0;
    int repeated = 0;
    for (const auto& [id, unused] : all_ids) {
      auto it = store.event_ids.find(id);
      if (it == store.event_ids.end()) {
        ++missing;
      } else if (it->second != 1) {
        ++repeated;
      }
    }
    EXPECT_EQ(missing, 0);
    EXPECT_EQ(repeated, 0);
    EXPECT_EQ(store.event_ids.size(), all_ids.size());
  }
}

// A value only ever raised: each store's snapshots see it strictly grow, never past the last
// value set, and the last value set is in some snapshot of each store.
TEST(ExactlyOnceTest, SetMaximumRacingWithSnapshotAndClearKeepsTheLastValue) {
  constexpr uint32_t kLast = 20000;
  std::unique_ptr<Telemetry> telemetry = OpenOrDie(TestConfig());
  ASSERT_NE(telemetry, nullptr);

  std::latch start(2);
  std::atomic<int> snapshots_taken{0};
  std::atomic<bool> setting_done{false};
  std::thread setter([&] {
    start.arrive_and_wait();
    for (uint32_t value = 1; value <= kLast; ++value) {
      if (value == kLast / 2) WaitFor(snapshots_taken, 4);
      telemetry->SetMaximum(kMaxTabs, value);
    }
  });

  std::array<std::vector<uint32_t>, 2> seen;  // Per store, in snapshot order.
  std::thread snapshotter([&] {
    start.arrive_and_wait();
    for (size_t n = 0; !setting_done.load(std::memory_order_acquire); ++n) {
      StoreSnapshot snapshot = SnapshotOrDie(*telemetry, kStores[n % 2], /*clear=*/true);
      if (std::optional<ScalarValue> value = Scalar(snapshot, kMaxTabsName)) {
        seen[n % 2].push_back(std::get<uint32_t>(*value));
      }
      snapshots_taken.fetch_add(1, std::memory_order_release);
    }
  });

  setter.join();
  setting_done.store(true, std::memory_order_release);
  snapshotter.join();
  for (size_t s = 0; s < kStores.size(); ++s) {
    StoreSnapshot snapshot = SnapshotOrDie(*telemetry, kStores[s], /*clear=*/true);
    if (std::optional<ScalarValue> value = Scalar(snapshot, kMaxTabsName)) {
      seen[s].push_back(std::get<uint32_t>(*value));
    }
  }

  for (size_t s = 0; s < kStores.size(); ++s) {
    SCOPED_TRACE("store " + kStores[s]);
    ASSERT_FALSE(seen[s].empty());
    EXPECT_EQ(seen[s].back(), kLast);  // The maximum, and no snapshot beyond it.
    for (size_t i = 1; i < seen[s].size(); ++i) {
      EXPECT_LT(seen[s][i - 1], seen[s][i]) << "snapshot " << i;
    }
    // Everything was taken: a snapshot now is empty.
    EXPECT_FALSE(Scalar(SnapshotOrDie(*telemetry, kStores[s], false), kMaxTabsName));
  }
}

// Set and a raising SetMaximum replace the value: they discard exactly the Adds before them,
// and every Add after them counts. The adder publishes its progress after each Add, so around
// each call the setter knows how many Adds had certainly happened (before) and how many at
// most (after, plus the one in flight). The adder waits at gates so that each call races
// with Adds, and once sits still so the Set can be checked exactly.
TEST(ExactlyOnceTest, SetAndSetMaximumRacingWithAddsKeepExactlyTheLaterAdds) {
  constexpr int kAdds = 40000;
  constexpr int kGateSet = kAdds / 4;          // Waits for the Set (phase 1)...
  constexpr int kGateQuiet = kAdds / 2;        // ...sits still here until phase 2...
  constexpr int kGateMaximum = kAdds * 3 / 4;  // ...and waits for the SetMaximum (phase 3).
  constexpr uint32_t kSetValue = 1000000;      // Above any sum of Adds.
  constexpr uint32_t kMaxValue = kSetValue + kAdds + 1;  // Above kSetValue plus every Add.
  std::unique_ptr<Telemetry> telemetry = OpenOrDie(TestConfig());
  ASSERT_NE(telemetry, nullptr);

  std::latch start(3);
  std::atomic<int> progress{0};  // Adds completed.
  std::atomic<int> phase{0};
  std::atomic<bool> done{false};
  std::thread adder([&] {
    start.arrive_and_wait();
    for (int i = 0; i < kAdds; ++i) {
      if (i == kGateSet) WaitFor(phase, 1);
      if (i == kGateQuiet) WaitFor(phase, 2);
      if (i == kGateMaximum) WaitFor(phase, 3);
      telemetry->Add(kMaxTabs, 1);
      progress.store(i + 1, std::memory_order_release);
    }
  });

  int set_before = 0, set_after = 0, max_before = 0, max_after = 0;
  std::array<uint32_t, 2> at_quiet{};
  std::thread setter([&] {
    start.arrive_and_wait();
    WaitFor(progress, 1);
    // A SetMaximum below the value changes nothing; these race with the Adds.
    while (progress.load(std::memory_order_acquire) < kGateSet / 2) {
      telemetry->SetMaximum(kMaxTabs, 1);
    }
    set_before = progress.load(std::memory_order_acquire);
    telemetry->Set(kMaxTabs, kSetValue);
    set_after = progress.load(std::memory_order_acquire);
    phase.store(1, std::memory_order_release);

    while (progress.load(std::memory_order_acquire) < kGateQuiet) {
      telemetry->SetMaximum(kMaxTabs, kSetValue);
    }
    for (size_t s = 0; s < kStores.size(); ++s) {
      at_quiet[s] = UintOf(Scalar(SnapshotOrDie(*telemetry, kStores[s], false), kMaxTabsName));
    }
    phase.store(2, std::memory_order_release);

    while (progress.load(std::memory_order_acquire) < (kGateQuiet + kGateMaximum) / 2) {
      telemetry->SetMaximum(kMaxTabs, kSetValue);
    }
    max_before = progress.load(std::memory_order_acquire);
    telemetry->SetMaximum(kMaxTabs, kMaxValue);
    max_after = progress.load(std::memory_order_acquire);
    phase.store(3, std::memory_order_release);
  });

  // Snapshots without clear race with both; per store, the value never goes down.
  std::array<uint32_t, 2> last_seen{};
  std::array<int, 2> went_down{};
  std::thread snapshotter([&] {
    start.arrive_and_wait();
    for (size_t n = 0; !done.load(std::memory_order_acquire); ++n) {
      StoreSnapshot snapshot = SnapshotOrDie(*telemetry, kStores[n % 2], /*clear=*/false);
      const uint32_t value = UintOf(Scalar(snapshot, kMaxTabsName));
      if (value < last_seen[n % 2]) ++went_down[n % 2];
      last_seen[n % 2] = value;
    }
  });

  adder.join();
  setter.join();
  done.store(true, std::memory_order_release);
  snapshotter.join();

  // At the quiet gate: the Set's value plus the Adds after it (it saw from set_before to
  // set_after + 1 of the Adds).
  ASSERT_LE(set_before, set_after);
  ASSERT_LT(set_after, kGateSet + 1);
  for (size_t s = 0; s < kStores.size(); ++s) {
    SCOPED_TRACE("store " + kStores[s]);
    EXPECT_GE(at_quiet[s], kSetValue + static_cast<uint32_t>(kGateQuiet - set_after - 1));
    EXPECT_LE(at_quiet[s], kSetValue + static_cast<uint32_t>(kGateQuiet - set_before));
  }
  EXPECT_EQ(at_quiet[0], at_quiet[1]);  // The same calls, the same value.

  // At the end: the SetMaximum's value plus the Adds after it.
  ASSERT_LE(max_before, max_after);
  const uint32_t lowest = kMaxValue + static_cast<uint32_t>(kAdds - max_after - 1);
  const uint32_t highest = kMaxValue + static_cast<uint32_t>(kAdds - max_before);
  const uint32_t value = UintOf(Scalar(SnapshotOrDie(*telemetry, "main", false), kMaxTabsName));
  EXPECT_GE(value, lowest);
  EXPECT_LE(value, highest);
  EXPECT_EQ(UintOf(Scalar(SnapshotOrDie(*telemetry, "second-store", false), kMaxTabsName)), value);
  EXPECT_EQ(went_down[0], 0);
  EXPECT_EQ(went_down[1], 0);
  EXPECT_LE(last_seen[0], value);
  EXPECT_LE(last_seen[1], value);
}

// Booleans (one atomic byte per store) and strings (under the probe's lock) set over and over
// while a snapshotter clears: each store sees the value in at least one and at most N
// snapshots, only values that were set, in the order they were set, and the last one last.
TEST(ExactlyOnceTest, BooleanAndStringSetsRacingWithSnapshotAndClearEndOnTheLastValue) {
  constexpr int kSets = 20000;
  std::unique_ptr<Telemetry> telemetry = OpenOrDie(TestConfig());
  ASSERT_NE(telemetry, nullptr);

  std::latch start(2);
  std::atomic<int> snapshots_taken{0};
  std::atomic<bool> setting_done{false};
  std::thread setter([&] {
    start.arrive_and_wait();
    for (int i = 0; i < kSets - 1; ++i) {
      if (i == kSets / 2) WaitFor(snapshots_taken, 4);
      telemetry->Set(kEnabled, true);
      telemetry->Set(kEngine, "e" + std::to_string(i));
    }
    telemetry->Set(kEnabled, false);
    telemetry->Set(kEngine, std::string_view("last"));
  });

  struct Seen {
    std::vector<bool> enabled;
    std::vector<std::string> engine;
  };
  std::array<Seen, 2> seen;
  auto take = [&](const StoreSnapshot& snapshot, Seen& into) {
    if (std::optional<ScalarValue> value = Scalar(snapshot, kEnabledName)) {
      into.enabled.push_back(std::get<bool>(*value));
    }
    if (std::optional<ScalarValue> value = Scalar(snapshot, kEngineName)) {
      into.engine.push_back(std::get<std::string>(*value));
    }
  };
  std::thread snapshotter([&] {
    start.arrive_and_wait();
    for (size_t n = 0; !setting_done.load(std::memory_order_acquire); ++n) {
      take(SnapshotOrDie(*telemetry, kStores[n % 2], /*clear=*/true), seen[n % 2]);
      snapshots_taken.fetch_add(1, std::memory_order_release);
    }
  });

  setter.join();
  setting_done.store(true, std::memory_order_release);
  snapshotter.join();
  for (size_t s = 0; s < kStores.size(); ++s) {
    take(SnapshotOrDie(*telemetry, kStores[s], /*clear=*/true), seen[s]);
  }

  for (size_t s = 0; s < kStores.size(); ++s) {
    SCOPED_TRACE("store " + kStores[s]);
    const Seen& store = seen[s];
    ASSERT_GE(store.enabled.size(), 1u);
    EXPECT_LE(store.enabled.size(), static_cast<size_t>(kSets));
    EXPECT_FALSE(store.enabled.back());  // The last Set.
    for (size_t i = 0; i + 1 < store.enabled.size(); ++i) {
      EXPECT_TRUE(store.enabled[i]) << "only the last Set was false; snapshot " << i;
    }
    ASSERT_GE(store.engine.size(), 1u);
    EXPECT_LE(store.engine.size(), static_cast<size_t>(kSets));
    EXPECT_EQ(store.engine.back(), "last");
    int previous = -1;
    for (size_t i = 0; i + 1 < store.engine.size(); ++i) {
      ASSERT_EQ(store.engine[i].front(), 'e') << store.engine[i];
      const int index = std::stoi(store.engine[i].substr(1));
      EXPECT_GT(index, previous) << "snapshot " << i;
      previous = index;
    }
    // Consumed: nothing is left in the store.
    StoreSnapshot after = SnapshotOrDie(*telemetry, kStores[s], /*clear=*/false);
    EXPECT_FALSE(Scalar(after, kEnabledName));
    EXPECT_FALSE(Scalar(after, kEngineName));
  }
}

// Sets separated by snapshot-and-clear: after each Set the setter waits until a snapshot of
// each store has started after it (the one after the one in progress), so every Set must
// land in exactly one snapshot of each store -- the value set, in order, none lost even when
// the Set races with the snapshot taking the previous one.
TEST(ExactlyOnceTest, EachBooleanAndStringSetBetweenClearsLandsInExactlyOneSnapshot) {
  constexpr int kSets = 2000;
  std::unique_ptr<Telemetry> telemetry = OpenOrDie(TestConfig());
  ASSERT_NE(telemetry, nullptr);

  std::latch start(2);
  std::array<std::atomic<int>, 2> completed{};  // Snapshots completed, per store.
  std::atomic<bool> setting_done{false};
  std::thread setter([&] {
    start.arrive_and_wait();
    for (int i = 0; i < kSets; ++i) {
      telemetry->Set(kEnabled, i % 2 == 0);
      telemetry->Set(kEngine, "e" + std::to_string(i));
      const int main_seen = completed[0].load(std::memory_order_acquire);
      const int second_seen = completed[1].load(std::memory_order_acquire);
      WaitFor(completed[0], main_seen + 2);
      WaitFor(completed[1], second_seen + 2);
    }
  });

  struct Seen {
    std::vector<bool> enabled;
    std::vector<std::string> engine;
  };
  std::array<Seen, 2> seen;
  auto take = [&](const StoreSnapshot& snapshot, Seen& into) {
    if (std::optional<ScalarValue> value = Scalar(snapshot, kEnabledName)) {
      into.enabled.push_back(std::get<bool>(*value));
    }
    if (std::optional<ScalarValue> value = Scalar(snapshot, kEngineName)) {
      into.engine.push_back(std::get<std::string>(*value));
    }
  };
  std::thread snapshotter([&] {
    start.arrive_and_wait();
    for (size_t n = 0; !setting_done.load(std::memory_order_acquire); ++n) {
      take(SnapshotOrDie(*telemetry, kStores[n % 2], /*clear=*/true), seen[n % 2]);
      completed[n % 2].fetch_add(1, std::memory_order_release);
    }
  });

  setter.join();
  setting_done.store(true, std::memory_order_release);
  snapshotter.join();
  for (size_t s = 0; s < kStores.size(); ++s) {
    take(SnapshotOrDie(*telemetry, kStores[s], /*clear=*/true), seen[s]);
  }

  for (size_t s = 0; s < kStores.size(); ++s) {
    SCOPED_TRACE("store " + kStores[s]);
    ASSERT_EQ(seen[s].enabled.size(), static_cast<size_t>(kSets));
    ASSERT_EQ(seen[s].engine.size(), static_cast<size_t>(kSets));
    for (int i = 0; i < kSets; ++i) {
      ASSERT_EQ(seen[s].enabled[i], i % 2 == 0) << "Set " << i;
      ASSERT_EQ(seen[s].engine[i], "e" + std::to_string(i)) << "Set " << i;
    }
  }
}

TEST(ExactlyOnceTest, SnapshotWithoutClearDoesNotConsume) {
  auto clock = std::make_shared<ManualClock>(kStartMillis);
  std::unique_ptr<Telemetry> telemetry = OpenOrDie(TestConfig(clock));
  ASSERT_NE(telemetry, nullptr);
  telemetry->Add(kAUint, 5);
  telemetry->Add(kAUint, 7);
  telemetry->SetMaximum(kMaxTabs, 9);
  telemetry->Set(kEngine, std::string_view("gecko"));
  telemetry->Set(kEnabled, true);
  telemetry->Add(kSources, "alpha", 2);
  telemetry->Add(kSources, "beta", 3);
  telemetry->Record(kSeenEvent, SeenEvent::Object::kThing, "v", {{SeenEvent::Extra::kFirst, "a"}});
  clock->Advance(10);
  telemetry->Record(kSeenEvent, SeenEvent::Object::kThing, std::nullopt,
                    {{SeenEvent::Extra::kSecond, "b"}});

  for (const std::string& store : kStores) {
    SCOPED_TRACE("store " + store);
    StoreSnapshot first = SnapshotOrDie(*telemetry, store, /*clear=*/false);
    StoreSnapshot second = SnapshotOrDie(*telemetry, store, /*clear=*/false);
    EXPECT_EQ(UintOf(Scalar(first, kAUintName)), 12u);
    EXPECT_EQ(UintOf(Scalar(first, kMaxTabsName)), 9u);
    EXPECT_EQ(Scalar(first, kEngineName), ScalarValue(std::string("gecko")));
    EXPECT_EQ(Scalar(first, kEnabledName), ScalarValue(true));
    EXPECT_EQ(Keyed(first, kSourcesName, "alpha"), ScalarValue(2u));
    EXPECT_EQ(Keyed(first, kSourcesName, "beta"), ScalarValue(3u));
    ASSERT_EQ(first.events.size(), 2u);
    EXPECT_EQ(first.events[0].timestamp_ms, kStartMillis);
    EXPECT_EQ(first.events[1].timestamp_ms, kStartMillis + 10);

    EXPECT_EQ(second.scalars, first.scalars);
    EXPECT_EQ(second.keyed_scalars, first.keyed_scalars);
    EXPECT_EQ(second.events, first.events);

    // Clearing returns the same contents once more, and then the store is empty.
    StoreSnapshot cleared = SnapshotOrDie(*telemetry, store, /*clear=*/true);
    EXPECT_EQ(cleared.scalars, first.scalars);
    EXPECT_EQ(cleared.keyed_scalars, first.keyed_scalars);
    EXPECT_EQ(cleared.events, first.events);
    EXPECT_TRUE(SnapshotOrDie(*telemetry, store, /*clear=*/false).empty());
  }
}

// Snapshots without clear racing with Adds: each one sees a count that never goes down, and
// they take nothing away (the final count is every Add).
TEST(ExactlyOnceTest, SnapshotsWithoutClearRacingWithAddsTakeNothing) {
  constexpr int kThreads = 2;
  constexpr int kAdds = 20000;
  std::unique_ptr<Telemetry> telemetry = OpenOrDie(TestConfig());
  ASSERT_NE(telemetry, nullptr);

  std::latch start(kThreads + 1);
  std::atomic<int> snapshots_taken{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> adders;
  for (int t = 0; t < kThreads; ++t) {
    adders.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kAdds; ++i) {
        if (i == kAdds / 2) WaitFor(snapshots_taken, 4);
        telemetry->Add(kAUint, 1);
      }
    });
  }
  std::array<uint32_t, 2> last_seen{};
  std::array<int, 2> went_down{};
  std::thread snapshotter([&] {
    start.arrive_and_wait();
    for (size_t n = 0; !done.load(std::memory_order_acquire); ++n) {
      StoreSnapshot snapshot = SnapshotOrDie(*telemetry, kStores[n % 2], /*clear=*/false);
      const uint32_t value = UintOf(Scalar(snapshot, kAUintName));
      if (value < last_seen[n % 2]) ++went_down[n % 2];
      last_seen[n % 2] = value;
      snapshots_taken.fetch_add(1, std::memory_order_release);
    }
  });
  for (std::thread& thread : adders) thread.join();
  done.store(true, std::memory_order_release);
  snapshotter.join();

  for (size_t s = 0; s < kStores.size(); ++s) {
    SCOPED_TRACE("store " + kStores[s]);
    EXPECT_EQ(went_down[s], 0);
    StoreSnapshot snapshot = SnapshotOrDie(*telemetry, kStores[s], /*clear=*/false);
    EXPECT_EQ(UintOf(Scalar(snapshot, kAUintName)), static_cast<uint32_t>(kThreads * kAdds));
  }
}

// uint values saturate at 2^32 - 1, and a snapshot that saturated one counts it.
TEST(ExactlyOnceTest, AUintSummingPastTheRangeSaturatesAndIsCounted) {
  std::unique_ptr<Telemetry> telemetry = OpenOrDie(TestConfig());
  ASSERT_NE(telemetry, nullptr);
  EXPECT_EQ(Health(*telemetry, "uint_overflows"), 0u);
  telemetry->Add(kAUint, UINT32_MAX - 10);
  telemetry->Add(kAUint, 7);
  telemetry->Add(kAUint, 7);

  StoreSnapshot main = SnapshotOrDie(*telemetry, "main", /*clear=*/true);
  EXPECT_EQ(Scalar(main, kAUintName), ScalarValue(uint32_t{4294967295}));
  StoreSnapshot second = SnapshotOrDie(*telemetry, "second-store", /*clear=*/true);
  EXPECT_EQ(Scalar(second, kAUintName), ScalarValue(uint32_t{4294967295}));
  EXPECT_GE(Health(*telemetry, "uint_overflows"), 1u);
  EXPECT_GE(Health(*telemetry, "uint_overflows", "second-store"), 1u);

  // The clear took the whole sum: counting starts again from zero.
  telemetry->Add(kAUint, 3);
  EXPECT_EQ(Scalar(SnapshotOrDie(*telemetry, "main", false), kAUintName), ScalarValue(3u));

  // Past the range from a Set, from several threads' stripes, and for a keyed uint.
  telemetry->Set(kMaxTabs, UINT32_MAX);
  telemetry->Add(kMaxTabs, 1);
  std::vector<std::thread> adders;
  for (int t = 0; t < 4; ++t) {
    adders.emplace_back([&] { telemetry->Add(kAUint, UINT32_MAX / 2); });
  }
  for (std::thread& thread : adders) thread.join();
  telemetry->Add(kSources, "alpha", UINT32_MAX);
  telemetry->Add(kSources, "alpha", 1);
  StoreSnapshot again = SnapshotOrDie(*telemetry, "main", /*clear=*/true);
  EXPECT_EQ(Scalar(again, kMaxTabsName), ScalarValue(uint32_t{4294967295}));
  EXPECT_EQ(Scalar(again, kAUintName), ScalarValue(uint32_t{4294967295}));
  EXPECT_EQ(Keyed(again, kSourcesName, "alpha"), ScalarValue(uint32_t{4294967295}));
}

}  // namespace
}  // namespace telemetry::testing
