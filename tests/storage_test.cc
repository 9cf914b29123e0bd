// Durable client storage: stores survive restarts, clears and pings are transactional, and
// every fault (corrupt file, newer schema, second process, unwritable or full disk) is
// answered without a crash.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "recorder_support.h"
#include "telemetry/base/sqlite.h"
#include "telemetry/data_directory.h"
#include "test_support.h"

namespace telemetry {
namespace {

using testing::Health;
using testing::Keyed;
using testing::Scalar;
using testing::SnapshotOrDie;
namespace kinds = test_probes::test_kinds;
namespace policy = test_probes::test_policy;
using Seen = policy::SeenEvent;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class StorageTest : public ::testing::Test {
 protected:
  TelemetryConfig Config() {
    TelemetryConfig config = testing::TestConfig(clock_);
    config.data_dir = dir_.path();
    config.checkpoint_interval_ms = 0;  // Checkpoints only when the test says so.
    return config;
  }
  std::unique_ptr<Telemetry> Open() { return testing::OpenOrDie(Config()); }
  void RecordSome(Telemetry& t) {
    t.Add(kinds::kAUint, 5);
    t.Set(policy::kEngine, "duck");
    t.Set(policy::kEnabled, true);
    t.Add(policy::kSources, "urlbar", 3);
    t.Record(policy::kSeenEvent, Seen::Object::kThing, "one", {{Seen::Extra::kFirst, "1"}});
    clock_->Advance(10);
    t.Record(policy::kSeenEvent, Seen::Object::kThing, std::nullopt);
  }

  testing::ScopedTempDir dir_;
  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>(testing::kStartMillis);
};

TEST_F(StorageTest, StoresSurviveARestart) {
  StoreSnapshot before_main, before_second;
  {
    std::unique_ptr<Telemetry> t = Open();
    RecordSome(*t);
    before_main = SnapshotOrDie(*t, "main", false);
    before_second = SnapshotOrDie(*t, "second-store", false);
  }  // Shutdown writes a last checkpoint.
  std::unique_ptr<Telemetry> t = Open();
  StoreSnapshot main = SnapshotOrDie(*t, "main", false);
  EXPECT_EQ(main.scalars, before_main.scalars);
  EXPECT_EQ(main.keyed_scalars, before_main.keyed_scalars);
  EXPECT_EQ(main.events, before_main.events);
  EXPECT_EQ(SnapshotOrDie(*t, "second-store", false).events, before_second.events);
  // Restored values go on counting.
  t->Add(kinds::kAUint, 1);
  EXPECT_EQ(Scalar(SnapshotOrDie(*t, "main", false), "test.kinds.a_uint"), ScalarValue(6u));
}

TEST_F(StorageTest, EventsAreCheckpointedIncrementallyInOrder) {
  {
    std::unique_ptr<Telemetry> t = Open();
    RecordSome(*t);
    ASSERT_TRUE(t->Checkpoint().ok());
    clock_->Advance(10);
    t->Record(policy::kSeenEvent, Seen::Object::kThing, "three");
    ASSERT_TRUE(t->Checkpoint().ok());
    ASSERT_TRUE(t->Checkpoint().ok());  // Nothing new: nothing repeated.
  }
  std::unique_ptr<Telemetry> t = Open();
  StoreSnapshot main = SnapshotOrDie(*t, "main", false);
  ASSERT_EQ(main.events.size(), 3u);
  EXPECT_EQ(main.events[0].value, std::optional<std::string>("one"));
  EXPECT_EQ(main.events[0].extras[0], (std::pair<std::string, std::string>{"first", "1"}));
  EXPECT_FALSE(main.events[1].value.has_value());
  EXPECT_EQ(main.events[2].value, std::optional<std::string>("three"));
  EXPECT_EQ(main.events[2].timestamp_ms, testing::kStartMillis + 20);
}

TEST_F(StorageTest, ASnapshotAndClearIsClearedOnDiskToo) {
  {
    std::unique_ptr<Telemetry> t = Open();
    RecordSome(*t);
    ASSERT_TRUE(t->Checkpoint().ok());
    StoreSnapshot taken = SnapshotOrDie(*t, "main", true);
    EXPECT_EQ(Scalar(taken, "test.kinds.a_uint"), ScalarValue(5u));
  }
  std::unique_ptr<Telemetry> t = Open();
  StoreSnapshot main = SnapshotOrDie(*t, "main", false);
  EXPECT_FALSE(Scalar(main, "test.kinds.a_uint"));
  EXPECT_TRUE(main.events.empty());
  StoreSnapshot second = SnapshotOrDie(*t, "second-store", false);
  EXPECT_EQ(Scalar(second, "test.kinds.a_uint"), ScalarValue(5u));  // The other store kept it.
  EXPECT_EQ(second.events.size(), 2u);
}

TEST_F(StorageTest, ASubmittedStoreIsQueuedAndClearedInOneStep) {
  {
    std::unique_ptr<Telemetry> t = Open();
    RecordSome(*t);
    ASSERT_TRUE(t->Checkpoint().ok());
    Status status = t->ping_storage()->SubmitStore(
        "main", {.document_id = "6f1c1a2e-0b9e-4a57-9d2b-0c7a3b1c2d3e", .ping_type = "custom"},
        [](const StoreSnapshot& snapshot) -> Result<std::string> {
          return "events=" + std::to_string(snapshot.events.size());
        });
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  std::unique_ptr<Telemetry> t = Open();
  Result<std::vector<PendingPing>> pending = t->ping_storage()->PendingPings();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].document_id, "6f1c1a2e-0b9e-4a57-9d2b-0c7a3b1c2d3e");
  EXPECT_EQ((*pending)[0].ping_type, "custom");
  EXPECT_EQ((*pending)[0].body, "events=2");
  EXPECT_TRUE(SnapshotOrDie(*t, "main", false).events.empty());
  EXPECT_EQ(SnapshotOrDie(*t, "second-store", false).events.size(), 2u);
}

TEST_F(StorageTest, AFailedBuildIsCountedAndNothingIsQueued) {
  std::unique_ptr<Telemetry> t = Open();
  RecordSome(*t);
  Status status = t->ping_storage()->SubmitStore(
      "main", {.document_id = "6f1c1a2e-0b9e-4a57-9d2b-0c7a3b1c2d3f", .ping_type = "custom"},
      [](const StoreSnapshot&) -> Result<std::string> {
        return Status::Internal("cannot encode");
      });
  EXPECT_EQ(status.code(), Status::Code::kInternal);
  EXPECT_TRUE(t->ping_storage()->PendingPings()->empty());
  EXPECT_EQ(Health(*t, "discarded_pings", "second-store"), 1u);
}

// What the data directory holds for `name` in `store`, as DataDirectoryReader shows it.
std::optional<ScalarValue> OnDisk(const std::string& data_dir, const std::string& store,
                                  const std::string& name) {
  Result<std::unique_ptr<DataDirectoryReader>> reader = DataDirectoryReader::Open(data_dir);
  if (!reader.ok()) return std::nullopt;
  Result<std::vector<StoredStore>> stores = (*reader)->Stores();
  if (!stores.ok()) return std::nullopt;
  for (const StoredStore& stored : *stores) {
    if (stored.store == store) return Scalar(stored.contents, name);
  }
  return std::nullopt;
}

// Waits (real time, bounded) for what another thread is to do.
template <typename Predicate>
bool Eventually(Predicate done, int timeout_ms = 10000) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST_F(StorageTest, ABuildThatFailsDiscardsTheStoreOnDiskTooSoARestartDoesNotBringItBack) {
  std::unique_ptr<Telemetry> t = Open();
  RecordSome(*t);
  ASSERT_TRUE(t->Checkpoint().ok());
  ASSERT_EQ(OnDisk(dir_.path(), "main", "test.kinds.a_uint"), ScalarValue(5u));
  Status status = t->ping_storage()->SubmitStore(
      "main", {.document_id = "6f1c1a2e-0b9e-4a57-9d2b-0c7a3b1c2d40", .ping_type = "custom"},
      [](const StoreSnapshot&) -> Result<std::string> {
        return Status::Internal("cannot encode");
      });
  EXPECT_EQ(status.code(), Status::Code::kInternal);
  // Its values are gone from memory and, in the same step, from the disk: a crash now would
  // not restore them (docs/PINGS.md, "A ping that cannot be built").
  EXPECT_FALSE(Scalar(SnapshotOrDie(*t, "main", false), "test.kinds.a_uint"));
  EXPECT_FALSE(OnDisk(dir_.path(), "main", "test.kinds.a_uint"));
  EXPECT_EQ(OnDisk(dir_.path(), "second-store", "test.kinds.a_uint"), ScalarValue(5u));
}

TEST_F(StorageTest, ABuilderThatReturnsAnEmptyBodyQueuesNothingAndIsCounted) {
  std::unique_ptr<Telemetry> t = Open();
  RecordSome(*t);
  ASSERT_TRUE(t->Checkpoint().ok());
  Status status = t->ping_storage()->SubmitStore(
      "main", {.document_id = "6f1c1a2e-0b9e-4a57-9d2b-0c7a3b1c2d41", .ping_type = "custom"},
      [](const StoreSnapshot&) -> Result<std::string> { return std::string(); });
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(t->ping_storage()->PendingPings()->empty());
  EXPECT_EQ(Health(*t, "discarded_pings", "second-store"), 1u);
  EXPECT_FALSE(Scalar(SnapshotOrDie(*t, "main", false), "test.kinds.a_uint"));
  EXPECT_FALSE(OnDisk(dir_.path(), "main", "test.kinds.a_uint"));
  t.reset();  // Nothing of it comes back after a restart either.
  t = Open();
  EXPECT_TRUE(t->ping_storage()->PendingPings()->empty());
  EXPECT_FALSE(Scalar(SnapshotOrDie(*t, "main", false), "test.kinds.a_uint"));
}

TEST_F(StorageTest, EnqueueOfAnEmptyBodyQueuesNothingAndIsCounted) {
  std::unique_ptr<Telemetry> t = Open();
  RecordSome(*t);
  PendingPing empty{.document_id = "6f1c1a2e-0b9e-4a57-9d2b-0c7a3b1c2d42", .ping_type = "custom"};
  PingState state{"custom", 7, testing::kStartMillis, testing::kStartMillis};
  EXPECT_EQ(t->ping_storage()->Enqueue(empty, &state).code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(t->ping_storage()->PendingPings()->empty());
  EXPECT_TRUE(t->ping_storage()->PingStates()->empty());  // Its state is not saved either.
  EXPECT_EQ(Health(*t, "discarded_pings", "second-store"), 1u);
  // No store is touched: Enqueue takes nothing from one.
  EXPECT_EQ(Scalar(SnapshotOrDie(*t, "main", false), "test.kinds.a_uint"), ScalarValue(5u));
}

// The checkpoint thread waits on the configured clock: simulated time drives it, with no
// Checkpoint() call, and what it wrote shows through DataDirectoryReader.
TEST_F(StorageTest, ThePeriodicCheckpointRunsWhenTheClockPassesItsInterval) {
  constexpr int64_t kInterval = 60 * 60 * 1000;  // An hour: never reached in real time here.
  TelemetryConfig config = Config();
  config.checkpoint_interval_ms = kInterval;
  std::unique_ptr<Telemetry> t = testing::OpenOrDie(config);
  RecordSome(*t);
  clock_->Advance(kInterval - 11);  // RecordSome advanced 10: 1 ms short of the interval.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(OnDisk(dir_.path(), "main", "test.kinds.a_uint"));  // Not due yet.
  clock_->Advance(1);
  EXPECT_TRUE(Eventually([&] {
    return OnDisk(dir_.path(), "main", "test.kinds.a_uint") == ScalarValue(5u);
  })) << "no checkpoint after the clock passed checkpoint_interval_ms";
  // And again one interval later.
  t->Add(kinds::kAUint, 2);
  clock_->Advance(kInterval);
  EXPECT_TRUE(Eventually([&] {
    return OnDisk(dir_.path(), "main", "test.kinds.a_uint") == ScalarValue(7u);
  })) << "no second checkpoint";
  // Shutdown wakes the thread's wait on a clock that no longer moves.
  t.reset();
}

TEST_F(StorageTest, ShutdownWakesTheCheckpointThreadOnAClockThatNeverMoves) {
  TelemetryConfig config = Config();
  config.checkpoint_interval_ms = 1;
  for (int i = 0; i < 20; ++i) {
    std::unique_ptr<Telemetry> t = testing::OpenOrDie(config);
    RecordSome(*t);
  }  // Each Shutdown returns: the thread's wait on the manual clock is woken.
  EXPECT_EQ(OnDisk(dir_.path(), "main", "test.kinds.a_uint"), ScalarValue(100u));
}

TEST_F(StorageTest, TheClientIdIsMadeOnceAndKept) {
  std::string first;
  {
    std::unique_ptr<Telemetry> t = Open();
    first = t->client_id();
  }
  EXPECT_EQ(first.size(), 36u);
  EXPECT_EQ(first[14], '4');  // Version 4.
  std::unique_ptr<Telemetry> t = Open();
  EXPECT_EQ(t->client_id(), first);
  std::unique_ptr<Telemetry> memory_only = testing::OpenOrDie(testing::TestConfig());
  EXPECT_NE(memory_only->client_id(), first);
}

TEST_F(StorageTest, ASecondInstanceOnTheSameDirectoryIsRefused) {
  std::unique_ptr<Telemetry> first = Open();
  Result<std::unique_ptr<Telemetry>> second = Telemetry::Open(Config());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
  // Inspection opens it read-only meanwhile.
  Result<std::unique_ptr<DataDirectoryReader>> reader = DataDirectoryReader::Open(dir_.path());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->PendingPings().ok());
  first.reset();
  EXPECT_TRUE(Telemetry::Open(Config()).ok());  // Free again once the first is gone.
}

TEST_F(StorageTest, ACorruptFileIsMovedAsideAndCounted) {
  std::filesystem::create_directories(dir_.path());
  std::ofstream(dir_.Sub("telemetry.db")) << std::string(8192, 'x');  // Not a database.
  std::unique_ptr<Telemetry> t = Open();
  bool moved = false;
  for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    if (entry.path().filename().string().starts_with("telemetry.db.corrupt-")) {
      moved = true;
      EXPECT_EQ(ReadFile(entry.path().string()), std::string(8192, 'x'));
    }
  }
  EXPECT_TRUE(moved);
  EXPECT_EQ(Health(*t, "corrupt_databases"), 1u);
  RecordSome(*t);
  EXPECT_TRUE(t->Checkpoint().ok());  // The fresh database works.
}

