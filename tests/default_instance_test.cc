// The process-wide default instance: the typed handles' own methods, the pre-init buffer,
// OpenDefault / ShutdownDefault and what races with them.
//
// The default instance is global state that cannot be reset, and the pre-init buffer exists
// only until the first OpenDefault() of the process. So:
// - DefaultInstanceTest.Lifecycle is ONE ordered scenario through the whole lifecycle (it
//   needs a process in which the default was never opened).
// - DefaultInstanceTest.PreInitOverflowIsCountedOnOpen needs a pre-init buffer overflowed by
//   more than 1000 calls, which the lifecycle's race with OpenDefault (where nothing may be
//   lost) cannot share; it runs in a child process of its own (a gtest death test that
//   exits 0, "threadsafe" style: the child re-executes this program for that test alone).
// Either may run first.
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "recorder_support.h"

namespace telemetry::testing {
namespace {

using test_probes::test_keyed::kCounts;
using test_probes::test_keyed::kFlags;
using test_probes::test_keyed::kLabels;
using test_probes::test_kinds::kAUint;
using test_probes::test_policy::kEnabled;
using test_probes::test_policy::kEngine;
using test_probes::test_policy::kExpiredCount;
using test_probes::test_policy::kMaxTabs;
using test_probes::test_policy::kSeenEvent;
using test_probes::test_policy::kSources;
using test_probes::test_policy::SeenEvent;

constexpr size_t kPreInitCapacity = 1000;  // telemetry.h: the pre-init buffer's size.
constexpr char kAUintName[] = "test.kinds.a_uint";

void WaitFor(const std::atomic<int>& counter, int at_least) {
  while (counter.load(std::memory_order_acquire) < at_least) std::this_thread::yield();
}

uint32_t UintIn(const StoreSnapshot& snapshot, const std::string& name) {
  std::optional<ScalarValue> value = Scalar(snapshot, name);
  return value ? std::get<uint32_t>(*value) : 0;
}

// Every kind of handle call, `op` choosing which; for the races with ShutdownDefault.
void HandleCall(int op) {
  switch (op % 7) {
    case 0:
      kAUint.Add(1);
      break;
    case 1:
      kMaxTabs.SetMaximum(static_cast<uint32_t>(op));
      kMaxTabs.Set(2);
      break;
    case 2:
      kEngine.Set("engine");
      kEnabled.Set(op % 2 == 0);
      break;
    case 3:
      kSources.Add("key", 1);
      kSources.SetMaximum("max", static_cast<uint32_t>(op));
      kSources.Set("set", 4);
      break;
    case 4:
      kLabels.Set("label", "value");
      kFlags.Set("flag", true);
      break;
    case 5:
      kSeenEvent.Record(SeenEvent::Object::kThing, "v", {{SeenEvent::Extra::kSecond, "s"}});
      break;
    case 6:
      if (Telemetry* telemetry = Default()) {
        // Default() may be shut down by now: the pointer stays valid, the call says so.
        Result<StoreSnapshot> snapshot = telemetry->Snapshot("main", /*clear=*/false);
        if (!snapshot.ok()) {
          EXPECT_EQ(snapshot.status().code(), Status::Code::kFailedPrecondition);
        }
      }
      break;
  }
}

// The child's part of PreInitOverflowIsCountedOnOpen.
void OverflowThePreInitBufferThenOpen() {
  EXPECT_EQ(Default(), nullptr);
  kSeenEvent.Record(SeenEvent::Object::kThing, "kept", {{SeenEvent::Extra::kFirst, "1"}});
  for (size_t i = 1; i < kPreInitCapacity; ++i) kAUint.Add(1);  // The buffer is full now.
  constexpr uint32_t kOverflowing = 37;
  for (uint32_t i = 0; i < kOverflowing - 2; ++i) kAUint.Add(1000);
  kEngine.Set("dropped");
  kSeenEvent.Record(SeenEvent::Object::kThing, "dropped");
  EXPECT_EQ(Default(), nullptr);

  Status opened = OpenDefault(TestConfig());
  ASSERT_TRUE(opened.ok()) << opened.ToString();
  ASSERT_NE(Default(), nullptr);
  for (const char* store : {"main", "second-store"}) {
    SCOPED_TRACE(store);
    StoreSnapshot snapshot = SnapshotOrDie(*Default(), store, /*clear=*/false);
    // The first 1000 calls were replayed, the rest dropped and counted.
    EXPECT_EQ(UintIn(snapshot, kAUintName), kPreInitCapacity - 1);
    EXPECT_EQ(UintIn(snapshot, "telemetry.recorder.preinit_overflows"), kOverflowing);
    EXPECT_FALSE(Scalar(snapshot, "test.policy.engine"));
    ASSERT_EQ(snapshot.events.size(), 1u);
    EXPECT_EQ(snapshot.events[0].value, "kept");
  }
}

// Runs `scenario` in a death test's child, which reports to the parent only its exit code and
// its stderr: exits 0 if every expectation held, else prints the failures to stderr, exits 1.
template <typename Scenario>
[[noreturn]] void ExitWithTheOutcomeOf(Scenario scenario) {
  scenario();
  const ::testing::TestResult& result =
      *::testing::UnitTest::GetInstance()->current_test_info()->result();
  for (int i = 0; i < result.total_part_count(); ++i) {
    const ::testing::TestPartResult& part = result.GetTestPartResult(i);
    if (!part.failed()) continue;
    std::fprintf(stderr, "%s:%d: %s\n", part.file_name() ? part.file_name() : "?",
                 part.line_number(), part.message());
  }
  std::exit(result.Failed() ? 1 : 0);
}

TEST(DefaultInstanceTest, PreInitOverflowIsCountedOnOpen) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(ExitWithTheOutcomeOf(OverflowThePreInitBufferThenOpen), ::testing::ExitedWithCode(0),
              "");
}

TEST(DefaultInstanceTest, Lifecycle) {
  // --- Before OpenDefault(): handle calls are buffered. ---
  ASSERT_EQ(Default(), nullptr);
  kAUint.Add(3);
  kMaxTabs.SetMaximum(8);
  kMaxTabs.SetMaximum(5);
  kEngine.Set("gecko");
  kEnabled.Set(true);
  kSources.Add("alpha", 2);
  kCounts.Add("alpha", 1);
  kLabels.Set("tab", "pinned");
  kFlags.Set("on", true);
  kExpiredCount.Add(1);  // Expired for the app version: dropped (and counted) at replay.
  const int64_t before_event = SystemClock().NowMillis();
  kSeenEvent.Record(SeenEvent::Object::kThing, "v", {{SeenEvent::Extra::kFirst, "x"}});
  const int64_t after_event = SystemClock().NowMillis();
  constexpr int kBufferedCalls = 11;
  EXPECT_EQ(Default(), nullptr);

  // --- Handle calls from several threads race with OpenDefault(): nothing is lost. ---
  // Small enough that the pre-init buffer cannot overflow whatever the interleaving.
  constexpr int kThreads = 4;
  constexpr int kAdds = 200;
  constexpr int kKeyedEvery = 10;
  constexpr int kBeforeGate = kAdds / 8;  // Calls per thread certainly made before the open.
  static_assert(kBufferedCalls + kThreads * (kAdds + kAdds / kKeyedEvery) <= kPreInitCapacity);
  auto clock = std::make_shared<ManualClock>(kStartMillis);
  std::latch start(kThreads + 1);
  std::atomic<int> gated{0};    // Threads done with their first kBeforeGate calls.
  std::atomic<int> opening{0};  // 1 once OpenDefault() is about to be called.
  std::atomic<Telemetry*> seen_instance{nullptr};
  std::atomic<int> other_instances_seen{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string key = "t" + std::to_string(t);
      start.arrive_and_wait();
      for (int i = 0; i < kAdds; ++i) {
        if (i == kBeforeGate) {
          gated.fetch_add(1, std::memory_order_release);
          WaitFor(opening, 1);
        }
        kAUint.Add(1);
        if (i % kKeyedEvery == 0) kSources.Add(key, 1);
        if (Telemetry* instance = Default()) {
          Telemetry* expected = nullptr;
          if (!seen_instance.compare_exchange_strong(expected, instance) && expected != instance) {
            other_instances_seen.fetch_add(1);
          }
        } else if (i > kBeforeGate) {
          // Not open yet: spread the remaining calls over the open, so that some of them
          // find OpenDefault() holding the pre-init buffer.
          std::this_thread::yield();
        }
      }
    });
  }
  start.arrive_and_wait();
  WaitFor(gated, kThreads);
  opening.store(1, std::memory_order_release);
  Status opened = OpenDefault(TestConfig(clock));
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(opened.ok()) << opened.ToString();

  Telemetry* first = Default();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(other_instances_seen.load(), 0);
  if (Telemetry* seen = seen_instance.load()) {
    EXPECT_EQ(seen, first);
  }

  // --- The snapshot holds the buffered calls and every racing Add. ---
  kSeenEvent.Record(SeenEvent::Object::kThing, "after");  // At the manual clock's time.
  for (const char* store : {"main", "second-store"}) {
    SCOPED_TRACE(store);
    StoreSnapshot snapshot = SnapshotOrDie(*first, store, /*clear=*/false);
    EXPECT_EQ(UintIn(snapshot, kAUintName), 3u + kThreads * kAdds);
    EXPECT_EQ(UintIn(snapshot, "test.policy.max_tabs"), 8u);
    EXPECT_EQ(Scalar(snapshot, "test.policy.engine"), ScalarValue(std::string("gecko")));
    EXPECT_EQ(Scalar(snapshot, "test.policy.enabled"), ScalarValue(true));
    EXPECT_EQ(Keyed(snapshot, "test.policy.sources", "alpha"), ScalarValue(2u));
    for (int t = 0; t < kThreads; ++t) {
      EXPECT_EQ(Keyed(snapshot, "test.policy.sources", "t" + std::to_string(t)),
                ScalarValue(uint32_t{kAdds / kKeyedEvery}));
    }
    EXPECT_FALSE(Scalar(snapshot, "telemetry.recorder.preinit_overflows"));
    // The pre-init event keeps the time it was recorded at; the later one has the clock's.
    ASSERT_EQ(snapshot.events.size(), 2u);
    EXPECT_EQ(snapshot.events[0].timestamp_ms, kStartMillis);
    EXPECT_EQ(snapshot.events[0].value, "after");
    const EventEntry& buffered = snapshot.events[1];
    EXPECT_GE(buffered.timestamp_ms, before_event);
    EXPECT_LE(buffered.timestamp_ms, after_event);
    EXPECT_EQ(buffered.category, "test.policy");
    EXPECT_EQ(buffered.method, "seen");
    EXPECT_EQ(buffered.object, "thing");
    EXPECT_EQ(buffered.value, "v");
    EXPECT_EQ(buffered.extras, (std::vector<std::pair<std::string, std::string>>{{"first", "x"}}));
  }
  {
    StoreSnapshot main = SnapshotOrDie(*first, "main", /*clear=*/false);
    EXPECT_EQ(Keyed(main, "test.keyed.counts", "alpha"), ScalarValue(1u));
    EXPECT_EQ(Keyed(main, "test.keyed.labels", "tab"), ScalarValue(std::string("pinned")));
    EXPECT_EQ(Keyed(main, "test.keyed.flags", "on"), ScalarValue(true));
    EXPECT_FALSE(Scalar(main, "test.policy.expired_count"));
    EXPECT_EQ(Health(*first, "expired_probes"), 1u);
  }
  SnapshotOrDie(*first, "main", /*clear=*/true);
  SnapshotOrDie(*first, "second-store", /*clear=*/true);

  // --- Open twice: FailedPrecondition, and the open instance stays. ---
  Status again = OpenDefault(TestConfig());
  EXPECT_EQ(again.code(), Status::Code::kFailedPrecondition) << again.ToString();
  EXPECT_EQ(Default(), first);

  // --- Open: handle calls record straight into it. ---
  kAUint.Add(5);
  kEngine.Set("servo");
  EXPECT_EQ(UintIn(SnapshotOrDie(*first, "main", false), kAUintName), 5u);
  EXPECT_EQ(Scalar(SnapshotOrDie(*first, "second-store", false), "test.policy.engine"),
            ScalarValue(std::string("servo")));

  // --- ShutdownDefault() racing with handle calls from threads: all return. ---
  constexpr int kShutdownCalls = 700;
  std::atomic<int> progress{0};
  std::latch start_shutdown(kThreads + 1);
  threads.clear();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start_shutdown.arrive_and_wait();
      for (int i = 0; i < kShutdownCalls; ++i) {
        HandleCall(i + t);
        progress.fetch_add(1, std::memory_order_release);
      }
    });
  }
  start_shutdown.arrive_and_wait();
  WaitFor(progress, kThreads * kShutdownCalls / 3);
  ShutdownDefault();
  for (std::thread& thread : threads) thread.join();

  // --- After ShutdownDefault(): Default() is null, calls are no-ops, twice is fine. ---
  EXPECT_EQ(Default(), nullptr);
  EXPECT_EQ(first->Snapshot("main", false).status().code(), Status::Code::kFailedPrecondition);
  for (int op = 0; op < 14; ++op) HandleCall(op);
  kAUint.Add(1000);  // Neither recorded nor buffered for a later open.
  kSeenEvent.Record(SeenEvent::Object::kThing, "late");
  ShutdownDefault();
  EXPECT_EQ(Default(), nullptr);
  EXPECT_FALSE(first->ScalarAdd(kAUintName, 1).ok());

  // --- OpenDefault() again: a new instance that records again. ---
  Status reopened = OpenDefault(TestConfig());
  ASSERT_TRUE(reopened.ok()) << reopened.ToString();
  Telemetry* second = Default();
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second, first);
  EXPECT_TRUE(SnapshotOrDie(*second, "main", false).events.empty());
  EXPECT_FALSE(Scalar(SnapshotOrDie(*second, "main", false), kAUintName));
  kAUint.Add(7);
  kSeenEvent.Record(SeenEvent::Object::kThing, "reopened");
  first->Add(kAUint, 100);  // The old instance stays shut down.
  for (const char* store : {"main", "second-store"}) {
    SCOPED_TRACE(store);
    StoreSnapshot snapshot = SnapshotOrDie(*second, store, /*clear=*/false);
    EXPECT_EQ(UintIn(snapshot, kAUintName), 7u);
    ASSERT_EQ(snapshot.events.size(), 1u);
    EXPECT_EQ(snapshot.events[0].value, "reopened");
    EXPECT_EQ(snapshot.events[0].timestamp_ms, kStartMillis);
  }
  EXPECT_EQ(OpenDefault(TestConfig()).code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(first->Snapshot("main", false).status().code(), Status::Code::kFailedPrecondition);

  ShutdownDefault();
  EXPECT_EQ(Default(), nullptr);
  kAUint.Add(1);  // Still safe to call.
}

}  // namespace
}  // namespace telemetry::testing
