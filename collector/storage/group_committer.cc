#include "collector/storage/group_committer.h"

#include <utility>

namespace telemetry::collector {

GroupCommitter::GroupCommitter(Storage* storage, GroupCommitOptions options)
    : storage_(storage), options_(std::move(options)), writer_([this] { Run(); }) {}

GroupCommitter::~GroupCommitter() { Shutdown(); }

Status GroupCommitter::Submit(const Document* document, Done done) {
  return Enqueue({.document = document, .done = std::move(done)});
}

Status GroupCommitter::Submit(const Rejection* rejection, Done done) {
  return Enqueue({.rejection = rejection, .done = std::move(done)});
}

Status GroupCommitter::Enqueue(Item item) {
  std::lock_guard lock(mutex_);
  if (stopping_) return Status::Unavailable("the collector is shutting down");
  if (queue_.size() >= options_.max_queued) {
    return Status::ResourceExhausted("too many records are waiting for storage");
  }
  queue_.push_back(std::move(item));
  if (queue_.size() == 1) work_.notify_one();
  return Status::Ok();
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
  std::vector<Item> batch;
  std::unique_lock lock(mutex_);
  while (true) {
    work_.wait(lock, [this] { return !queue_.empty() || stopping_; });
    if (queue_.empty()) return;  // Stopping, and everything queued is committed.
    if (queue_.size() <= options_.max_batch) {
      batch.swap(queue_);
    } else {
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + options_.max_batch));
      queue_.erase(queue_.begin(), queue_.begin() + options_.max_batch);
    }
    lock.unlock();
    CommitBatch(batch);
    batch.clear();
    lock.lock();
  }
}

void GroupCommitter::CommitBatch(std::vector<Item>& batch) {
  WriteBatch write;
  for (const Item& item : batch) {
    if (item.document != nullptr) {
      write.documents.push_back(item.document);
    } else {
      write.rejections.push_back(item.rejection);
    }
  }
  std::vector<bool> stored;
  if (storage_->Commit(write, &stored).ok()) {
    if (options_.on_commit) options_.on_commit(batch.size());
    size_t next_document = 0;
    for (const Item& item : batch) {
      item.done(item.document != nullptr ? Result<bool>(stored[next_document++])
                                         : Result<bool>(true));
    }
    return;
  }
  // Retry one at a time: a record that fails alone fails alone.
  for (const Item& item : batch) {
    WriteBatch single;
    if (item.document != nullptr) {
      single.documents.push_back(item.document);
    } else {
      single.rejections.push_back(item.rejection);
    }
    const Status status = storage_->Commit(single, &stored);
    if (!status.ok()) {
      item.done(status);
      continue;
    }
    if (options_.on_commit) options_.on_commit(1);
    item.done(item.document != nullptr ? Result<bool>(stored[0]) : Result<bool>(true));
  }
}

}  // namespace telemetry::collector
