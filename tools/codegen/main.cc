// telemetry-codegen: validates Scalars.yaml and Events.yaml and writes the typed C++ probes.
//
//   telemetry-codegen --scalars Scalars.yaml --events Events.yaml
//       --header out/probes.h --source out/probes.cc --include telemetry/probes.h
//
// Every problem is printed as file:line:column; any error means no output and exit 1.
// Outputs are only rewritten when their content changes, so builds stay incremental.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "emitter.h"
#include "telemetry/registry.h"

namespace {

// Writes `content` to `path` unless it already holds exactly that.
bool WriteIfChanged(const std::string& path, const std::string& content) {
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream existing;
      existing << in.rdbuf();
      if (existing.str() == content) return true;
    }
  }
  std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path());
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) {
      std::cerr << path << ": error: cannot write the file\n";
      return false;
    }
  }
  std::filesystem::rename(temp, target);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Compiles Scalars.yaml and Events.yaml into typed C++ probe handles."};
  std::vector<std::string> scalars_files;
  std::vector<std::string> events_files;
  std::string header_path;
  std::string source_path;
  telemetry::codegen::EmitOptions emit;
  telemetry::RegistryOptions registry_options;
  app.add_option("--scalars", scalars_files, "Scalars.yaml files")->check(CLI::ExistingFile);
  app.add_option("--events", events_files, "Events.yaml files")->check(CLI::ExistingFile);
  app.add_option("--header", header_path, "The header to write")->required();
  app.add_option("--source", source_path, "The source file to write")->required();
  app.add_option("--include", emit.include_path, "How the source includes the header")->required();
  app.add_option("--namespace", emit.cpp_namespace, "C++ namespace of the handles")
      ->capture_default_str();
  app.add_option("--product", registry_options.extra_products,
                 "A product name to accept beside Firefox's (repeatable)");
  CLI11_PARSE(app, argc, argv);

  telemetry::RegistryBuilder builder(registry_options);
  for (const std::string& file : scalars_files) {
    builder.AddScalarsFile(file);
    emit.inputs.push_back(std::filesystem::path(file).filename().string());
  }
  for (const std::string& file : events_files) {
    builder.AddEventsFile(file);
    emit.inputs.push_back(std::filesystem::path(file).filename().string());
  }
  for (const telemetry::Diagnostic& d : builder.diagnostics()) std::cerr << d.ToString() << "\n";
  std::shared_ptr<const telemetry::Registry> registry = builder.Build();
  if (!registry) {
    std::cerr << "telemetry-codegen: no code generated: fix the errors above\n";
    return 1;
  }
  std::vector<telemetry::Diagnostic> problems;
  std::optional<telemetry::codegen::GeneratedCode> code =
      telemetry::codegen::Emit(*registry, emit, &problems);
  for (const telemetry::Diagnostic& d : problems) std::cerr << d.ToString() << "\n";
  if (!code) {
    std::cerr << "telemetry-codegen: no code generated: fix the errors above\n";
    return 1;
  }
  if (!WriteIfChanged(header_path, code->header) || !WriteIfChanged(source_path, code->source)) {
    return 1;
  }
  return 0;
}
