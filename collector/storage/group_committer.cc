#include "collector/storage/group_committer.h"

#include <utility>
#include <vector>

namespace telemetry::collector {

// One queued record, on the caller's stack; the caller waits until `done`.
struct GroupCommitter::Item {
  const Document* document = nullptr;
  const Rejection* rejection = nullptr;
  bool done = false;
  bool stored = false;
  Status status;
  // Its own wake-up: a commit wakes exactly the callers it answers, not every waiting thread.
  std::condition_variable wake;
};

GroupCommitter::GroupCommitter(Storage* storage, GroupCommitOptions options)
    : storage_(storage), options_(std::move(options)), writer_([this] { Run(); }) {}

GroupCommitter::~GroupCommitter() { Shutdown(); }

Result<bool> GroupCommitter::Write(const Document& document) {
  Item item;
  item.document = &document;
  if (Status s = Enqueue(&item); !s.ok()) return s;
  return item.stored;
}

Status GroupCommitter::Reject(const Rejection& rejection) {
  Item item;
  item.rejection = &rejection;
  return Enqueue(&item);
}

Status GroupCommitter::Enqueue(Item* item) {
  std::unique_lock lock(mutex_);
  if (stopping_) return Status::Unavailable("the collector is shutting down");
  if (queue_.size() >= options_.max_queued) {
    return Status::Unavailable("too many records are waiting for storage");
  }
  queue_.push_back(item);
  if (queue_.size() == 1) work_.notify_one();
  item->wake.wait(lock, [item] { return item->done; });
  return item->status;
}

void GroupCommitter::Shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_one();
  std::lock_guard join_lock(join_mutex_);
  if (writer_.joinable()) writer_.join();
}

void GroupCommitter::Run() {
  std::deque<Item*> batch;
  std::unique_lock lock(mutex_);
  while (true) {
    work_.wait(lock, [this] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // Stopping, and everything queued is committed.
    while (!queue_.empty() && batch.size() < options_.max_batch) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    CommitBatch(batch);
    lock.lock();
    // Notified under the lock: a caller cannot return (and free its item) before this is done.
    for (Item* item : batch) {
      item->done = true;
      item->wake.notify_one();
    }
    batch.clear();
  }
}

void GroupCommitter::CommitBatch(std::deque<Item*>& batch) {
  WriteBatch write;
  std::vector<Item*> document_items;
  for (Item* item : batch) {
    if (item->document != nullptr) {
      write.documents.push_back(item->document);
      document_items.push_back(item);
    } else {
      write.rejections.push_back(item->rejection);
    }
  }
  std::vector<bool> stored;
  Status status = storage_->Commit(write, &stored);
  if (status.ok()) {
    for (size_t i = 0; i < document_items.size(); ++i) document_items[i]->stored = stored[i];
    if (options_.on_commit) options_.on_commit(batch.size());
    return;
  }
  // Retry one at a time: a record that fails alone fails alone.
  for (Item* item : batch) {
    WriteBatch single;
    if (item->document != nullptr) {
      single.documents.push_back(item->document);
    } else {
      single.rejections.push_back(item->rejection);
    }
    item->status = storage_->Commit(single, &stored);
    if (item->status.ok() && item->document != nullptr) item->stored = stored[0];
    if (item->status.ok() && options_.on_commit) options_.on_commit(1);
  }
}

}  // namespace telemetry::collector
