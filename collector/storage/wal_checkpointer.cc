#include "collector/storage/wal_checkpointer.h"

namespace telemetry::collector {

// Checkpoints at most this often: each one costs a fsync of the log and of the file.
constexpr std::chrono::milliseconds kInterval{200};

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(const std::string& path,
                                                                int64_t max_log_frames) {
  // A checkpoint that must wait for the writer waits at most this long, then tries again later.
  Result<std::unique_ptr<sqlite::Database>> db =
      sqlite::Database::Open(path, sqlite::Database::Mode::kReadWrite, /*busy_timeout_ms=*/200);
  if (!db.ok()) return db.status();
  return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(std::move(*db), max_log_frames));
}

WalCheckpointer::WalCheckpointer(std::unique_ptr<sqlite::Database> db, int64_t max_log_frames)
    : db_(std::move(db)), max_log_frames_(max_log_frames), thread_([this] { Run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WalCheckpointer::Nudge() {
  std::lock_guard lock(mutex_);
  if (nudged_) return;
  nudged_ = true;
  wake_.notify_one();
}

void WalCheckpointer::Run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return nudged_ || stopping_; });
    if (!nudged_) return;  // Stopping, and every commit is checkpointed.
    nudged_ = false;
    lock.unlock();
    if (Checkpoint("PASSIVE") > max_log_frames_) Checkpoint("RESTART");
    lock.lock();
    // Commits meanwhile only set nudged_: one checkpoint covers all of them.
    wake_.wait_for(lock, kInterval, [this] { return stopping_; });
  }
}

int64_t WalCheckpointer::Checkpoint(const char* mode) {
  Result<std::unique_ptr<sqlite::Statement>> stmt =
      db_->Prepare(std::string("PRAGMA wal_checkpoint(") + mode + ")");
  if (!stmt.ok()) return 0;
  Result<bool> row = (*stmt)->Step();
  if (!row.ok() || !*row) return 0;  // Busy or failing: the next nudge tries again.
  // (busy, frames in the log, frames copied): what is left to copy.
  return (*stmt)->Int(1) - (*stmt)->Int(2);
}

}  // namespace telemetry::collector
