// DataDirectoryReader: a read-only look into a client's data directory, as of its last
// checkpoint — for inspection tools (telemetry-inspect), support scripts and tests.
//
//   auto reader = telemetry::DataDirectoryReader::Open("/home/me/.app/telemetry");
//   if (!reader.ok()) return Fail(reader.status());  // NotFound: no database there
//   for (const telemetry::StoredStore& s : *(*reader)->Stores()) Show(s.store, s.contents);
//
// Contract. Opening takes no lock and writes nothing — not even SQLite's WAL index when the
// directory or file is read-only — so it is safe beside a running application and works on a
// read-only copy or mount. It never repairs: a damaged file gives Corruption, a missing one
// NotFound, an unreadable one IoError, all as values. What it shows is what the writer last
// committed; values still in the application's memory are not there. Not thread-safe: one
// thread uses a reader at a time (open one per thread).
#ifndef TELEMETRY_DATA_DIRECTORY_H_
#define TELEMETRY_DATA_DIRECTORY_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "telemetry/base/status.h"
#include "telemetry/ping_storage.h"
#include "telemetry/snapshot.h"

namespace telemetry {

namespace internal {
class ClientDatabase;
}

// One store's contents on disk; events in the order they were recorded.
struct StoredStore {
  std::string store;
  StoreSnapshot contents;
};

class DataDirectoryReader {
 public:
  static Result<std::unique_ptr<DataDirectoryReader>> Open(const std::string& data_dir);
  // Where the database of `data_dir` lives.
  static std::string DatabasePath(const std::string& data_dir);
  ~DataDirectoryReader();

  Result<int> SchemaVersion();
  // "client_id", "first_run_date", "upload_enabled", ...; nullopt when never written.
  Result<std::optional<std::string>> ClientValue(const std::string& key);
  Result<std::vector<StoredStore>> Stores();
  Result<std::vector<PendingPing>> PendingPings();
  Result<std::vector<ArchivedPing>> ArchivedPings();

 private:
  explicit DataDirectoryReader(std::unique_ptr<internal::ClientDatabase> db);
  std::unique_ptr<internal::ClientDatabase> db_;
};

}  // namespace telemetry

#endif  // TELEMETRY_DATA_DIRECTORY_H_
