#include "collector/clickhouse/tsv.h"

#include <charconv>
#include <cstdlib>

namespace telemetry::collector::clickhouse {
namespace {

void Escape(std::string_view value, std::string* out) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\0':
        out->append("\\0");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        out->push_back(c);
    }
  }
}

char Unescaped(char c) {
  switch (c) {
    case 't':
      return '\t';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case '0':
      return '\0';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'a':
      return '\a';
    case 'v':
      return '\v';
    default:
      return c;  // \\, \', \" and any other: the character itself.
  }
}

}  // namespace

void TsvWriter::Separate() {
  if (row_open_) data_.push_back('\t');
  row_open_ = true;
}

TsvWriter& TsvWriter::Text(std::string_view value) {
  Separate();
  Escape(value, &data_);
  return *this;
}

TsvWriter& TsvWriter::Text(const std::optional<std::string>& value) {
  return value ? Text(std::string_view(*value)) : Null();
}

TsvWriter& TsvWriter::Int(int64_t value) {
  Separate();
  data_.append(std::to_string(value));
  return *this;
}

TsvWriter& TsvWriter::Int(const std::optional<int64_t>& value) {
  return value ? Int(*value) : Null();
}

TsvWriter& TsvWriter::Null() {
  Separate();
  data_.append("\\N");
  return *this;
}

TsvWriter& TsvWriter::EndRow() {
  data_.push_back('\n');
  row_open_ = false;
  ++rows_;
  return *this;
}

Result<std::vector<TsvRow>> ParseTsv(std::string_view body) {
  std::vector<TsvRow> rows;
  TsvRow row;
  std::string field;
  bool null = false;
  bool line_open = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '\t' || c == '\n') {
      row.push_back(null ? std::nullopt : std::optional<std::string>(std::move(field)));
      field.clear();
      null = false;
      if (c == '\n') {
        rows.push_back(std::move(row));
        row.clear();
        line_open = false;
      }
      continue;
    }
    line_open = true;
    if (c != '\\') {
      field.push_back(c);
      continue;
    }
    if (++i == body.size()) return Status::Corruption("a ClickHouse result ends inside an escape");
    if (body[i] == 'N' && field.empty()) {
      null = true;
    } else {
      field.push_back(Unescaped(body[i]));
    }
  }
  if (line_open) return Status::Corruption("a ClickHouse result ends inside a row");
  return rows;
}

Result<int64_t> TsvInt(const std::optional<std::string>& field) {
  int64_t value = 0;
  if (!field) return Status::Corruption("ClickHouse gave NULL where a number was expected");
  const char* end = field->data() + field->size();
  auto [at, error] = std::from_chars(field->data(), end, value);
  if (error != std::errc() || at != end) {
    return Status::Corruption("ClickHouse gave '" + field->substr(0, 40) + "' for a number");
  }
  return value;
}

Result<double> TsvDouble(const std::optional<std::string>& field) {
  if (!field) return Status::Corruption("ClickHouse gave NULL where a number was expected");
  char* end = nullptr;
  const double value = std::strtod(field->c_str(), &end);
  if (field->empty() || end != field->c_str() + field->size()) {
    return Status::Corruption("ClickHouse gave '" + field->substr(0, 40) + "' for a number");
  }
  return value;
}

std::string SqlQuote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace telemetry::collector::clickhouse
