// The probe registry: every scalar and event definition an application may record.
//
// A Registry is immutable once built, so it is shared freely between threads
// (std::shared_ptr<const Registry>). Probe ids are indexes into scalars() and events(); they
// never change for the life of a registry, and a registry extended at run time keeps every id
// of the one it extends (new probes are appended).
//
// RegistryBuilder reads Firefox's Scalars.yaml / Events.yaml format unchanged (plus our one
// extension: events may carry `record_into_store` like scalars) and validates it by Firefox's
// rules. It never throws and never stops at the first problem: every problem of every input
// is collected as a Diagnostic with its file:line:column, and Build() refuses to produce a
// registry while any error stands. Warnings (an expired probe, the obsolete
// `operating_systems`) do not stop the build. A builder is single-threaded.
//
//   telemetry::RegistryBuilder builder({.app_version = "121.0"});
//   builder.AddScalarsFile("Scalars.yaml");
//   builder.AddEventsFile("Events.yaml");
//   for (const auto& d : builder.diagnostics()) std::cerr << d.ToString() << "\n";
//   std::shared_ptr<const telemetry::Registry> registry = builder.Build();  // null on error
#ifndef TELEMETRY_REGISTRY_H_
#define TELEMETRY_REGISTRY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "telemetry/diagnostic.h"
#include "telemetry/probe_info.h"

namespace telemetry {

struct RegistryOptions {
  // The application's version, for expiry. Probes expired for it load with a warning (the
  // recorder will not record them). Empty: no expiry checks.
  std::string app_version;
  // Product names accepted in `products` beside Firefox's (firefox, fennec, thunderbird).
  std::vector<std::string> extra_products;
};

class Registry {
 public:
  Registry() = default;

  const std::vector<ScalarInfo>& scalars() const { return scalars_; }
  const std::vector<EventInfo>& events() const { return events_; }

  // Index of the scalar "category.name" in scalars(), if there is one.
  std::optional<uint32_t> FindScalar(std::string_view full_name) const;
  // Index of the event `name` of `category` in events(), if there is one.
  std::optional<uint32_t> FindEvent(std::string_view category, std::string_view name) const;

  // Every store named by any probe, sorted, without repeats.
  std::vector<std::string> Stores() const;
  // The number of recordable method x object pairs over all events.
  size_t EventPairCount() const;

 private:
  friend class RegistryBuilder;

  std::vector<ScalarInfo> scalars_;
  std::vector<EventInfo> events_;
  std::unordered_map<std::string, uint32_t> scalar_index_;  // By full name.
  std::unordered_map<std::string, uint32_t> event_index_;   // By full name.
};

class RegistryBuilder {
 public:
  explicit RegistryBuilder(RegistryOptions options = {});
  // Starts from every probe of `base`; probes added later get the ids after base's, and a name
  // that `base` already holds is an error.
  RegistryBuilder(const Registry& base, RegistryOptions options = {});

  RegistryBuilder(const RegistryBuilder&) = delete;
  RegistryBuilder& operator=(const RegistryBuilder&) = delete;

  // Reads and validates a file. A file that cannot be read is an error diagnostic.
  void AddScalarsFile(const std::string& path);
  void AddEventsFile(const std::string& path);
  // Reads a probe file of either kind: a name holding "scalar" or "event" says which, else
  // the first definition does (a `kind` field: scalars; `objects`: events).
  void AddFile(const std::string& path);
  // Same, for YAML text held in memory (dynamic probes); `source_name` stands in for the
  // file name in diagnostics.
  void AddScalarsYaml(std::string_view yaml, std::string_view source_name);
  void AddEventsYaml(std::string_view yaml, std::string_view source_name);

  // Adds a definition that was validated before (the generator's compiled-in table). Only the
  // uniqueness of its name is checked here.
  void AddScalar(ScalarInfo scalar);
  void AddEvent(EventInfo event);

  // Everything found so far, in the order found.
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  bool has_errors() const;

  // The registry of everything added, or nullptr if any error was found. The builder holds
  // no probes afterwards; diagnostics() still lists what was found.
  std::shared_ptr<const Registry> Build();

 private:
  RegistryOptions options_;
  std::unique_ptr<Registry> registry_;
  std::vector<Diagnostic> diagnostics_;
};

}  // namespace telemetry

#endif  // TELEMETRY_REGISTRY_H_
