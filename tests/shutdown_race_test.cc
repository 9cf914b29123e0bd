// "Shutdown is boring": every call may race with Shutdown() and returns normally; calls after
// it do nothing. And run-time registration racing with recording and snapshots loses nothing.
//
// Each race runs a number of times on fresh instances. The races are bounded by op counts, not
// by time: threads start together behind a latch, and the shutdown point is a (seeded) random
// number of completed ops.
#include <array>
#include <atomic>
#include <cstdint>
#include <latch>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "recorder_support.h"

namespace telemetry::testing {
namespace {

using test_probes::test_keyed::kFlags;
using test_probes::test_keyed::kLabels;
using test_probes::test_kinds::kAUint;
using test_probes::test_policy::kEnabled;
using test_probes::test_policy::kEngine;
using test_probes::test_policy::kMaxTabs;
using test_probes::test_policy::kSeenEvent;
using test_probes::test_policy::kSources;
using test_probes::test_policy::SeenEvent;

constexpr int kIterations = 20;

// "a", "b", ...: probe names may not end in a digit.
std::string Letter(int index) { return std::string(1, static_cast<char>('a' + index)); }

// A small valid scalar file declaring one uint `category.name` (opt-out) in `stores`.
std::string UintProbeYaml(const std::string& category, const std::string& name,
                          const std::string& stores, bool keyed = false) {
  return category + ":\n  " + name +
         ":\n"
         "    bug_numbers: [4]\n"
         "    description: Registered at run time.\n"
         "    expires: never\n"
         "    kind: uint\n" +
         (keyed ? "    keyed: true\n" : "") +
         "    notification_emails: [dev@example.org]\n"
         "    products: [firefox]\n"
         "    record_in_processes: [main]\n"
         "    release_channel_collection: opt-out\n"
         "    record_into_store: [" +
         stores + "]\n";
}

// What one thread saw of its calls' Statuses while Shutdown() raced with them: each call is ok
// before the thread first sees FailedPrecondition and FailedPrecondition from then on.
class StatusLog {
 public:
  void Note(const Status& status, const char* call) {
    ++calls_;
    if (status.ok()) {
      if (shut_down_) Bad(call, "ok after the instance was seen shut down");
    } else if (status.code() == Status::Code::kFailedPrecondition) {
      shut_down_ = true;
    } else {
      Bad(call, status.ToString());
    }
  }
  bool saw_shut_down() const { return shut_down_; }
  int calls() const { return calls_; }
  int bad() const { return bad_; }
  const std::string& first_bad() const { return first_bad_; }

