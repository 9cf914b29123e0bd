// What arrives at a /submit endpoint (Submission) and what a ping normaliser makes of it
// (Normalized). Plain values; thread-compatible.
#ifndef TELEMETRY_COLLECTOR_INGEST_SUBMISSION_H_
#define TELEMETRY_COLLECTOR_INGEST_SUBMISSION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/model/records.h"

namespace telemetry::collector {

struct Submission {
  enum class Route {
    kGeneric,  // /submit/<namespace>/<doc_type>/<doc_version>/<doc_id>
    kFirefox,  // /submit/telemetry/<doc_id>/<doc_type>/<app>/<version>/<channel>/<build_id>
  };
  Route route = Route::kGeneric;
  std::string path;
  std::string namespace_name;
  std::string doc_type;
  std::string doc_version;  // Firefox: taken from the body's "version"
  std::string doc_id;       // as in the URI; checked by the ingester
  std::string content_type;
  std::string content_encoding;  // the Content-Encoding header as sent
  std::string_view body;         // as received; must outlive the Ingest() call
  int64_t received_ms = 0;
};

// The rows a normaliser derives from one decoded ping.
struct Normalized {
  std::vector<ActivityEvent> activity;
  std::vector<ScalarRow> scalars;
  // Set when the ping carried raw account or device ids: the decoded ping with those ids
  // replaced by their HMACs (what is stored instead of the body as received).
  std::optional<std::string> redacted;
  // Firefox pings carry their document version in the body.
  std::string doc_version;
};

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_INGEST_SUBMISSION_H_
