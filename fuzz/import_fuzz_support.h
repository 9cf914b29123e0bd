// The import readers (collector/import/importer.h) over one fuzz input: written as a file,
// imported into a Storage that keeps nothing. Every row must be counted exactly once.
#ifndef TELEMETRY_FUZZ_IMPORT_FUZZ_SUPPORT_H_
#define TELEMETRY_FUZZ_IMPORT_FUZZ_SUPPORT_H_

#include <cstddef>
#include <cstdint>

#include "collector/import/importer.h"
#include "fuzz/fuzz_support.h"

namespace telemetry::fuzz {

class DiscardingStorage : public collector::Storage {
 public:
  Status Commit(const collector::WriteBatch&, std::vector<bool>*) override { return Status::Ok(); }
  Result<int64_t> AppendActivity(const std::vector<collector::ActivityEvent>& rows) override {
    return static_cast<int64_t>(rows.size());  // Every row new: nothing is kept to repeat.
  }
  Result<collector::Stats> ReadStats() override { return collector::Stats{}; }
  Result<std::vector<collector::StoredRejection>> ReadRejections(int64_t) override {
    return std::vector<collector::StoredRejection>{};
  }
};

inline void ImportOnce(collector::ImportFormat format, const uint8_t* data, size_t size) {
  static const collector::IdHasher hasher = collector::IdHasher::InsecureDevelopmentKey();
  const std::string file = ScratchDir() + "/input";
  WriteFile(file, AsText(data, size));
  collector::ImportOptions options;
  options.format = format;
  options.batch_rows = 7;  // Several batches even from small inputs.
  int64_t problems = 0;
  options.on_problem = [&](const std::string&) { ++problems; };
  DiscardingStorage storage;
  Result<collector::ImportReport> report =
      collector::ImportFiles({file}, options, hasher, &storage);
  Check(report.ok(), "the import failed with a storage that cannot fail");
  Check(report->imported + report->already_there + report->rejected == report->rows_read,
        "a row was lost");
  Check(problems == report->rejected + report->unreadable_files, "a problem was not reported");
}

}  // namespace telemetry::fuzz

#endif  // TELEMETRY_FUZZ_IMPORT_FUZZ_SUPPORT_H_