TEST_F(StorageTest, ADamagedDatabaseIsMovedAsideToo) {
  {
    std::unique_ptr<Telemetry> t = Open();
    RecordSome(*t);
  }
  // Overwrite the middle of the file (past the header) with garbage.
  std::string bytes = ReadFile(dir_.Sub("telemetry.db"));
  ASSERT_GT(bytes.size(), 8192u);
  for (size_t i = 4096; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7);
  std::ofstream(dir_.Sub("telemetry.db"), std::ios::binary | std::ios::trunc) << bytes;
  std::filesystem::remove(dir_.Sub("telemetry.db-wal"));
  std::unique_ptr<Telemetry> t = Open();
  EXPECT_EQ(Health(*t, "corrupt_databases"), 1u);
  EXPECT_TRUE(t->Checkpoint().ok());
}

TEST_F(StorageTest, ANewerSchemaIsRefusedAndLeftUntouched) {
  { Open(); }
  {
    Result<std::unique_ptr<sqlite::Database>> db =
        sqlite::Database::Open(dir_.Sub("telemetry.db"), sqlite::Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Execute("INSERT INTO schema_version VALUES (99)").ok());
    ASSERT_TRUE((*db)->Execute("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  }
  const std::string before = ReadFile(dir_.Sub("telemetry.db"));
  Result<std::unique_ptr<Telemetry>> opened = Telemetry::Open(Config());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(opened.status().message().find("newer version"), std::string::npos);
  EXPECT_EQ(ReadFile(dir_.Sub("telemetry.db")), before);
}

TEST_F(StorageTest, AVersion1DatabaseKeepsItsDeletionRequestsUntilSent) {
  { Open(); }
  {  // Back to schema 1, as an older build left it: a deletion request and a ping queued.
    Result<std::unique_ptr<sqlite::Database>> db =
        sqlite::Database::Open(dir_.Sub("telemetry.db"), sqlite::Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok());
    for (const char* sql : {
             "ALTER TABLE pending_pings DROP COLUMN keep_until_sent",
             "DELETE FROM schema_version WHERE version > 1",
             "INSERT INTO pending_pings (document_id, ping, store, created_ms, body) "
             "VALUES ('a', 'deletion-request', '', 1, x'01'), ('b', 'main', 'main', 2, x'02')",
         }) {
      ASSERT_TRUE((*db)->Execute(sql).ok()) << sql;
    }
  }
  std::unique_ptr<Telemetry> t = Open();
  Result<std::unique_ptr<DataDirectoryReader>> reader = DataDirectoryReader::Open(dir_.path());
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(*(*reader)->SchemaVersion(), 2);
  Result<std::vector<PendingPing>> pending = t->ping_storage()->PendingPings();
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_TRUE((*pending)[0].keep_until_sent);
  EXPECT_FALSE((*pending)[1].keep_until_sent);
  ASSERT_TRUE(t->ping_storage()->DeleteAllPending().ok());
  pending = t->ping_storage()->PendingPings();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].ping_type, "deletion-request");
}

TEST_F(StorageTest, PingsKeptUntilSentEscapeDeleteAllPendingAndTheQuota) {
  std::unique_ptr<Telemetry> t = Open();
  PingStorage& storage = *t->ping_storage();
  ASSERT_TRUE(storage
                  .Enqueue({.document_id = "kept",
                            .ping_type = "deletion-request",
                            .created_ms = testing::kStartMillis,
                            .body = "k",
                            .keep_until_sent = true})
                  .ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(storage
                    .Enqueue({.document_id = "p" + std::to_string(i),
                              .ping_type = "custom",
                              .created_ms = testing::kStartMillis + 1 + i,
                              .body = "p"})
                    .ok());
  }
  // A quota of one ping: the oldest ordinary ones go, the kept one neither goes nor counts.
  Result<int> evicted = storage.EnforceQuota({.max_count = 1}, testing::kStartMillis + 10);
  ASSERT_TRUE(evicted.ok());
  EXPECT_EQ(*evicted, 2);
  // Older than any age limit: still kept.
  evicted =
      storage.EnforceQuota({.max_age_ms = 1}, testing::kStartMillis + 100LL * 24 * 60 * 60 * 1000);
  EXPECT_EQ(*evicted, 1);
  ASSERT_TRUE(storage.Enqueue({.document_id = "q", .ping_type = "custom", .body = "q"}).ok());
  ASSERT_TRUE(storage.DeleteAllPending().ok());
  t.reset();
  t = Open();  // And after a restart.
  ASSERT_TRUE(t->ping_storage()->DeleteAllPending().ok());
  Result<std::vector<PendingPing>> pending = t->ping_storage()->PendingPings();
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].document_id, "kept");
  EXPECT_TRUE((*pending)[0].keep_until_sent);
  ASSERT_TRUE(t->ping_storage()->ArchivePing("kept", testing::kStartMillis).ok());  // Sent.
  EXPECT_TRUE(t->ping_storage()->PendingPings()->empty());
  EXPECT_EQ(t->ping_storage()->ArchivedPings()->size(), 1u);
  ASSERT_TRUE(t->ping_storage()->DeleteArchive().ok());
  EXPECT_TRUE(t->ping_storage()->ArchivedPings()->empty());
}

