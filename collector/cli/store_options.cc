#include "collector/cli/store_options.h"

#include "collector/storage/clickhouse_storage.h"
#include "collector/storage/sqlite_storage.h"

namespace telemetry::collector::cli {

void AddStoreOptions(CLI::App* command, StoreFlags* flags, const std::string& db_help) {
  command->add_option("--store", flags->store,
                      "Where the data is: sqlite:PATH or "
                      "clickhouse://HOST:PORT[,HOST:PORT...]/DATABASE[?cluster=NAME]");
  command->add_option("--db", flags->db, db_help + " (short for --store sqlite:PATH)");
}

Result<std::unique_ptr<Storage>> OpenStore(const StoreUrl& url, const std::string& key_fingerprint,
                                           bool create) {
  if (!url.clickhouse()) return OpenSqliteStorage(url.sqlite_path, {.create = create});
  Result<std::unique_ptr<ClickHouseStorage>> storage =
      ClickHouseStorage::Open(url, key_fingerprint);
  if (!storage.ok()) return storage.status();
  return std::unique_ptr<Storage>(std::move(*storage));
}

}  // namespace telemetry::collector::cli
