// Durable storage: what a checkpoint costs, and what checkpoints running in the background
// cost the recording threads, against the same recording with no persistence, in one run.
//
// The checkpoint case is the storage issue's: 1,000 uint probes in 3 stores each (registered
// at run time) plus 10,000 new events, written to the client's SQLite database (WAL).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "telemetry/project_probes.h"
#include "telemetry/telemetry.h"

namespace {

namespace account = telemetry::probes::account;
namespace engagement = telemetry::probes::browser_engagement;
using Created = account::CreatedEvent;

std::string TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "storage-bench-XXXXXX");
  return mkdtemp(pattern.data());
}

std::unique_ptr<telemetry::Telemetry> Open(const std::string& data_dir, int64_t interval_ms) {
  telemetry::TelemetryConfig config;
  config.app_name = "bench";
  config.app_version = "1.0";
  config.registry = telemetry::probes::CompiledRegistry();
  config.data_dir = data_dir;
  config.checkpoint_interval_ms = interval_ms;
  config.max_events_per_store = 1u << 30;
  return telemetry::Telemetry::Open(std::move(config)).value();
}

// 1,000 uint scalars, each in main, custom-store and account-ecosystem.
std::string ThousandScalars() {
  std::string yaml = "bench.many:\n";
  for (int i = 0; i < 1000; ++i) {
    yaml += "  probe_" + std::to_string(i) +
            "_x:\n    bug_numbers: [4]\n    description: d\n    expires: never\n"
            "    kind: uint\n    notification_emails: [a@example.org]\n"
            "    products: [firefox]\n    record_in_processes: [main]\n"
            "    release_channel_collection: opt-out\n"
            "    record_into_store: [main, custom-store, account-ecosystem]\n";
  }
  return yaml;
}

void BM_Checkpoint_1000ScalarsIn3Stores_10000Events(benchmark::State& state) {
  const std::string dir = TempDir();
  {
    std::unique_ptr<telemetry::Telemetry> t = Open(dir, 0);
    if (!t->RegisterScalars(ThousandScalars()).ok()) state.SkipWithError("registration failed");
    for (auto _ : state) {
      state.PauseTiming();
      for (const std::string& store : t->Stores()) (void)t->Snapshot(store, true);
      for (int i = 0; i < 1000; ++i) {
        (void)t->ScalarAdd("bench.many.probe_" + std::to_string(i) + "_x", i + 1);
      }
      for (int i = 0; i < 5000; ++i) {  // Into main and account-ecosystem: 10,000 events.
        t->Record(account::kCreatedEvent, Created::Object::kAccount, std::nullopt,
                  {{Created::Extra::kSeqId, "f1e2d3c4"},
                   {Created::Extra::kService, "sync"},
                   {Created::Extra::kNewUser, "1"}});
      }
      state.ResumeTiming();
      if (!t->Checkpoint().ok()) state.SkipWithError("checkpoint failed");
    }
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_Checkpoint_1000ScalarsIn3Stores_10000Events)->Unit(benchmark::kMillisecond);

// Recording while a background checkpoint runs every 10 ms (500 times as often as the 5 s
// default), against recording with no data directory.
void RecordUints(benchmark::State& state, telemetry::Telemetry& t) {
  for (auto _ : state) t.Add(engagement::kTabOpenEventCount, 1);
  state.SetItemsProcessed(state.iterations());
}

void RecordEvents(benchmark::State& state, telemetry::Telemetry& t) {
  int n = 0;
  for (auto _ : state) {
    t.Record(account::kCreatedEvent, Created::Object::kAccount, std::nullopt,
             {{Created::Extra::kSeqId, "f1e2d3c4"}, {Created::Extra::kService, "sync"}});
    if (++n == 1000) {  // Pings take the events now and then, as they would.
      state.PauseTiming();
      (void)t.Snapshot("main", true);
      (void)t.Snapshot("account-ecosystem", true);
      n = 0;
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_UintAdd_MemoryOnly(benchmark::State& state) {
  std::unique_ptr<telemetry::Telemetry> t = Open("", 0);
  RecordUints(state, *t);
}
void BM_UintAdd_WithCheckpointsEvery10ms(benchmark::State& state) {
  const std::string dir = TempDir();
  {
    std::unique_ptr<telemetry::Telemetry> t = Open(dir, 10);
    RecordUints(state, *t);
  }
  std::filesystem::remove_all(dir);
}
void BM_Event_MemoryOnly(benchmark::State& state) {
  std::unique_ptr<telemetry::Telemetry> t = Open("", 0);
  RecordEvents(state, *t);
}
void BM_Event_WithCheckpointsEvery10ms(benchmark::State& state) {
  const std::string dir = TempDir();
  {
    std::unique_ptr<telemetry::Telemetry> t = Open(dir, 10);
    RecordEvents(state, *t);
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_UintAdd_MemoryOnly)->UseRealTime();
BENCHMARK(BM_UintAdd_WithCheckpointsEvery10ms)->UseRealTime();
BENCHMARK(BM_Event_MemoryOnly)->UseRealTime();
BENCHMARK(BM_Event_WithCheckpointsEvery10ms)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
