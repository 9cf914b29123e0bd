#include "collector/import/importer.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "collector/import/activity_row.h"
#include "collector/import/csv_line.h"
#include "telemetry/base/clock.h"

namespace telemetry::collector {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

class FileImporter {
 public:
  FileImporter(const std::string& file, const ImportOptions& options, const IdHasher& hasher,
               Storage* storage, ImportReport* report)
      : file_(file), options_(options), hasher_(hasher), storage_(storage), report_(report) {}

  Status Run() {
    std::ifstream in(file_, std::ios::binary);
    if (!in) return FileProblem(0, "cannot open the file");
    std::error_code ec;
    const uint64_t total = std::filesystem::file_size(file_, ec);
    uint64_t bytes_read = 0;
    std::string line;
    int64_t line_number = 0;
    while (std::getline(in, line)) {
      ++line_number;
      bytes_read += line.size() + 1;
      // A byte-order mark, as spreadsheet programs write one, is not part of the first line.
      if (line_number == 1 && line.rfind(kUtf8Bom, 0) == 0) line.erase(0, kUtf8Bom.size());
      if (line_number == 1 && options_.format == ImportFormat::kCsv) {
        if (Status s = ReadHeader(line); !s.ok()) return FileProblem(1, s.message());
        continue;
      }
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      ++report_->rows_read;
      Result<RawActivityRow> raw =
          options_.format == ImportFormat::kCsv ? CsvRow(line) : NdjsonRow(line);
      Result<ActivityEvent> event =
          raw.ok() ? ActivityFromRow(*raw, hasher_, now_ms_) : Result<ActivityEvent>(raw.status());
      if (!event.ok()) {
        ++report_->rejected;
        Problem(line_number, event.status().message());
        continue;
      }
      batch_.push_back(std::move(*event));
      if (batch_.size() >= options_.batch_rows) {
        if (Status s = Flush(); !s.ok()) return s;
        if (options_.on_progress) options_.on_progress(file_, bytes_read, total);
      }
    }
    if (line_number == 0 && options_.format == ImportFormat::kCsv) {
      return FileProblem(1, "the file is empty (a CSV file starts with its header)");
    }
    if (Status s = Flush(); !s.ok()) return s;
    if (options_.on_progress) options_.on_progress(file_, total, total);
    return Status::Ok();
  }

 private:
  Status ReadHeader(const std::string& line) {
    Result<std::vector<std::string>> names = SplitCsvLine(line);
    if (!names.ok()) return names.status();
    for (const std::string& name : *names) {
      const int index = ActivityColumnIndex(name);
      if (index < 0) return Status::InvalidArgument("unknown column " + QuoteValue(name));
      for (int seen : columns_) {
        if (seen == index)
          return Status::InvalidArgument("column " + QuoteValue(name) + " repeats");
      }
      columns_.push_back(index);
    }
    return Status::Ok();
  }

  Result<RawActivityRow> CsvRow(const std::string& line) const {
    Result<std::vector<std::string>> fields = SplitCsvLine(line);
    if (!fields.ok()) return fields.status();
    if (fields->size() != columns_.size()) {
      return Status::InvalidArgument("expected " + std::to_string(columns_.size()) +
                                     " fields, found " + std::to_string(fields->size()));
    }
    RawActivityRow row;
    for (size_t i = 0; i < columns_.size(); ++i) {
      std::string& value = (*fields)[i];
      if (!value.empty() && value != "NULL") row[columns_[i]] = std::move(value);
    }
    return row;
  }

  static Result<RawActivityRow> NdjsonRow(const std::string& line) {
    nlohmann::json object = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (object.is_discarded() || !object.is_object()) {
      return Status::InvalidArgument("not a JSON object");
    }
    RawActivityRow row;
    for (auto it = object.begin(); it != object.end(); ++it) {
      const int index = ActivityColumnIndex(it.key());
      if (index < 0) return Status::InvalidArgument("unknown column " + QuoteValue(it.key()));
      if (it->is_null()) continue;
      if (it->is_string()) {
        row[index] = it->get<std::string>();
      } else if (it->is_boolean()) {
        row[index] = it->get<bool>() ? "1" : "0";
      } else if (it->is_number()) {
        row[index] = it->dump();
      } else {
        return Status::InvalidArgument("column " + QuoteValue(it.key()) +
                                       " is not a string or number");
      }
    }
    return row;
  }

  Status Flush() {
    if (batch_.empty()) return Status::Ok();
    Result<int64_t> stored = storage_->AppendActivity(batch_);
    if (!stored.ok()) return stored.status();
    report_->imported += *stored;
    report_->already_there += static_cast<int64_t>(batch_.size()) - *stored;
    batch_.clear();
    return Status::Ok();
  }

  void Problem(int64_t line, const std::string& why) const {
    if (options_.on_problem) options_.on_problem(file_ + ":" + std::to_string(line) + ": " + why);
  }

  // Reports a problem with the file as a whole; the import goes on with the next file.
  Status FileProblem(int64_t line, const std::string& why) {
    ++report_->unreadable_files;
    Problem(line, why);
    return Status::Ok();
  }

  const std::string& file_;
  const ImportOptions& options_;
  const int64_t now_ms_ = options_.now_ms != 0 ? options_.now_ms : SystemClock().NowMillis();
  const IdHasher& hasher_;
  Storage* storage_;
  ImportReport* report_;
  std::vector<int> columns_;
  std::vector<ActivityEvent> batch_;
};

}  // namespace

Result<ImportReport> ImportFiles(const std::vector<std::string>& files,
                                 const ImportOptions& options, const IdHasher& hasher,
                                 Storage* storage) {
  ImportReport report;
  for (const std::string& file : files) {
    FileImporter importer(file, options, hasher, storage, &report);
    if (Status s = importer.Run(); !s.ok()) return s;
  }
  return report;
}

}  // namespace telemetry::collector
