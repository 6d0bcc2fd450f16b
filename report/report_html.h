// The HTML breach-notification report: one self-contained page (no external
// scripts, styles, fonts or images) for a breach-response meeting: summary
// figures, an inline-SVG chart of new exposures per day by source, a chart of
// the listings holding the most exposures, and a table sortable by any column.
//
// Listing titles, sellers, prices, URLs and even customer ids are hostile
// text: every one is HTML-escaped where it is written (server-side; the
// sorting script only moves rows and reads textContent), and a
// Content-Security-Policy allows no script but the page's own (by hash), no
// network and no inline event handlers. Pure, thread-safe.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "report/exposure_row.h"

namespace leakwatch::report {

struct HtmlReportInfo {
  std::string generated_at;  // shown in the header, e.g. "2024-05-01T12:00:00Z"
  std::string scope;         // e.g. "exposures not yet notified"
};

void write_report_html(std::ostream& out, const std::vector<ExposureRow>& rows, const HtmlReportInfo& info);

// `text` with & < > " ' escaped and invalid UTF-8 / control characters
// replaced, safe in element content and in quoted attribute values.
std::string html_escape(std::string_view text);

}  // namespace leakwatch::report