 private:
  void Bad(const char* call, const std::string& what) {
    if (bad_++ == 0) first_bad_ = std::string(call) + ": " + what;
  }
  bool shut_down_ = false;
  int calls_ = 0;
  int bad_ = 0;
  std::string first_bad_;
};

// One op of a recording thread: every kind of call in turn.
void RecordingOp(Telemetry& telemetry, int thread, int op, StatusLog& log) {
  static const std::array<std::string, 2> kStores = {"main", "second-store"};
  switch (op % 12) {
    case 0:
      telemetry.Add(kAUint, 1);
      break;
    case 1:
      telemetry.Set(kEngine, "engine-" + std::to_string(op));
      break;
    case 2:
      telemetry.Set(kEnabled, op % 2 == 0);
      break;
    case 3:
      telemetry.Add(kSources, "t" + std::to_string(thread), 2);
      telemetry.SetMaximum(kMaxTabs, static_cast<uint32_t>(op));
      break;
    case 4:
      telemetry.Record(kSeenEvent, SeenEvent::Object::kThing, "v",
                       {{SeenEvent::Extra::kFirst, std::to_string(op)}});
      break;
    case 5:
      log.Note(telemetry.ScalarAdd("test.kinds.a_uint", 3), "ScalarAdd");
      break;
    case 6: {
      const EventExtra extras[] = {{"first", "a"}, {"third", "c"}};
      log.Note(telemetry.RecordEvent("test.policy", "seen", "thing", "w", extras), "RecordEvent");
      break;
    }
    case 7:
      telemetry.Set(kLabels, "label", "value");
      telemetry.Set(kFlags, "flag", true);
      telemetry.Set(kMaxTabs, 4);
      break;
    case 8:
      log.Note(telemetry.Snapshot(kStores[op % 2], /*clear=*/op % 3 == 0).status(), "Snapshot");
      break;
    case 9:
      log.Note(telemetry.ScalarSet("test.policy.engine", std::string("by-name")), "ScalarSet");
      log.Note(telemetry.KeyedScalarAdd("test.policy.sources", "by-name", 1), "KeyedScalarAdd");
      break;
    case 10:
      log.Note(telemetry.ScalarSetMaximum("test.policy.max_tabs", op), "ScalarSetMaximum");
      log.Note(telemetry.KeyedScalarSet("test.keyed.flags", "k", true), "KeyedScalarSet");
      break;
    case 11:
      log.Note(telemetry.KeyedScalarSetMaximum("test.policy.sources", "m", op),
               "KeyedScalarSetMaximum");
      (void)telemetry.Stores();
      (void)telemetry.registry();
      break;
  }
}

TEST(ShutdownRaceTest, EveryCallRacingWithShutdownReturnsAndLaterCallsDoNothing) {
  constexpr int kRecorders = 3;
  constexpr int kOps = 600;
  constexpr int kRegistrations = 6;
  std::mt19937 random(20160225);

  for (int iteration = 0; iteration < kIterations; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    std::unique_ptr<Telemetry> telemetry = OpenOrDie(TestConfig());
    ASSERT_NE(telemetry, nullptr);
    // Shut down after a random number of recording ops, anywhere from the first to the last.
    const int shutdown_at = std::uniform_int_distribution<int>(0, kRecorders * kOps - 1)(random);

    std::latch start(kRecorders + 2);
    std::atomic<int> progress{0};
    std::array<StatusLog, kRecorders + 1> logs;  // The last is the registrar's.
    std::vector<std::thread> threads;
    for (int t = 0; t < kRecorders; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int op = 0; op < kOps; ++op) {
          RecordingOp(*telemetry, t, op + t, logs[t]);
          progress.fetch_add(1, std::memory_order_acq_rel);
        }
      });
    }
    // Registers new probes (and records into them by name) until it sees the shutdown.
    threads.emplace_back([&] {
      StatusLog& log = logs[kRecorders];
      start.arrive_and_wait();
      for (int r = 0; r < kRegistrations && !log.saw_shut_down(); ++r) {
        const std::string name = "probe_" + Letter(r);
        Status status = telemetry->RegisterScalars(
            UintProbeYaml("test.race", name, r % 2 == 0 ? "main" : "main, race-store"));
        log.Note(status, "RegisterScalars");
        if (status.ok()) log.Note(telemetry->ScalarAdd("test.race." + name, 1), "ScalarAdd");
      }
    });
    std::thread shutdown([&] {
      start.arrive_and_wait();
      while (progress.load(std::memory_order_acquire) < shutdown_at) std::this_thread::yield();
      telemetry->Shutdown();
      telemetry->Shutdown();  // Twice is fine.
    });
    for (std::thread& thread : threads) thread.join();
    shutdown.join();

    for (size_t t = 0; t < logs.size(); ++t) {
      EXPECT_EQ(logs[t].bad(), 0) << "thread " << t << ": " << logs[t].first_bad();
    }

    // After Shutdown every call does nothing: by-name calls and snapshots say so...
    for (const char* store : {"main", "second-store", "race-store", "no-such-store"}) {
      Result<StoreSnapshot> snapshot = telemetry->Snapshot(store, /*clear=*/false);
      ASSERT_FALSE(snapshot.ok()) << store;
      EXPECT_EQ(snapshot.status().code(), Status::Code::kFailedPrecondition) << store;
      EXPECT_EQ(telemetry->Snapshot(store, /*clear=*/true).status().code(),
                Status::Code::kFailedPrecondition)
          << store;
    }
    StatusLog after;
    for (int op = 0; op < 24; ++op) RecordingOp(*telemetry, 0, op, after);
    EXPECT_EQ(after.bad(), 0) << after.first_bad();
    EXPECT_TRUE(after.saw_shut_down());
    EXPECT_FALSE(telemetry->ScalarAdd("test.kinds.a_uint", 1).ok());
    EXPECT_FALSE(telemetry->ScalarAdd("no.such_probe", 1).ok());
    EXPECT_FALSE(telemetry->RecordEvent("test.policy", "seen", "thing").ok());
    EXPECT_FALSE(telemetry->RegisterScalars(UintProbeYaml("test.race", "late", "main")).ok());
    EXPECT_FALSE(telemetry->RegisterEvents("test.race:\n  late:\n    objects: [x]\n").ok());
    // ...typed calls and switches return without effect...
    telemetry->SetRecordingEnabled(false);
    telemetry->SetExtendedCollection(false);
    telemetry->SetEventCategoryEnabled("test.policy", false);
    telemetry->Add(kAUint, 1);
    telemetry->Record(kSeenEvent, SeenEvent::Object::kThing);
    EXPECT_EQ(telemetry->Snapshot("main", false).status().code(),
              Status::Code::kFailedPrecondition);
    // ...the registry can still be read, Shutdown once more is fine, and so is destruction.
    EXPECT_NE(telemetry->registry(), nullptr);
    EXPECT_FALSE(telemetry->Stores().empty());
    telemetry->Shutdown();
    telemetry.reset();
  }
}

