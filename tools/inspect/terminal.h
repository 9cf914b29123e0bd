// Plain-text tables sized to the terminal, for telemetry-inspect's human-readable output.
#ifndef TELEMETRY_TOOLS_INSPECT_TERMINAL_H_
#define TELEMETRY_TOOLS_INSPECT_TERMINAL_H_

#include <ostream>
#include <string>
#include <vector>

namespace telemetry::inspect {

// The width of the terminal on stdout: $COLUMNS, else the tty's size, else 0 (not a
// terminal: no limit).
int TerminalWidth();

// Prints `rows` under `header` in aligned columns. When the table is wider than `width` (> 0),
// the last column is cut (with "...") to fit, down to 24 characters; the other columns are
// never cut.
void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, int width);

}  // namespace telemetry::inspect

#endif  // TELEMETRY_TOOLS_INSPECT_TERMINAL_H_
