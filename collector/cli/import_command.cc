#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "collector/cli/commands.h"
#include "collector/cli/key_options.h"
#include "collector/cli/store_options.h"
#include "collector/import/importer.h"

namespace telemetry::collector::cli {
namespace {

struct ImportArgs {
  StoreFlags store;
  std::string format;
  std::vector<std::string> files;
  KeyOptions key;
};

int RunImport(const ImportArgs& args) {
  Result<IdHasher> hasher = LoadHasher(args.key);
  if (!hasher.ok()) {
    std::fprintf(stderr, "telemetry-collector import: %s\n", hasher.status().message().c_str());
    return kExitUsage;
  }
  Result<StoreUrl> url = StoreUrlOf(args.store.store, args.store.db);
  if (!url.ok()) {
    std::fprintf(stderr, "telemetry-collector import: %s\n", url.status().message().c_str());
    return kExitUsage;
  }
  Result<std::unique_ptr<Storage>> storage = OpenStore(*url, hasher->Fingerprint(), true);
  if (!storage.ok()) {
    std::fprintf(stderr, "telemetry-collector import: %s\n", storage.status().message().c_str());
    return kExitFailure;
  }
  const bool tty = isatty(STDERR_FILENO) == 1;
  ImportOptions options;
  options.format = args.format == "fxa-csv" ? ImportFormat::kCsv : ImportFormat::kNdjson;
  options.on_problem = [tty](const std::string& problem) {
    std::fprintf(stderr, "%s%s\n", tty ? "\r\033[K" : "", problem.c_str());
  };
  if (tty) {
    options.on_progress = [](const std::string& file, uint64_t done, uint64_t total) {
      const int percent = total == 0 ? 100 : static_cast<int>(100 * done / total);
      const int filled = percent * 30 / 100;
      std::fprintf(stderr, "\r\033[K[%s%s] %3d%% %s", std::string(filled, '#').c_str(),
                   std::string(30 - filled, ' ').c_str(), percent, file.c_str());
      std::fflush(stderr);
    };
  }
  Result<ImportReport> report = ImportFiles(args.files, options, *hasher, storage->get());
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (!report.ok()) {
    std::fprintf(stderr, "telemetry-collector import: %s\n", report.status().message().c_str());
    return kExitFailure;
  }
  std::printf("rows read %lld, imported %lld, already there %lld, rejected %lld%s\n",
              static_cast<long long>(report->rows_read), static_cast<long long>(report->imported),
              static_cast<long long>(report->already_there),
              static_cast<long long>(report->rejected),
              report->unreadable_files > 0
                  ? (", unreadable files " + std::to_string(report->unreadable_files)).c_str()
                  : "");
  if (url->clickhouse()) {
    std::printf(
        "(ClickHouse keeps a row imported twice once, in every count; it cannot say here "
        "which rows it had already)\n");
  }
  if (report->unreadable_files > 0) return kExitFailure;
  return report->rejected > 0 ? kExitRowsRejected : kExitOk;
}

}  // namespace

void AddImportCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* command =
      app.add_subcommand("import", "Load event-table rows (CSV or NDJSON) into the store");
  AddStoreOptions(command, &args->store, "The collector's SQLite database");
  command->add_option("--format", args->format, "fxa-csv or fxa-ndjson")
      ->required()
      ->check(CLI::IsMember({"fxa-csv", "fxa-ndjson"}));
  command->add_option("files", args->files, "Files to import")->required();
  AddKeyOptions(command, &args->key);
  command->callback([args, exit_code] { *exit_code = RunImport(*args); });
}

}  // namespace telemetry::collector::cli