// Run-time registration racing with by-name recording (into a dynamic probe registered before,
// and into the ones being registered) and with snapshot-and-clear: every value that a call
// accepted arrives, exactly once per store.
TEST(ShutdownRaceTest, RegistrationRacingWithByNameRecordingAndSnapshotsLosesNothing) {
  constexpr int kRecorders = 2;
  constexpr int kOps = 2000;
  constexpr int kNewProbes = 8;
  const std::array<std::string, 2> kStores = {"main", "second-store"};
  const std::array<std::string, 2> kKeys = {"one", "two"};

  for (int iteration = 0; iteration < kIterations; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration));
    std::unique_ptr<Telemetry> telemetry = OpenOrDie(TestConfig());
    ASSERT_NE(telemetry, nullptr);
    ASSERT_TRUE(
        telemetry->RegisterScalars(UintProbeYaml("test.dynamic", "counter", "main, second-store"))
            .ok());
    ASSERT_TRUE(telemetry
                    ->RegisterScalars(UintProbeYaml("test.dynamic", "keyed_counter",
                                                    "main, second-store", /*keyed=*/true))
                    .ok());

    std::latch start(kRecorders + 2);
    std::atomic<int> snapshots_taken{0};
    std::atomic<int> registered{0};
    std::atomic<bool> recording_done{false};
    // Per recording thread: what its accepted calls added.
    std::array<uint64_t, kRecorders> added{};
    std::array<std::map<std::string, uint64_t>, kRecorders> keyed_added;
    std::array<std::array<uint64_t, kNewProbes>, kRecorders> new_added{};
    std::array<int, kRecorders> failures{};
    std::array<std::string, kRecorders> first_failure;

    std::vector<std::thread> threads;
    for (int t = 0; t < kRecorders; ++t) {
      threads.emplace_back([&, t] {
        auto fail = [&](const Status& status) {
          if (failures[t]++ == 0) first_failure[t] = status.ToString();
        };
        start.arrive_and_wait();
        for (int op = 0; op < kOps; ++op) {
          if (op == kOps / 2) {
            while (snapshots_taken.load(std::memory_order_acquire) < 4 ||
                   registered.load(std::memory_order_acquire) < kNewProbes / 2) {
              std::this_thread::yield();
            }
          }
          const uint32_t amount = 1 + static_cast<uint32_t>(op % 5);
          if (Status s = telemetry->ScalarAdd("test.dynamic.counter", amount); s.ok()) {
            added[t] += amount;
          } else {
            fail(s);
          }
          const std::string& key = kKeys[(op + t) % kKeys.size()];
          if (Status s = telemetry->KeyedScalarAdd("test.dynamic.keyed_counter", key, 1); s.ok()) {
            keyed_added[t][key] += 1;
          } else {
            fail(s);
          }
          // A probe being registered: unknown until it is, then every Add arrives.
          const int k = op % kNewProbes;
          Status s = telemetry->ScalarAdd("test.dynamic.new_" + Letter(k), 1);
          if (s.ok()) {
            ++new_added[t][k];
          } else if (s.code() != Status::Code::kNotFound) {
            fail(s);
          }
        }
      });
    }
    Status registration_status;
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int k = 0; k < kNewProbes; ++k) {
        // Some name a store no probe named before.
        const std::string stores = k % 2 == 0 ? "main" : "main, dynamic-store";
        Status status =
            telemetry->RegisterScalars(UintProbeYaml("test.dynamic", "new_" + Letter(k), stores));
        if (!status.ok() && registration_status.ok()) registration_status = status;
        registered.fetch_add(1, std::memory_order_release);
      }
    });

    std::array<uint64_t, 2> counter_sum{};
    std::array<std::map<std::string, uint64_t>, 2> keyed_sum;
    std::array<uint64_t, kNewProbes> new_sum{};  // In "main".
    int failed_snapshots = 0;
    auto take = [&](const StoreSnapshot& snapshot, size_t s) {
      if (std::optional<ScalarValue> value = Scalar(snapshot, "test.dynamic.counter")) {
        counter_sum[s] += std::get<uint32_t>(*value);
      }
      for (const std::string& key : kKeys) {
        if (std::optional<ScalarValue> value = Keyed(snapshot, "test.dynamic.keyed_counter", key)) {
          keyed_sum[s][key] += std::get<uint32_t>(*value);
        }
      }
      if (s != 0) return;
      for (int k = 0; k < kNewProbes; ++k) {
        if (std::optional<ScalarValue> value = Scalar(snapshot, "test.dynamic.new_" + Letter(k))) {
          new_sum[k] += std::get<uint32_t>(*value);
        }
      }
    };
    std::thread snapshotter([&] {
      start.arrive_and_wait();
      for (size_t n = 0; !recording_done.load(std::memory_order_acquire); ++n) {
        Result<StoreSnapshot> snapshot = telemetry->Snapshot(kStores[n % 2], /*clear=*/true);
        if (!snapshot.ok()) {
          ++failed_snapshots;
          continue;
        }
        take(*snapshot, n % 2);
        if (n % 8 == 0) (void)telemetry->Stores();
        snapshots_taken.fetch_add(1, std::memory_order_release);
      }
    });

    for (std::thread& thread : threads) thread.join();
    recording_done.store(true, std::memory_order_release);
    snapshotter.join();
    for (size_t s = 0; s < kStores.size(); ++s) {
      take(SnapshotOrDie(*telemetry, kStores[s], /*clear=*/true), s);
    }

    ASSERT_TRUE(registration_status.ok()) << registration_status.ToString();
    EXPECT_EQ(failed_snapshots, 0);
    uint64_t total = 0;
    std::map<std::string, uint64_t> keyed_total;
    std::array<uint64_t, kNewProbes> new_total{};
    for (int t = 0; t < kRecorders; ++t) {
      EXPECT_EQ(failures[t], 0) << first_failure[t];
      total += added[t];
      for (const auto& [key, sum] : keyed_added[t]) keyed_total[key] += sum;
      for (int k = 0; k < kNewProbes; ++k) new_total[k] += new_added[t][k];
    }
    EXPECT_EQ(total, uint64_t{kRecorders} * (kOps / 5) * (1 + 2 + 3 + 4 + 5));
    for (size_t s = 0; s < kStores.size(); ++s) {
      EXPECT_EQ(counter_sum[s], total) << kStores[s];
      EXPECT_EQ(keyed_sum[s], keyed_total) << kStores[s];
    }
    for (int k = 0; k < kNewProbes; ++k) {
      EXPECT_EQ(new_sum[k], new_total[k]) << "test.dynamic.new_" << Letter(k);
    }
    // The odd probes also went to the store their registration created, never cleared so far.
    StoreSnapshot dynamic = SnapshotOrDie(*telemetry, "dynamic-store", /*clear=*/false);
    for (int k = 1; k < kNewProbes; k += 2) {
      const std::string name = "test.dynamic.new_" + Letter(k);
      std::optional<ScalarValue> value = Scalar(dynamic, name);
      EXPECT_EQ(value ? std::get<uint32_t>(*value) : 0u, new_total[k]) << name;
    }
    // Every registration is in the registry now, and records.
    std::shared_ptr<const Registry> registry = telemetry->registry();
    for (int k = 0; k < kNewProbes; ++k) {
      const std::string name = "test.dynamic.new_" + Letter(k);
      EXPECT_TRUE(registry->FindScalar(name)) << name;
      EXPECT_TRUE(telemetry->ScalarAdd(name, 1).ok()) << name;
    }
    EXPECT_EQ(telemetry->Stores(),
              (std::vector<std::string>{"dynamic-store", "main", "second-store"}));
  }
}

}  // namespace
}  // namespace telemetry::testing
