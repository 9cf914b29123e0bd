// `--store URL` and its short form `--db PATH`, shared by the subcommands that read or write the
// collector's tables (clickhouse/store_url.h).
//
//   StoreFlags flags;
//   AddStoreOptions(command, &flags, "The collector's SQLite database");
//   Result<StoreUrl> url = StoreUrlOf(flags.store, flags.db);   // after parsing
//   Result<std::unique_ptr<Storage>> storage = OpenStore(*url, fingerprint, /*create=*/true);
#ifndef TELEMETRY_COLLECTOR_CLI_STORE_OPTIONS_H_
#define TELEMETRY_COLLECTOR_CLI_STORE_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "collector/clickhouse/store_url.h"
#include "collector/storage/storage.h"
#include "telemetry/base/status.h"

namespace telemetry::collector::cli {

struct StoreFlags {
  std::string store;
  std::string db;
};

// Adds both options; exactly one is required, checked by StoreUrlOf.
void AddStoreOptions(CLI::App* command, StoreFlags* flags, const std::string& db_help);

// The store's Storage: SQLite (created when missing only with `create`) or ClickHouse
// (connected, schema created or checked; `key_fingerprint` empty skips the key check).
Result<std::unique_ptr<Storage>> OpenStore(const StoreUrl& url, const std::string& key_fingerprint,
                                           bool create);

}  // namespace telemetry::collector::cli

#endif  // TELEMETRY_COLLECTOR_CLI_STORE_OPTIONS_H_
