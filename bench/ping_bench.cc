// Building a ping from a store of 1,000 scalars and 1,000 events: the protobuf envelope,
// serialisation and zstd, against protobuf's JSON form of the same ping (what a JSON-based
// client would send), with the sizes of each.
#include <benchmark/benchmark.h>

#include "ping_codec.h"
#include "telemetry/snapshot.h"

namespace {

telemetry::StoreSnapshot BigStore() {
  telemetry::StoreSnapshot snapshot;
  snapshot.store = "main";
  for (int i = 0; i < 1000; ++i) {
    snapshot.scalars.push_back(
        {"browser.engagement.probe_" + std::to_string(i), static_cast<uint32_t>(i * 37)});
  }
  for (int i = 0; i < 1000; ++i) {
    snapshot.events.push_back({1456358400000 + i * 1000,
                               "account",
                               i % 2 ? "created" : "login",
                               "account",
                               std::nullopt,
                               {{"seq_id", "f1e2d3c4-" + std::to_string(i / 10)},
                                {"service", "sync"},
                                {"new_user", i % 3 ? "0" : "1"}}});
  }
  return snapshot;
}

pings::internal::Envelope TheEnvelope() {
  pings::internal::Envelope e;
  e.document_id = "6f1c1a2e-0b9e-4a57-9d2b-0c7a3b1c2d3e";
  e.document_type = "main";
  e.app_name = "demo";
  e.app_version = "1.4.0";
  e.channel = "release";
  e.creation_time_ms = 1456444800000;
  e.reason = "daily";
  e.client_id = "0d0e0f10-1112-4314-9516-171819202122";
  e.store = "main";
  return e;
}

void BM_BuildEncodeCompressPing(benchmark::State& state) {
  const telemetry::StoreSnapshot snapshot = BigStore();
  const pings::internal::Envelope envelope = TheEnvelope();
  size_t bytes = 0;
  for (auto _ : state) {
    telemetry::Result<std::string> body =
        pings::internal::EncodePing(pings::internal::BuildPing(envelope, snapshot), 1 << 20);
    bytes = body->size();
    benchmark::DoNotOptimize(body);
  }
  const telemetry::ping::Ping ping = pings::internal::BuildPing(envelope, snapshot);
  state.counters["protobuf_bytes"] = static_cast<double>(ping.SerializeAsString().size());
  state.counters["protobuf_zstd_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_BuildEncodeCompressPing)->Unit(benchmark::kMicrosecond);

void BM_Baseline_BuildJsonPing(benchmark::State& state) {
  const telemetry::StoreSnapshot snapshot = BigStore();
  const pings::internal::Envelope envelope = TheEnvelope();
  size_t bytes = 0;
  size_t compressed = 0;
  for (auto _ : state) {
    std::string json = pings::internal::ToJson(pings::internal::BuildPing(envelope, snapshot));
    bytes = json.size();
    benchmark::DoNotOptimize(json);
    state.PauseTiming();
    compressed = pings::internal::Compress(json).size();
    state.ResumeTiming();
  }
  state.counters["json_bytes"] = static_cast<double>(bytes);
  state.counters["json_zstd_bytes"] = static_cast<double>(compressed);
}
BENCHMARK(BM_Baseline_BuildJsonPing)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
