// Reading exposures for breach-notification reports, optionally marking the
// rows read as notified in the same statement (UPDATE ... RETURNING), so two
// concurrent reports never notify the same exposure twice and a report that
// fails before its transaction commits notifies nothing.
//
// Not thread-safe; the transaction must outlive the call.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "report/exposure_row.h"

namespace leakwatch::matcher {

struct ReportFilter {
  bool all = false;  // include exposures already notified
  std::optional<std::string>
      since;                   // first seen at or after this timestamptz (ExposureReport also takes "7d")
  bool mark_notified = false;  // set notified_at on the rows returned
};

// Resolves a --since value: "7d", "24h", "30m" (ago), or anything PostgreSQL
// reads as timestamptz ("2024-05-01", "2024-05-01 12:00+08"). Returns the
// absolute time as text; throws leakwatch::ConfigError for anything else.
std::string resolve_since(pqxx::work& tx, const std::string& since);

// The exposures selected by `filter`, ordered by customer, kind, URL. With
// mark_notified, the rows are marked in `tx` (commit it after the report is
// written). Throws leakwatch::RuntimeError on a database failure.
std::vector<report::ExposureRow> read_exposures(pqxx::work& tx, const ReportFilter& filter);

// One report's read, held open until the report is written: with
// mark_notified the rows are marked in this transaction, commit() makes the
// marks stick, and a report dropped before commit() notifies nothing.
class ExposureReport {
 public:
  // Reads the exposures `filter` selects; `filter.since` may be a relative
  // value ("7d"), resolved here with resolve_since. Throws
  // leakwatch::ConfigError for a bad --since, RuntimeError on a database
  // failure. `conn` must outlive the report.
  ExposureReport(pqxx::connection& conn, ReportFilter filter);
  const std::vector<report::ExposureRow>& rows() const { return rows_; }
  // Throws leakwatch::RuntimeError when the marks cannot be committed.
  void commit();

 private:
  pqxx::work tx_;
  std::vector<report::ExposureRow> rows_;
};

}  // namespace leakwatch::matcher
