#include "collector/kpi/row_stream.h"

#include <utility>

namespace telemetry::collector::kpi {

RowStream::RowStream(sqlite::Database& db, std::string sql, std::array<int64_t, 2> bounds,
                     RowShape shape)
    : shape_(std::move(shape)) {
  reader_ = std::thread([this, &db, sql = std::move(sql), bounds] { Read(db, sql, bounds); });
}

RowStream::~RowStream() {
  ready_.Close();  // A reader waiting for room stops.
  free_.Close();
  reader_.join();
}

const RowBatch* RowStream::Next() {
  if (current_) free_.Push(std::move(current_));  // Never full: at most every batch is free.
  std::optional<std::unique_ptr<RowBatch>> batch = ready_.Pop();
  if (!batch) return nullptr;
  current_ = std::move(*batch);
  return current_.get();
}

Status RowStream::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void RowStream::Read(sqlite::Database& db, const std::string& sql, std::array<int64_t, 2> bounds) {
  Status status;
  Result<std::unique_ptr<sqlite::Statement>> select = db.Prepare(sql);
  if (select.ok()) {
    (*select)->Bind(1, bounds[0]).Bind(2, bounds[1]);
    for (bool done = false; !done;) {
      std::optional<std::unique_ptr<RowBatch>> reused = free_.TryPop();
      std::unique_ptr<RowBatch> batch = reused ? std::move(*reused) : std::make_unique<RowBatch>();
      status = Fill(**select, *batch, &done);
      if (!status.ok() || (!batch->rows.empty() && !ready_.Push(std::move(batch)))) break;
    }
  } else {
    status = select.status();
  }
  {
    std::lock_guard lock(mu_);
    status_ = status;
  }
  ready_.Close();  // What was pushed is still given; then Next ends.
}

Status RowStream::Fill(sqlite::Statement& select, RowBatch& batch, bool* done) {
  batch.rows.clear();
  batch.bytes.clear();
  while (batch.rows.size() < kRowsPerBatch && batch.bytes.size() < kBytesPerBatch) {
    Result<bool> more = select.Step();
    if (!more.ok()) return more.status();
    if (!*more) {
      *done = true;
      return Status::Ok();
    }
    RawRow& row = batch.rows.emplace_back();
    row.timestamp_ms = select.Int(0);
    for (size_t i = 0; i < shape_.text_columns.size(); ++i) {
      const int column = shape_.text_columns[i];
      if (select.IsNull(column)) continue;  // length stays -1.
      const std::string_view text = select.TextView(column);
      row.texts[i] = {static_cast<uint32_t>(batch.bytes.size()), static_cast<int32_t>(text.size())};
      batch.bytes.append(text);
    }
    if (shape_.new_user_column >= 0) row.new_user = select.Int(shape_.new_user_column) != 0;
    if (shape_.seq_time_column >= 0 && !select.IsNull(shape_.seq_time_column)) {
      row.has_seq_time = true;
      row.seq_time_ms = select.Int(shape_.seq_time_column);
    }
  }
  return Status::Ok();
}

}  // namespace telemetry::collector::kpi
