#include "collector/kpi/row_stream.h"

#include <utility>

namespace telemetry::collector::kpi {

RowStream::RowStream(sqlite::Database& db, std::string sql, std::array<int64_t, 2> bounds,
                     RowShape shape)
    : shape_(std::move(shape)) {
  reader_ = std::thread([this, &db, sql = std::move(sql), bounds] { Read(db, sql, bounds); });
}

RowStream::~RowStream() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  reader_.join();
}

const RowBatch* RowStream::Next() {
  std::unique_lock lock(mu_);
  if (current_) free_.push_back(std::move(current_));
  changed_.notify_all();  // Room for the reader, and a batch to refill.
  changed_.wait(lock, [&] { return !ready_.empty() || finished_; });
  if (ready_.empty()) return nullptr;
  current_ = std::move(ready_.front());
  ready_.pop_front();
  changed_.notify_all();
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
      std::unique_ptr<RowBatch> batch = Recycled();
      if (!batch) break;  // The consumer went away.
      status = Fill(**select, *batch, &done);
      if (!status.ok() || (!batch->rows.empty() && !Publish(std::move(batch)))) break;
    }
  } else {
    status = select.status();
  }
  std::lock_guard lock(mu_);
  status_ = status;
  finished_ = true;
  changed_.notify_all();
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

bool RowStream::Publish(std::unique_ptr<RowBatch> batch) {
  std::unique_lock lock(mu_);
  changed_.wait(lock, [&] { return ready_.size() < kBatchesAhead || stopping_; });
  if (stopping_) return false;
  ready_.push_back(std::move(batch));
  changed_.notify_all();
  return true;
}

std::unique_ptr<RowBatch> RowStream::Recycled() {
  std::lock_guard lock(mu_);
  if (stopping_) return nullptr;
  if (free_.empty()) return std::make_unique<RowBatch>();
  std::unique_ptr<RowBatch> batch = std::move(free_.back());
  free_.pop_back();
  return batch;
}

}  // namespace telemetry::collector::kpi
