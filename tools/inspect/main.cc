// telemetry-inspect: about:telemetry for the terminal.
//
//   telemetry-inspect lint FILE...            validate Scalars.yaml / Events.yaml files
//   telemetry-inspect definitions [SEARCH]    the probes compiled into this build
//
// Exit codes: 0 success, 1 the files or data have errors, 2 bad usage.
#include <CLI/CLI.hpp>
#include <iostream>

#include "definitions_command.h"
#include "lint_command.h"
#include "telemetry/project_probes.h"
#include "terminal.h"

int main(int argc, char** argv) {
  CLI::App app{"telemetry-inspect: about:telemetry for the terminal"};
  app.require_subcommand(1);

  telemetry::inspect::LintOptions lint;
  CLI::App* lint_cmd = app.add_subcommand("lint", "Validate Scalars.yaml and Events.yaml files");
  lint_cmd->add_option("files", lint.files, "Probe files (kind from the name, else the content)")
      ->check(CLI::ExistingFile);
  lint_cmd->add_option("--scalars", lint.scalars_files, "Read these files as Scalars.yaml")
      ->check(CLI::ExistingFile);
  lint_cmd->add_option("--events", lint.events_files, "Read these files as Events.yaml")
      ->check(CLI::ExistingFile);
  lint_cmd->add_option("--app-version", lint.registry.app_version,
                       "Warn about probes expired for this application version");
  lint_cmd->add_option("--product", lint.registry.extra_products,
                       "Accept this product name beside Firefox's (repeatable)");

  telemetry::inspect::DefinitionsOptions definitions;
  CLI::App* definitions_cmd =
      app.add_subcommand("definitions", "List the probes compiled into this build");
  definitions_cmd->add_option("search", definitions.search,
                              "Show only probes whose name or description holds this text");
  definitions_cmd->add_flag("--json", definitions.json, "Print JSON instead of a table");

  CLI11_PARSE(app, argc, argv);

  if (lint_cmd->parsed()) {
    if (lint.files.empty() && lint.scalars_files.empty() && lint.events_files.empty()) {
      std::cerr << "telemetry-inspect lint: name at least one probe file\n";
      return 2;
    }
    return telemetry::inspect::RunLint(lint, std::cout, std::cerr);
  }
  if (definitions_cmd->parsed()) {
    definitions.width = telemetry::inspect::TerminalWidth();
    return telemetry::inspect::RunDefinitions(*telemetry::probes::CompiledRegistry(), definitions,
                                              std::cout);
  }
  return 2;
}
