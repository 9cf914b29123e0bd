// The KPI pass's rows, read on a thread of its own: while the job folds one batch of rows into
// the engine and writes its days, the next batch is being stepped out of SQLite, so the two
// halves of the work share the machine's cores.
//
//   RowShape shape{.text_columns = {1, 2}, .new_user_column = 3, .seq_time_column = 4};
//   RowStream rows(snapshot, sql, {first_ms, end_ms}, shape);  // Starts reading at once.
//   while (const RowBatch* batch = rows.Next()) {               // nullptr at the end.
//     for (const RawRow& row : batch->rows) Use(row.timestamp_ms, batch->Text(row, 0));
//   }
//   if (!rows.status().ok()) ...                                // A read that failed.
//
// Column 0 of `sql` is the timestamp; RowShape names the other columns to take, by position.
// Strings are copied into the batch, which stays valid until the next call of Next. Nobody else
// may use the database until the stream is destroyed; destruction stops and joins the reader
// thread, also mid-read (a consumer that stops early does not wait for the rest). Next, status
// and the destructor belong to one consumer thread.
#ifndef COLLECTOR_KPI_ROW_STREAM_H_
#define COLLECTOR_KPI_ROW_STREAM_H_

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "collector/kpi/hand_off.h"
#include "telemetry/base/sqlite.h"
#include "telemetry/base/status.h"

namespace telemetry::collector::kpi {

// Which result columns are what. Column 0 is the timestamp (an integer, never NULL).
struct RowShape {
  static constexpr int kMaxTexts = 6;
  std::vector<int> text_columns;  // Up to kMaxTexts; NULL is kept apart from "".
  int new_user_column = -1;       // An integer column read as a flag.
  int seq_time_column = -1;       // An integer column that may be NULL.
};

struct RawRow {
  struct Text {
    uint32_t offset = 0;
    int32_t length = -1;  // -1: NULL.
  };
  int64_t timestamp_ms = 0;
  int64_t seq_time_ms = 0;
  bool has_seq_time = false;
  bool new_user = false;
  std::array<Text, RowShape::kMaxTexts> texts;  // In the order of RowShape::text_columns.
};

struct RowBatch {
  std::vector<RawRow> rows;
  std::string bytes;  // Every text of the batch's rows.
  bool IsNull(const RawRow& row, size_t i) const { return row.texts[i].length < 0; }
  // The i-th text of `row` ("" for NULL); valid while the batch is.
  std::string_view Text(const RawRow& row, size_t i) const {
    if (IsNull(row, i)) return {};
    return std::string_view(bytes).substr(row.texts[i].offset,
                                          static_cast<size_t>(row.texts[i].length));
  }
};

class RowStream {
 public:
  // Prepares `sql` on `db`, binds ?1 and ?2 to `bounds` and starts the reader thread.
  RowStream(sqlite::Database& db, std::string sql, std::array<int64_t, 2> bounds, RowShape shape);
  ~RowStream();
  RowStream(const RowStream&) = delete;
  RowStream& operator=(const RowStream&) = delete;

  // The next batch in order, or nullptr once every row was given or the read failed. The batch
  // given before is handed back to the reader for reuse.
  const RowBatch* Next();
  // Ok, or why the read failed; final once Next gave nullptr.
  Status status() const;

 private:
  static constexpr size_t kRowsPerBatch = 8192;
  static constexpr size_t kBytesPerBatch = size_t{16} << 20;  // Ends a batch of long texts early.
  static constexpr size_t kBatchesAhead = 2;

  void Read(sqlite::Database& db, const std::string& sql, std::array<int64_t, 2> bounds);
  Status Fill(sqlite::Statement& select, RowBatch& batch, bool* done);

  const RowShape shape_;
  HandOff<std::unique_ptr<RowBatch>> ready_{kBatchesAhead};     // Filled batches, in order.
  HandOff<std::unique_ptr<RowBatch>> free_{kBatchesAhead + 2};  // Given back, for reuse.
  mutable std::mutex mu_;
  Status status_;                      // Guarded by mu_.
  std::unique_ptr<RowBatch> current_;  // The consumer's.
  std::thread reader_;
};

}  // namespace telemetry::collector::kpi

#endif  // COLLECTOR_KPI_ROW_STREAM_H_
