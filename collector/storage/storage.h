// Storage: where the collector keeps pings, activity events, scalar rows and rejections.
//
// Every query of the collector sits behind this interface; SqliteStorage (sqlite_storage.h) is
// the embedded implementation, a ClickHouse one can follow without touching the rest.
//
// Thread safety: an implementation is thread-compatible: one caller at a time. The server calls
// it from its single writer thread (group_committer.h).
#ifndef TELEMETRY_COLLECTOR_STORAGE_STORAGE_H_
#define TELEMETRY_COLLECTOR_STORAGE_STORAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "collector/model/records.h"
#include "telemetry/base/status.h"

namespace telemetry::collector {

// What `stats` prints.
struct Stats {
  struct PingCount {
    std::string namespace_name;
    std::string doc_type;
    std::string day;  // submission date, UTC
    int64_t count = 0;
  };
  struct EventCount {
    std::string type;
    std::string day;  // UTC date of the event's timestamp
    int64_t count = 0;
  };
  struct RejectionCount {
    std::string reason;
    int64_t count = 0;
  };
  std::vector<PingCount> pings;            // by day, namespace, type
  std::vector<EventCount> activity;        // by day, type
  std::vector<RejectionCount> rejections;  // most frequent first
};

// One row of the rejections table as read back (the body still sealed).
struct StoredRejection {
  int64_t id = 0;
  Rejection rejection;
  std::string headers_json;
};

// A rejection's headers as stored: one JSON object, invalid UTF-8 replaced.
std::string HeadersJson(const Rejection& rejection);

// One group commit: borrowed pointers, valid for the duration of Commit().
struct WriteBatch {
  std::vector<const Document*> documents;
  std::vector<const Rejection*> rejections;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // Stores the whole batch in one durable transaction, all or nothing. On success `stored` gets
  // one entry per document: true when it was stored now, false when a document with its id was
  // already stored (the duplicate and its rows are dropped; within one batch the first wins).
  virtual Status Commit(const WriteBatch& batch, std::vector<bool>* stored) = 0;

  // Appends activity rows that belong to no ping (imports), in one transaction. A row whose
  // import_key is already stored (or repeats within `rows`) is skipped: imports happen once.
  // Returns how many rows were stored now.
  virtual Result<int64_t> AppendActivity(const std::vector<ActivityEvent>& rows) = 0;

  virtual Result<Stats> ReadStats() = 0;

  // The rejections, oldest first: every one (`id` 0) or the one with `id`.
  virtual Result<std::vector<StoredRejection>> ReadRejections(int64_t id) = 0;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_STORAGE_STORAGE_H_
