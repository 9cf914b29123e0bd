#include "collector/import/csv_line.h"

namespace telemetry::collector {

Result<std::vector<std::string>> SplitCsvLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::vector<std::string> fields;
  size_t pos = 0;
  while (true) {
    std::string field;
    if (pos < line.size() && line[pos] == '"') {
      ++pos;
      bool closed = false;
      while (pos < line.size()) {
        if (line[pos] == '"') {
          if (pos + 1 < line.size() && line[pos + 1] == '"') {
            field += '"';
            pos += 2;
            continue;
          }
          ++pos;
          closed = true;
          break;
        }
        field += line[pos++];
      }
      if (!closed) return Status::InvalidArgument("a quoted field is not closed");
      if (pos < line.size() && line[pos] != ',') {
        return Status::InvalidArgument("text after a closing quote");
      }
    } else {
      const size_t end = std::min(line.find(',', pos), line.size());
      field = std::string(line.substr(pos, end - pos));
      if (field.find('"') != std::string::npos) {
        return Status::InvalidArgument("a quote inside an unquoted field");
      }
      pos = end;
    }
    fields.push_back(std::move(field));
    if (pos >= line.size()) break;
    ++pos;  // The comma.
    if (pos == line.size()) {
      fields.emplace_back();  // A trailing comma ends with an empty field.
      break;
    }
  }
  return fields;
}

}  // namespace telemetry::collector
