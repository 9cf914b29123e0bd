#include "terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace telemetry::inspect {
namespace {

// Display width of UTF-8 text, counting code points (good enough for probe metadata).
size_t DisplayWidth(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// The first `width` code points of `text`.
std::string Cut(const std::string& text, size_t width) {
  size_t points = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && points++ == width) {
      return text.substr(0, i);
    }
  }
  return text;
}

}  // namespace

int TerminalWidth() {
  if (const char* columns = std::getenv("COLUMNS")) {
    int width = std::atoi(columns);
    if (width > 20) return width;
  }
  winsize size{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 20) {
    return size.ws_col;
  }
  return 0;  // Not a terminal: no limit.
}

void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, int width) {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) widths[c] = DisplayWidth(header[c]);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  }
  size_t fixed = 0;
  for (size_t c = 0; c + 1 < widths.size(); ++c) fixed += widths[c] + 2;
  // The last column keeps at least 24 characters, even if the line then wraps.
  size_t last_width = width <= 0
                          ? SIZE_MAX
                          : static_cast<size_t>(std::max<int>(24, width - static_cast<int>(fixed)));
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < widths.size(); ++c) {
      std::string cell = c < row.size() ? row[c] : "";
      if (c + 1 == widths.size()) {
        if (DisplayWidth(cell) > last_width) cell = Cut(cell, last_width - 3) + "...";
        line += cell;
      } else {
        line += cell + std::string(widths[c] - DisplayWidth(cell) + 2, ' ');
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

}  // namespace telemetry::inspect
