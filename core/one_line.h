// Messages from libraries span lines (libpq: "server closed the connection
// unexpectedly\n\tThis probably means..."); ours are one line on stderr.
#pragma once

#include <string>
#include <string_view>

namespace leakwatch {

// `text` on one line: each line trimmed of spaces, tabs and CRs, the
// non-empty ones joined by one space, the tabs left inside turned to spaces.
inline std::string one_line(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos) {
      line = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
      if (!out.empty()) out += " ";
      out += line;
    }
    start = end + 1;
  }
  for (char& c : out) {
    if (c == '\t' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace leakwatch
