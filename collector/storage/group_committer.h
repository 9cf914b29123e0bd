// GroupCommitter: many request threads, one writer thread, one transaction per batch.
//
// Write() and Reject() queue their record and block until the transaction holding it has
// committed (or failed). The writer thread takes everything queued while the previous commit
// ran and commits it as one batch, so concurrent requests share one durable commit.
//
// A batch that fails is retried one record at a time, so one bad record cannot fail the others.
// The queue is bounded: when it is full Write() fails at once with Unavailable (the server
// answers 503) instead of letting memory grow.
//
// Thread safety: every method may be called from any thread. Shutdown() stops accepting new
// records (they fail with Unavailable), commits everything already queued, and joins the writer;
// it is idempotent. The Storage must outlive the GroupCommitter and is used only by its writer.
#ifndef TELEMETRY_COLLECTOR_STORAGE_GROUP_COMMITTER_H_
#define TELEMETRY_COLLECTOR_STORAGE_GROUP_COMMITTER_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "collector/model/records.h"
#include "collector/storage/storage.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

struct GroupCommitOptions {
  size_t max_queued = 20000;  // Records waiting for the writer; beyond this, Unavailable.
  size_t max_batch = 4096;    // Records per transaction.
  // Called by the writer after each commit with the number of records in it (metrics).
  std::function<void(size_t)> on_commit;
};

class GroupCommitter {
 public:
  GroupCommitter(Storage* storage, GroupCommitOptions options = {});
  ~GroupCommitter();  // Calls Shutdown().
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Blocks until `document` is committed. Returns true when it was stored now, false when its
  // document id was stored before (a duplicate, acknowledged all the same).
  Result<bool> Write(const Document& document);
  // Blocks until the rejection row is committed.
  Status Reject(const Rejection& rejection);

  void Shutdown();

 private:
  struct Item;
  Status Enqueue(Item* item);
  void Run();
  void CommitBatch(std::deque<Item*>& batch);

  Storage* storage_;
  GroupCommitOptions options_;
  std::mutex mutex_;
  std::condition_variable work_;  // The writer waits here for items.
  std::deque<Item*> queue_;
  bool stopping_ = false;
  std::mutex join_mutex_;  // Serialises Shutdown()'s join.
  std::thread writer_;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_STORAGE_GROUP_COMMITTER_H_
