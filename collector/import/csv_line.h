// One line of the event table's CSV form, split into fields.
//
// RFC 4180 quoting ("a ""quoted"", field"), except that a field may not span lines: the event
// table has no multi-line values, and keeping every record on one line lets a broken quote cost
// that one line only. A trailing '\r' is dropped. Thread-safe.
#ifndef TELEMETRY_COLLECTOR_IMPORT_CSV_LINE_H_
#define TELEMETRY_COLLECTOR_IMPORT_CSV_LINE_H_

#include <string>
#include <string_view>
#include <vector>

#include "telemetry/base/status.h"

namespace telemetry::collector {

// The fields, unquoted. InvalidArgument for broken quoting (a quote inside an unquoted field,
// text after a closing quote, a quote never closed).
Result<std::vector<std::string>> SplitCsvLine(std::string_view line);

}  // namespace telemetry::collector

#endif  // TELEMETRY_COLLECTOR_IMPORT_CSV_LINE_H_
