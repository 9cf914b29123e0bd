#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "probe_reader.h"
#include "telemetry/registry.h"
#include "yaml_fields.h"

namespace telemetry {
namespace {

// Reads a whole file; an error diagnostic when it cannot be read.
std::optional<std::string> ReadFile(const std::string& path, std::vector<Diagnostic>* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out->push_back(Diagnostic{
        Diagnostic::Severity::kError, {path, 0, 0}, "", "cannot open the file for reading"});
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    out->push_back(
        Diagnostic{Diagnostic::Severity::kError, {path, 0, 0}, "", "cannot read the file"});
    return std::nullopt;
  }
  return text.str();
}

// Adds `probe` to `list` under `index` unless its name is taken.
template <typename Info>
void Insert(Info probe, std::vector<Info>& list, std::unordered_map<std::string, uint32_t>& index,
            std::vector<Diagnostic>* out) {
  std::string name = probe.FullName();
  auto [it, inserted] = index.emplace(name, static_cast<uint32_t>(list.size()));
  if (!inserted) {
    const SourceLocation& first = list[it->second].location;
    std::string where = first.file + (first.line > 0 ? ":" + std::to_string(first.line) : "");
    out->push_back(Diagnostic{Diagnostic::Severity::kError, probe.location, name,
                              "is defined twice (first at " + where + ")"});
    return;
  }
  list.push_back(std::move(probe));
}

// Lower-cased copy.
std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

RegistryBuilder::RegistryBuilder(RegistryOptions options)
    : options_(std::move(options)), registry_(std::make_unique<Registry>()) {}

RegistryBuilder::RegistryBuilder(const Registry& base, RegistryOptions options)
    : options_(std::move(options)), registry_(std::make_unique<Registry>(base)) {}

void RegistryBuilder::AddScalarsFile(const std::string& path) {
  if (std::optional<std::string> text = ReadFile(path, &diagnostics_)) {
    AddScalarsYaml(*text, path);
  }
}

void RegistryBuilder::AddEventsFile(const std::string& path) {
  if (std::optional<std::string> text = ReadFile(path, &diagnostics_)) {
    AddEventsYaml(*text, path);
  }
}

void RegistryBuilder::AddFile(const std::string& path) {
  std::optional<std::string> text = ReadFile(path, &diagnostics_);
  if (!text) return;
  std::string name = Lower(std::filesystem::path(path).filename().string());
  bool scalars = name.find("scalar") != std::string::npos;
  bool events = name.find("event") != std::string::npos;
  if (scalars == events) {
    // The name does not tell: the content does, once it parses. A syntax error is reported
    // as a well-named file would report it (file:line:column), instead of the kind.
    internal::Reporter reporter(path, &diagnostics_);
    bool parsed = false;
    YAML::Node root = internal::ParseYaml(*text, reporter, &parsed);
    if (!parsed) return;
    internal::ProbeFileKind kind = internal::GuessProbeFileKind(root);
    scalars = kind == internal::ProbeFileKind::kScalars;
    events = kind == internal::ProbeFileKind::kEvents;
  }
  if (scalars) {
    AddScalarsYaml(*text, path);
  } else if (events) {
    AddEventsYaml(*text, path);
  } else {
    diagnostics_.push_back(Diagnostic{
        Diagnostic::Severity::kError,
        {path, 0, 0},
        "",
        "cannot tell whether this file holds scalars or events (name it Scalars*.yaml or "
        "Events*.yaml)"});
  }
}

void RegistryBuilder::AddScalarsYaml(std::string_view yaml, std::string_view source_name) {
  internal::Reporter reporter(std::string(source_name), &diagnostics_);
  for (ScalarInfo& scalar : internal::ReadScalars(yaml, options_, reporter)) {
    AddScalar(std::move(scalar));
  }
}

void RegistryBuilder::AddEventsYaml(std::string_view yaml, std::string_view source_name) {
  internal::Reporter reporter(std::string(source_name), &diagnostics_);
  for (EventInfo& event : internal::ReadEvents(yaml, options_, reporter)) {
    AddEvent(std::move(event));
  }
}

void RegistryBuilder::AddScalar(ScalarInfo scalar) {
  Insert(std::move(scalar), registry_->scalars_, registry_->scalar_index_, &diagnostics_);
}

void RegistryBuilder::AddEvent(EventInfo event) {
  Insert(std::move(event), registry_->events_, registry_->event_index_, &diagnostics_);
}

bool RegistryBuilder::has_errors() const { return CountErrors(diagnostics_) > 0; }

std::shared_ptr<const Registry> RegistryBuilder::Build() {
  std::unique_ptr<Registry> registry = std::move(registry_);
  registry_ = std::make_unique<Registry>();
  if (has_errors()) return nullptr;
  return registry;
}

}  // namespace telemetry
