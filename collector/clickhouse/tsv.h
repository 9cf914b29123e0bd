// ClickHouse's TabSeparated format, both ways: rows for an INSERT and rows of a result.
//
//   TsvWriter rows;
//   rows.Text("doc-1").Int(42).Null().EndRow();
//   client.Insert("t", "a, b, c", rows.data());
//
//   for (const std::vector<std::optional<std::string>>& row : ParseTsv(body)) ...
//
// Strings are bytes: any byte may appear, tabs, newlines and backslashes are escaped (so bodies
// of pings go through unchanged) and \N is NULL. Plain values; thread-compatible.
#ifndef TELEMETRY_COLLECTOR_CLICKHOUSE_TSV_H_
#define TELEMETRY_COLLECTOR_CLICKHOUSE_TSV_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/base/status.h"

namespace telemetry::collector::clickhouse {

class TsvWriter {
 public:
  TsvWriter& Text(std::string_view value);
  TsvWriter& Text(const std::string& value) { return Text(std::string_view(value)); }
  TsvWriter& Text(const char* value) { return Text(std::string_view(value)); }
  TsvWriter& Text(const std::optional<std::string>& value);
  TsvWriter& Int(int64_t value);
  TsvWriter& Int(const std::optional<int64_t>& value);
  TsvWriter& Null();
  TsvWriter& EndRow();

  const std::string& data() const { return data_; }
  size_t rows() const { return rows_; }
  bool empty() const { return rows_ == 0; }

 private:
  void Separate();

  std::string data_;
  size_t rows_ = 0;
  bool row_open_ = false;
};

using TsvRow = std::vector<std::optional<std::string>>;  // nullopt: \N

// Every line of `body` split at tabs and unescaped. Corruption for a broken escape.
Result<std::vector<TsvRow>> ParseTsv(std::string_view body);

// A field of a result as a number; Corruption when it is not one (or NULL).
Result<int64_t> TsvInt(const std::optional<std::string>& field);
Result<double> TsvDouble(const std::optional<std::string>& field);

// `text` as a single-quoted ClickHouse string literal.
std::string SqlQuote(std::string_view text);

}  // namespace telemetry::collector::clickhouse

#endif  // TELEMETRY_COLLECTOR_CLICKHOUSE_TSV_H_
