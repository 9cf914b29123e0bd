// The durability promise under kill -9: a child records from several threads, checkpoints and
// submits pings, and is killed at a random point, many times over one data directory. After
// each kill, per store: everything found on disk (queued pings + restored values) is at most
// what was recorded and at least what was recorded before the last completed checkpoint; no
// event is found twice; the database always opens.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "recorder_support.h"
#include "test_support.h"

namespace telemetry {
namespace {

namespace kinds = test_probes::test_kinds;
namespace policy = test_probes::test_policy;
using Seen = policy::SeenEvent;

constexpr int kIterations = 20;
const char* const kStores[] = {"main", "second-store"};

// Counters shared with the children. `*_durable` is what had completed when the last finished
// checkpoint began; the parent resets it to `*_completed` before each child starts.
struct Shared {
  std::atomic<uint64_t> adds_started;
  std::atomic<uint64_t> adds_completed;
  std::atomic<uint64_t> adds_durable;
  std::atomic<uint64_t> events_started;
  std::atomic<uint64_t> events_completed;
  std::atomic<uint64_t> events_durable;
  std::atomic<bool> child_ready;  // Set by a child once a checkpoint covered some of its adds.
};

TelemetryConfig ChildConfig(const std::string& dir) {
  TelemetryConfig config = testing::TestConfig(std::make_shared<ManualClock>(1));
  config.data_dir = dir;
  config.checkpoint_interval_ms = 0;  // The child's own thread checkpoints, counting as it goes.
  config.max_events_per_store = 1u << 30;
  return config;
}

// A ping body: "<uint value> <event id> <event id> ...".
Result<std::string> Encode(const StoreSnapshot& snapshot) {
  std::ostringstream out;
  std::optional<ScalarValue> value = testing::Scalar(snapshot, "test.kinds.a_uint");
  out << (value ? std::get<uint32_t>(*value) : 0);
  for (const EventEntry& event : snapshot.events) out << ' ' << event.extras.at(0).second;
  return out.str();
}

[[noreturn]] void RunChild(const std::string& dir, Shared* shared, unsigned seed) {
  Result<std::unique_ptr<Telemetry>> opened = Telemetry::Open(ChildConfig(dir));
  if (!opened.ok()) _exit(3);
  Telemetry& t = **opened;
  const uint64_t adds_at_start = shared->adds_completed.load();
  std::vector<std::thread> threads;
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&] {
      for (uint64_t i = 0;; ++i) {
        shared->adds_started.fetch_add(1);
        t.Add(kinds::kAUint, 1);
        shared->adds_completed.fetch_add(1);
        if (i % 16 == 0) std::this_thread::yield();  // Leave room for checkpoints.
        if (i % 64 == 0) {
          uint64_t id = shared->events_started.fetch_add(1);
          t.Record(policy::kSeenEvent, Seen::Object::kThing, std::nullopt,
                   {{Seen::Extra::kFirst, std::to_string(id)}});
          shared->events_completed.fetch_add(1);
        }
      }
    });
  }
  threads.emplace_back([&] {
    for (;;) {
      uint64_t adds = shared->adds_completed.load();
      uint64_t events = shared->events_completed.load();
      if (t.Checkpoint().ok()) {
        shared->adds_durable.store(adds);
        shared->events_durable.store(events);
        if (adds > adds_at_start) shared->child_ready.store(true);
      }
    }
  });
  threads.emplace_back([&] {
    std::mt19937 random(seed);
    for (uint64_t n = 0;; ++n) {
      char id[40];
      std::snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012llx",
                    static_cast<unsigned long long>(seed) * 1000000 + n);
      (void)t.ping_storage()->SubmitStore(kStores[random() % 2],
                                          {.document_id = id, .ping_type = "test"}, Encode);
      // A pause between pings: the storage lock is not fair, and a loop taking it back at once
      // can starve the checkpoint thread for as long as the machine is busy (CI once hung here).
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });
  for (std::thread& thread : threads) thread.join();
  _exit(0);
}

