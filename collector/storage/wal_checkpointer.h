// WalCheckpointer: copies a WAL database's log back into its file on a thread of its own, so the
// writer never stops for it.
//
//   WalCheckpointer checkpointer(path);   // the writer's connection has wal_autocheckpoint=0
//   ... after each commit: checkpointer.Nudge();
//
// SQLite's automatic checkpoint runs inside the commit that crosses its threshold: that commit
// (and every request waiting on it) waits for the copy and its fsyncs. Here a PASSIVE checkpoint,
// which never blocks the writer, runs on another connection whenever commits were made; when the
// log has grown past max_log_frames anyway (the writer outran it), a RESTART checkpoint waits
// for a gap between commits and has the next commit start the log over, so the WAL stays
// bounded. RESTART, not TRUNCATE: the file keeps its blocks, so a commit's fsync never has to
// grow it again (journal_size_limit trims it past 64 MiB).
//
// Thread safety: Nudge() may be called from any thread. The destructor runs a last checkpoint
// and joins. A failing checkpoint is retried on the next nudge; it loses nothing (the log keeps
// every committed frame until copied).
#ifndef TELEMETRY_COLLECTOR_STORAGE_WAL_CHECKPOINTER_H_
#define TELEMETRY_COLLECTOR_STORAGE_WAL_CHECKPOINTER_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "telemetry/base/sqlite.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

class WalCheckpointer {
 public:
  static Result<std::unique_ptr<WalCheckpointer>> Start(const std::string& path,
                                                        int64_t max_log_frames = 16384);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  void Nudge();

 private:
  WalCheckpointer(std::unique_ptr<sqlite::Database> db, int64_t max_log_frames);
  void Run();
  // Returns the frames left in the log after a checkpoint of `mode`.
  int64_t Checkpoint(const char* mode);

  std::unique_ptr<sqlite::Database> db_;
  const int64_t max_log_frames_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool nudged_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_STORAGE_WAL_CHECKPOINTER_H_