TEST_F(StorageTest, AnUnwritableDirectoryKeepsRecordingInMemory) {
  TelemetryConfig config = Config();
  config.data_dir = "/proc/telemetry-cannot-be-here";
  std::unique_ptr<Telemetry> t = testing::OpenOrDie(config);
  RecordSome(*t);
  Status checkpoint = t->Checkpoint();
  EXPECT_EQ(checkpoint.code(), Status::Code::kIoError);
  EXPECT_GE(Health(*t, "storage_errors"), 2u);  // At open and at the checkpoint.
  EXPECT_EQ(Scalar(SnapshotOrDie(*t, "main", true), "test.kinds.a_uint"), ScalarValue(5u));
  EXPECT_EQ(t->client_id().size(), 36u);
}

// A full disk, for real: a child process whose file-size limit is reached while it writes.
TEST_F(StorageTest, AFullDiskIsCountedAndRetriedWithoutACrash) {
  { Open(); }  // Create the database with room to spare.
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);  // Writes past the limit fail with EFBIG instead.
    rlimit limit{256 * 1024, 256 * 1024};
    setrlimit(RLIMIT_FSIZE, &limit);
    Result<std::unique_ptr<Telemetry>> opened = Telemetry::Open(Config());
    if (!opened.ok()) _exit(10);
    Telemetry& t = **opened;
    for (int i = 0; i < 2000; ++i) {
      t.Record(policy::kSeenEvent, Seen::Object::kThing, std::string(70, 'v'),
               {{Seen::Extra::kFirst, std::string(70, 'a')},
                {Seen::Extra::kSecond, std::string(70, 'b')}});
    }
    if (t.Checkpoint().ok()) _exit(11);  // Must fail: the file cannot grow.
    if (t.Checkpoint().ok()) _exit(12);  // Retried, fails again, still no crash.
    t.Add(kinds::kAUint, 1);             // Recording goes on.
    Result<StoreSnapshot> main = t.Snapshot("main", false);
    if (!main.ok() || main->events.size() != 2000) _exit(13);
    if (Health(t, "storage_errors", "second-store") < 2) _exit(14);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child crashed";
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The database still opens afterwards.
  std::unique_ptr<Telemetry> t = Open();
  EXPECT_TRUE(t->Checkpoint().ok());
}

}  // namespace
}  // namespace telemetry
