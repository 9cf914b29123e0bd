#include "telemetry/data_directory.h"

#include "storage/client_database.h"

namespace telemetry {

Result<std::unique_ptr<DataDirectoryReader>> DataDirectoryReader::Open(
    const std::string& data_dir) {
  Result<std::unique_ptr<internal::ClientDatabase>> db =
      internal::ClientDatabase::OpenReadOnly(data_dir);
  if (!db.ok()) return db.status();
  return std::unique_ptr<DataDirectoryReader>(new DataDirectoryReader(std::move(*db)));
}

std::string DataDirectoryReader::DatabasePath(const std::string& data_dir) {
  return internal::ClientDatabase::PathIn(data_dir);
}

DataDirectoryReader::DataDirectoryReader(std::unique_ptr<internal::ClientDatabase> db)
    : db_(std::move(db)) {}
DataDirectoryReader::~DataDirectoryReader() = default;

Result<int> DataDirectoryReader::SchemaVersion() { return db_->SchemaVersion(); }

Result<std::optional<std::string>> DataDirectoryReader::ClientValue(const std::string& key) {
  return db_->ClientValue(key);
}

Result<std::vector<StoredStore>> DataDirectoryReader::Stores() { return db_->LoadStores(); }

Result<std::vector<PendingPing>> DataDirectoryReader::PendingPings() { return db_->PendingPings(); }

Result<std::vector<ArchivedPing>> DataDirectoryReader::ArchivedPings() {
  return db_->ArchivedPings();
}

}  // namespace telemetry
