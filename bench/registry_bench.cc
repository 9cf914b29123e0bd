// Loading and validating Firefox's Scalars.yaml (281 scalars) and Events.yaml (88 events).
//
// Baseline: yaml-cpp parsing the same text into nodes, with no validation; the gap is the
// cost of our checks and of building the registry. Files are read into memory first, so no
// disk time is measured.
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "telemetry/registry.h"

namespace {

std::string Fixture(const std::string& name) {
  const char* shared = std::getenv("TELEMETRY_SHARED_DIR");
  std::ifstream in(std::string(shared ? shared : TELEMETRY_SHARED_DIR) + "/fixtures/firefox/" +
                   name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::string& Scalars() {
  static const std::string text = Fixture("Scalars.yaml");
  return text;
}

const std::string& Events() {
  static const std::string text = Fixture("Events.yaml");
  return text;
}

void BM_LoadAndValidateFirefoxProbes(benchmark::State& state) {
  for (auto _ : state) {
    telemetry::RegistryBuilder builder;
    builder.AddScalarsYaml(Scalars(), "Scalars.yaml");
    builder.AddEventsYaml(Events(), "Events.yaml");
    std::shared_ptr<const telemetry::Registry> registry = builder.Build();
    if (!registry || registry->scalars().size() != 281) state.SkipWithError("load failed");
    benchmark::DoNotOptimize(registry);
  }
  state.counters["probes/s"] =
      benchmark::Counter(369.0, benchmark::Counter::kIsIterationInvariantRate);
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(Scalars().size() + Events().size()));
}
BENCHMARK(BM_LoadAndValidateFirefoxProbes)->Unit(benchmark::kMillisecond);

void BM_Baseline_YamlParseOnly(benchmark::State& state) {
  for (auto _ : state) {
    YAML::Node scalars = YAML::Load(Scalars());
    YAML::Node events = YAML::Load(Events());
    benchmark::DoNotOptimize(scalars);
    benchmark::DoNotOptimize(events);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(Scalars().size() + Events().size()));
}
BENCHMARK(BM_Baseline_YamlParseOnly)->Unit(benchmark::kMillisecond);

// A dynamic (run-time) registration of one small probe on top of Firefox's registry: the
// cost an application pays per RegisterScalars call.
void BM_RegisterOneDynamicScalar(benchmark::State& state) {
  telemetry::RegistryBuilder base_builder;
  base_builder.AddScalarsYaml(Scalars(), "Scalars.yaml");
  std::shared_ptr<const telemetry::Registry> base = base_builder.Build();
  const std::string yaml =
      "dynamic.bench:\n  one:\n    bug_numbers: [1]\n    description: d\n    expires: never\n"
      "    kind: uint\n    notification_emails: [a@example.org]\n    products: [firefox]\n"
      "    record_in_processes: [main]\n";
  for (auto _ : state) {
    telemetry::RegistryBuilder builder(*base);
    builder.AddScalarsYaml(yaml, "<dynamic>");
    benchmark::DoNotOptimize(builder.Build());
  }
}
BENCHMARK(BM_RegisterOneDynamicScalar)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
