// Importer: loads event-table rows from CSV or NDJSON files (shared/KPI.md) into storage, with
// the same checks and HMAC as pings.
//
// CSV: the first line names the columns, in any order; an unknown or repeated column makes the
// whole file unreadable (reported at line 1). An empty field or NULL is NULL. NDJSON: one JSON
// object per line with the column names as keys; a missing key or null is NULL; an unknown key
// rejects that line. Blank lines are skipped. Every bad row is reported as "file:line: why" and
// skipped; the good rows around it are kept. Rows are committed in batches.
//
// Thread safety: one import at a time per Storage.
#ifndef TELEMETRY_COLLECTOR_IMPORT_IMPORTER_H_
#define TELEMETRY_COLLECTOR_IMPORT_IMPORTER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "collector/privacy/id_hasher.h"
#include "collector/storage/storage.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

enum class ImportFormat { kCsv, kNdjson };

struct ImportReport {
  int64_t rows_read = 0;
  int64_t imported = 0;
  int64_t already_there = 0;  // Good rows stored before (by an earlier import, or the same file).
  int64_t rejected = 0;
  int64_t unreadable_files = 0;
};

struct ImportOptions {
  ImportFormat format = ImportFormat::kCsv;
  // Rows per transaction. Each imported row lands on a random page of the import_key index,
  // so a commit writes about as many pages as its rows touch: large batches write each page once
  // for many rows (1.9 million rows: 52 s at 5,000 rows a batch, 23 s at 100,000) at the price of
  // holding the batch in memory (about 1 KB a row) and the write lock for its commit (about a
  // second here, which a collector serving the same file waits out). A crash loses at most the
  // batch in progress, which the next import of the same file adds.
  size_t batch_rows = 100000;
  // The time rows are received at: timestamps must lie from 2000-01-01 to a day after it
  // (ingest/limits.h), as at the HTTP door. 0: the system clock's now.
  int64_t now_ms = 0;
  // Each problem, as "file:line: why".
  std::function<void(const std::string&)> on_problem;
  // Progress within the current file (bytes read of total), called after each batch.
  std::function<void(const std::string& file, uint64_t bytes_read, uint64_t bytes_total)>
      on_progress;
};

// Imports every file in turn. Fails only when storage fails (the rows of batches committed
// before stay); unreadable files and bad rows are counted in the report.
Result<ImportReport> ImportFiles(const std::vector<std::string>& files,
                                 const ImportOptions& options, const IdHasher& hasher,
                                 Storage* storage);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_IMPORT_IMPORTER_H_
