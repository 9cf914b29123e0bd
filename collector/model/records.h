// The rows the collector stores: a ping as received, its normalised activity events and scalar
// values, and the record of a rejected request. Plain values; thread-compatible.
//
// Every account uid and device id in these structs is already the hex HMAC-SHA256 of the raw
// id (privacy/id_hasher.h): raw ids never reach storage.
#ifndef TELEMETRY_COLLECTOR_MODEL_RECORDS_H_
#define TELEMETRY_COLLECTOR_MODEL_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace telemetry::collector {

// One row of the event table of shared/KPI.md (column names in comments).
struct ActivityEvent {
  int64_t timestamp_ms = 0;               // timestamp
  std::optional<std::string> seq_id;      // seqId
  std::optional<int64_t> seq_time_ms;     // seqTime
  std::string type;                       // type: "<category>.<method>", "ping.<doc_type>"
  std::optional<std::string> uid;         // uid: hex HMAC of the account id
  std::optional<std::string> device_id;   // deviceId: hex HMAC of the device id
  bool new_user = false;                  // newUser
  std::optional<std::string> ua_browser;  // userAgentBrowser
  std::optional<std::string> ua_version;  // userAgentVersion
  std::optional<std::string> ua_os;       // userAgentOS
  std::optional<std::string> service;     // service
  std::optional<std::string> context;     // context
  std::optional<std::string> entrypoint;  // entrypoint
  std::optional<std::string> campaign;    // campaign
  std::optional<std::string> migration;   // migration
  std::optional<int> sample_id;           // first 8 hex digits of uid's HMAC, mod 100
  // Imported rows only: the row's identity, a hash of its content (import/activity_row.h);
  // unique in storage, so importing a row again stores nothing.
  std::optional<std::string> import_key;
};

// One scalar value of a ping: (document, probe, key, value), with the process it came from.
struct ScalarRow {
  std::string process;             // "parent", "content", ...; empty for our own pings
  std::string probe;               // "category.name"
  std::optional<std::string> key;  // keyed scalars only
  std::string kind;                // "uint", "bool", "string"
  std::string value;               // decimal, "true"/"false", or the string
};

// A ping as received, with its metadata.
struct StoredPing {
  std::string document_id;  // lower-case UUID; unique in storage
  std::string namespace_name;
  std::string doc_type;
  std::string doc_version;
  std::string uri;  // the request path
  int64_t received_ms = 0;
  std::string submission_date;  // UTC "YYYY-MM-DD" of received_ms
  std::string content_type;
  std::string content_encoding;  // "zstd", "gzip" or "identity"
  // The body compressed as received; when the ping carried account or device ids, the same
  // ping with those ids HMACed, re-encoded in the same content coding (redacted = true).
  std::string body;
  bool redacted = false;
};

// Everything one accepted ping stores, committed together or not at all.
struct Document {
  StoredPing ping;
  std::vector<ActivityEvent> activity;
  std::vector<ScalarRow> scalars;
};

// A rejected request: one row of the rejections table.
struct Rejection {
  int64_t received_ms = 0;
  std::string path;
  int http_status = 400;
  std::string reason;  // a stable token (ingest/reasons.h)
  std::string detail;  // for a person; never contains the HMAC key
  std::vector<std::pair<std::string, std::string>> headers;  // the relevant request headers
  // The body as received (at most the 1 MB body limit), sealed with IdHasher::Seal: it may
  // carry raw ids. `telemetry-collector rejections --show ID` opens it.
  std::string body;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_MODEL_RECORDS_H_
