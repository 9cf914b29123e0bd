// telemetry-inspect: about:telemetry for the terminal.
//
//   telemetry-inspect --data-dir DIR client | stores | scalars | events | pings | ping show ID
//   telemetry-inspect definitions [SEARCH]
//   telemetry-inspect lint FILE...
//
// Read-only and safe while the application runs. Tables fit the terminal; --json on every verb
// prints JSON instead. Exit codes: 0 success, 1 the files or data have errors, 2 bad usage.
#include <CLI/CLI.hpp>
#include <iostream>

#include "data_commands.h"
#include "definitions_command.h"
#include "lint_command.h"
#include "telemetry/project_probes.h"
#include "terminal.h"

int main(int argc, char** argv) {
  CLI::App app{"telemetry-inspect: about:telemetry for the terminal"};
  app.require_subcommand(1);
  app.fallthrough();
  telemetry::inspect::DataOptions data;
  bool json = false;
  app.add_option("--data-dir", data.data_dir, "The application's telemetry data directory");
  app.add_flag("--json", json, "Print JSON instead of a table");

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

  CLI::App* client_cmd =
      app.add_subcommand("client", "Client id, first run, upload state, the database");
  CLI::App* stores_cmd = app.add_subcommand("stores", "Each store's counts of held values");
  CLI::App* scalars_cmd = app.add_subcommand("scalars", "Scalars and keyed scalars held");
  scalars_cmd->add_option("--store", data.store, "Only this store");
  scalars_cmd->add_option("--filter", data.filter, "Only probes matching this glob");
  CLI::App* events_cmd = app.add_subcommand("events", "Events held, oldest first");
  events_cmd->add_option("--store", data.store, "Only this store");
  events_cmd->add_option("--category", data.category, "Only this category");
  events_cmd->add_option("--limit", data.limit, "At most this many (the newest)");
  std::string which;
  CLI::App* pings_cmd = app.add_subcommand("pings", "Pending or archived pings, newest first");
  pings_cmd->add_option("which", which, "pending or archived")
      ->required()
      ->check(CLI::IsMember({"pending", "archived"}));
  pings_cmd->add_option("--type", data.type, "Only pings of this type");
  CLI::App* ping_cmd = app.add_subcommand("ping", "One ping");
  ping_cmd->require_subcommand(1);
  std::string id;
  CLI::App* show_cmd = ping_cmd->add_subcommand("show", "A ping as JSON (protobuf's mapping)");
  show_cmd->add_option("id", id, "The ping's document id")->required();
  show_cmd->add_flag("--raw", data.raw, "Write the stored bytes (zstd-compressed protobuf)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is success; every usage error is 2.
  }
  data.json = json;
  data.width = telemetry::inspect::TerminalWidth();
  definitions.json = json;
  definitions.width = data.width;

  if (lint_cmd->parsed()) {
    if (lint.files.empty() && lint.scalars_files.empty() && lint.events_files.empty()) {
      std::cerr << "telemetry-inspect lint: name at least one probe file\n";
      return 2;
    }
    return telemetry::inspect::RunLint(lint, std::cout, std::cerr);
  }
  if (definitions_cmd->parsed()) {
    return telemetry::inspect::RunDefinitions(*telemetry::probes::CompiledRegistry(), definitions,
                                              std::cout);
  }
  if (client_cmd->parsed()) return telemetry::inspect::RunClient(data, std::cout, std::cerr);
  if (stores_cmd->parsed()) return telemetry::inspect::RunStores(data, std::cout, std::cerr);
  if (scalars_cmd->parsed()) return telemetry::inspect::RunScalars(data, std::cout, std::cerr);
  if (events_cmd->parsed()) return telemetry::inspect::RunEvents(data, std::cout, std::cerr);
  if (pings_cmd->parsed()) {
    return telemetry::inspect::RunPings(data, which, std::cout, std::cerr);
  }
  if (show_cmd->parsed()) return telemetry::inspect::RunPingShow(data, id, std::cout, std::cerr);
  return 2;
}
