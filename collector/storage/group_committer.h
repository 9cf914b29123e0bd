// GroupCommitter: many submitters, one writer thread, one transaction per batch.
//
//   Status queued = committer.Submit(&document, [conn](const Result<bool>& stored) {
//     conn->Answer(stored);  // on the writer thread: hand off, do not block
//   });
//   if (!queued.ok()) Answer503(queued);  // full or shutting down; `done` will not run
//
// Submit() queues a record and returns at once. The writer thread takes everything queued while
// the previous commit ran, commits it as one transaction, then calls each record's `done` with
// its outcome: true when the document was stored now, false when its document id was stored
// before (a duplicate, to be acknowledged all the same), or the storage error. So one durable
// commit answers every submitter of its batch, and no thread sleeps per request.
//
// A batch that fails is retried one record at a time, so one bad record cannot fail the others.
// The queue is bounded: when it holds max_queued records Submit() fails at once with
// ResourceExhausted (the server answers 503 with Retry-After) instead of letting memory grow.
//
// Ownership: the record must stay alive, unchanged, until its `done` has run. `done` runs on the
// writer thread, must be short and must not call Submit() or Shutdown().
//
// Thread safety: every method may be called from any thread. Shutdown() stops accepting new
// records (Unavailable), commits everything already queued, calls their `done`, and joins the
// writer; it is idempotent. The Storage must outlive the GroupCommitter and is used only by its
// writer.
#ifndef TELEMETRY_COLLECTOR_STORAGE_GROUP_COMMITTER_H_
#define TELEMETRY_COLLECTOR_STORAGE_GROUP_COMMITTER_H_

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "collector/model/records.h"
#include "collector/storage/storage.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

struct GroupCommitOptions {
  size_t max_queued = 20000;  // Records waiting for the writer; beyond this, ResourceExhausted.
  size_t max_batch = 4096;    // Records per transaction.
  // Called by the writer after each commit with the number of records in it (metrics).
  std::function<void(size_t)> on_commit;
};

class GroupCommitter {
 public:
  using Done = std::function<void(const Result<bool>&)>;

  GroupCommitter(Storage* storage, GroupCommitOptions options = {});
  ~GroupCommitter();  // Calls Shutdown().
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  Status Submit(const Document* document, Done done);
  // For a rejection `done` receives true once the row is committed.
  Status Submit(const Rejection* rejection, Done done);

  void Shutdown();

 private:
  struct Item {
    const Document* document = nullptr;
    const Rejection* rejection = nullptr;
    Done done;
  };
  Status Enqueue(Item item);
  void Run();
  void CommitBatch(std::vector<Item>& batch);

  Storage* storage_;
  GroupCommitOptions options_;
  std::mutex mutex_;
  std::condition_variable work_;  // The writer waits here for items.
  std::vector<Item> queue_;
  bool stopping_ = false;
  std::mutex join_mutex_;  // Serialises Shutdown()'s join.
  std::thread writer_;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_STORAGE_GROUP_COMMITTER_H_
