// The JSON breach-notification report (DESIGN.md "report --format json"): an
// array with one object per exposure (customer, identifier, listing), or with
// `group_by_customer` one object per customer holding its exposures.
// Built with nlohmann::ordered_json; invalid UTF-8 in listing text is replaced
// (U+FFFD), never an error. Pure, thread-safe.
#pragma once

#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/exposure_row.h"

namespace leakwatch::report {

// {"customer_id", "kind", "masked", "source", "url", "title", "price",
// "seller", "first_seen", "last_seen", "confidence"}; absent listing fields
// are null.
nlohmann::ordered_json exposure_json(const ExposureRow& row);

// [exposure...] or, grouped, [{"customer_id", "exposures": [...]}...] in
// the order of `rows` (which must be sorted by customer for grouping).
nlohmann::ordered_json report_json(const std::vector<ExposureRow>& rows, bool group_by_customer);

// report_json(), pretty-printed, with a final newline.
void write_report_json(std::ostream& out, const std::vector<ExposureRow>& rows, bool group_by_customer);

}  // namespace leakwatch::report
