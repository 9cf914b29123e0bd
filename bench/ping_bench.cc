// Building a ping from a store of 1,000 scalars and 1,000 events: the protobuf envelope,
// serialisation and zstd, against protobuf's JSON form of the same ping (what a JSON-based
// client would send), with the sizes of each.
#include <benchmark/benchmark.h>

#include "telemetry/base/zstd.h"
#include "telemetry/wire/ping_codec.h"

namespace {

// A store of 1,000 scalars and 1,000 events, as the pings library lays it into a payload.
telemetry::ping::Ping BigPing(const telemetry::wire::Envelope& envelope) {
  telemetry::ping::Ping ping = telemetry::wire::MakePing(envelope);
  telemetry::ping::Payload* payload = ping.mutable_payload();
  for (int i = 0; i < 1000; ++i) {
    telemetry::ping::Scalar* scalar = payload->add_scalars();
    scalar->set_name("browser.engagement.probe_" + std::to_string(i));
    scalar->mutable_value()->set_uint_value(static_cast<uint32_t>(i * 37));
  }
  for (int i = 0; i < 1000; ++i) {
    telemetry::ping::Event* event = payload->add_events();
    event->set_timestamp_ms(1456358400000 + i * 1000);
    event->set_category("account");
    event->set_method(i % 2 ? "created" : "login");
    event->set_object("account");
    (*event->mutable_extras())["seq_id"] = "f1e2d3c4-" + std::to_string(i / 10);
    (*event->mutable_extras())["service"] = "sync";
    (*event->mutable_extras())["new_user"] = i % 3 ? "0" : "1";
  }
  return ping;
}

telemetry::wire::Envelope TheEnvelope() {
  telemetry::wire::Envelope e;
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
  const telemetry::wire::Envelope envelope = TheEnvelope();
  size_t bytes = 0;
  for (auto _ : state) {
    telemetry::Result<std::string> body = telemetry::wire::EncodePing(BigPing(envelope), 1 << 20);
    bytes = body->size();
    benchmark::DoNotOptimize(body);
  }
  const telemetry::ping::Ping ping = BigPing(envelope);
  state.counters["protobuf_bytes"] = static_cast<double>(ping.SerializeAsString().size());
  state.counters["protobuf_zstd_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_BuildEncodeCompressPing)->Unit(benchmark::kMicrosecond);

void BM_Baseline_BuildJsonPing(benchmark::State& state) {
  const telemetry::wire::Envelope envelope = TheEnvelope();
  size_t bytes = 0;
  size_t compressed = 0;
  for (auto _ : state) {
    std::string json = telemetry::wire::ToJson(BigPing(envelope));
    bytes = json.size();
    benchmark::DoNotOptimize(json);
    state.PauseTiming();
    compressed = telemetry::ZstdCompress(json)->size();
    state.ResumeTiming();
  }
  state.counters["json_bytes"] = static_cast<double>(bytes);
  state.counters["json_zstd_bytes"] = static_cast<double>(compressed);
}
BENCHMARK(BM_Baseline_BuildJsonPing)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
