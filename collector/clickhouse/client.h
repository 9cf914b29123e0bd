// One ClickHouse server spoken to over its HTTP interface (libcurl; no native protocol).
//
//   ClickHouseClient server({"127.0.0.1", 8123}, "telemetry");
//   Result<std::string> tsv = server.Query("SELECT count() FROM pings_local FORMAT TabSeparated");
//   Status s = server.Insert("pings_local", "document_id, body", rows_as_tsv);
//
// Query() sends the SQL as the POST body and returns the response body; Insert() sends
// `INSERT INTO table (columns) FORMAT TabSeparated` in the URL and the rows as the body, so a
// batch of any size is one request. The database is the default database of every statement.
//
// Errors: Unavailable when the server cannot be reached or does not answer in time (a network
// failure: worth a retry), FailedPrecondition with ClickHouse's own message (its first line)
// for an error the server reports. Thread-compatible: one thread at a time per client; the
// connection is kept alive between calls.
#ifndef TELEMETRY_COLLECTOR_CLICKHOUSE_CLIENT_H_
#define TELEMETRY_COLLECTOR_CLICKHOUSE_CLIENT_H_

#include <chrono>
#include <string>

#include "telemetry/base/status.h"

namespace telemetry::collector::clickhouse {

struct Endpoint {
  std::string host;
  int port = 8123;
  std::string ToString() const { return host + ":" + std::to_string(port); }
};

class ClickHouseClient {
 public:
  ClickHouseClient(Endpoint endpoint, std::string database,
                   std::chrono::milliseconds timeout = std::chrono::minutes(10));
  ~ClickHouseClient();
  ClickHouseClient(const ClickHouseClient&) = delete;
  ClickHouseClient& operator=(const ClickHouseClient&) = delete;

  // Runs one statement; the response body (the result in the FORMAT the SQL names).
  Result<std::string> Query(const std::string& sql);
  // The same without a default database (CREATE DATABASE, before it exists).
  Result<std::string> QueryWithoutDatabase(const std::string& sql);
  // Inserts `tsv` (TabSeparated rows, tsv.h) into `table`'s `columns` ("a, b, c").
  Status Insert(const std::string& table, const std::string& columns, const std::string& tsv);

  const Endpoint& endpoint() const { return endpoint_; }

 private:
  Result<std::string> Post(const std::string& url_query, const std::string& body);

  Endpoint endpoint_;
  std::string database_;
  std::chrono::milliseconds timeout_;
  void* curl_;
};

}  // namespace telemetry::collector::clickhouse

#endif  // TELEMETRY_COLLECTOR_CLICKHOUSE_CLIENT_H_
