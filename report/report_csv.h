// The CSV breach-notification report: a header row, then one row per exposure
// with the JSON report's columns (RFC 4180 quoting by libcsv). Listing text
// that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets
// a leading apostrophe in the title, price and seller columns. Grouping by
// customer is the row order (rows come sorted by customer). Pure, thread-safe.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "report/exposure_row.h"

namespace leakwatch::report {

// customer_id,kind,masked,source,url,title,price,seller,first_seen,last_seen,confidence
void write_report_csv(std::ostream& out, const std::vector<ExposureRow>& rows);

// One CSV field, quoted when it holds a comma, quote, CR or LF.
std::string csv_field(std::string_view value);

}  // namespace leakwatch::report