TEST(CrashTest, KillMinus9LosesAtMostTheLastCheckpointWindowAndNeverDuplicates) {
  testing::ScopedTempDir dir;
  void* memory =
      mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(memory, MAP_FAILED);
  Shared* shared = new (memory) Shared{};
  std::mt19937 random(20261122);
  // What the disk held after the previous kill, per store.
  std::map<std::string, uint64_t> found_adds;
  std::map<std::string, size_t> found_events;

  for (int iteration = 0; iteration < kIterations; ++iteration) {
    const uint64_t adds_started = shared->adds_started.load();
    const uint64_t adds_completed = shared->adds_completed.load();
    const uint64_t events_started = shared->events_started.load();
    const uint64_t events_completed = shared->events_completed.load();
    shared->adds_durable.store(adds_completed);
    shared->events_durable.store(events_completed);
    shared->child_ready.store(false);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) RunChild(dir.path(), shared, static_cast<unsigned>(iteration + 1));
    // Once a checkpoint holds some of its work, let it run for a random while: a random kill
    // point, not a timing assertion. (A child that dies first is caught by waitpid below.)
    // The wait is bounded so that a child stuck before its first checkpoint fails here, with
    // its reason, rather than hanging the suite until ctest's timeout.
    int status = 0;
    pid_t ended = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!shared->child_ready.load() && (ended = waitpid(child, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() < deadline) {
      usleep(1000);
    }
    if (!shared->child_ready.load() && ended == 0) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      FAIL() << "iteration " << iteration << ": no checkpoint covered the child's adds in 120 s ("
             << shared->adds_completed.load() - adds_completed << " adds, "
             << shared->events_completed.load() - events_completed << " events)";
    }
    ASSERT_EQ(ended, 0) << "the child ended before its first checkpoint, status " << status;
    usleep(5000 + random() % 100000);
    ASSERT_EQ(kill(child, SIGKILL), 0);
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child ended by itself with " << status;

    Result<std::unique_ptr<Telemetry>> opened = Telemetry::Open(ChildConfig(dir.path()));
    ASSERT_TRUE(opened.ok()) << "iteration " << iteration << ": " << opened.status().ToString();
    Telemetry& t = **opened;
    Result<std::vector<PendingPing>> pending = t.ping_storage()->PendingPings();
    ASSERT_TRUE(pending.ok());
    std::set<std::string> document_ids;
    for (const auto& ping : *pending) {
      EXPECT_TRUE(document_ids.insert(ping.document_id).second) << "ping queued twice";
    }
    for (const char* store : kStores) {
      // Everything of this store on disk: its restored contents and its queued pings.
      std::vector<std::string> bodies = {*Encode(testing::SnapshotOrDie(t, store, false))};
      for (const auto& ping : *pending) {
        if (ping.store == store) bodies.push_back(ping.body);
      }
      uint64_t adds = 0;
      std::set<uint64_t> events;
      for (const std::string& body : bodies) {
        std::istringstream in(body);
        uint64_t value = 0;
        in >> value;
        adds += value;
        for (uint64_t id = 0; in >> id;) {
          EXPECT_TRUE(events.insert(id).second)
              << "iteration " << iteration << ", " << store << ": event " << id << " twice";
        }
      }
      SCOPED_TRACE(std::string("iteration ") + std::to_string(iteration) + ", store " + store);
      // At most what was there plus what this child began; at least what was there plus
      // what it finished before its last completed checkpoint.
      EXPECT_LE(adds, found_adds[store] + (shared->adds_started.load() - adds_started));
      EXPECT_GE(adds, found_adds[store] + (shared->adds_durable.load() - adds_completed));
      EXPECT_LE(events.size(),
                found_events[store] + (shared->events_started.load() - events_started));
      EXPECT_GE(events.size(),
                found_events[store] + (shared->events_durable.load() - events_completed));
      EXPECT_TRUE(events.empty() || *events.rbegin() < shared->events_started.load());
      found_adds[store] = adds;
      found_events[store] = events.size();
      EXPECT_GT(shared->adds_durable.load(), adds_completed);  // The lower bound was tested.
    }
    t.Shutdown();
  }
  munmap(memory, sizeof(Shared));
}

}  // namespace
}  // namespace telemetry
