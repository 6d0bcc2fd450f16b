#include "matcher/report_query.h"

#include <re2/re2.h>

#include "core/checked_regex.h"
#include "core/errors.h"
#include "db/store_error.h"

namespace leakwatch::matcher {
namespace {

constexpr const char* kSinceAgo =
    "SELECT to_char((now() - $1::interval) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00')";
constexpr const char* kSinceAt =
    "SELECT to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00')";

// $1: include notified rows; $2: first seen at or after ('' = no bound).
// Reports read the listing fields as the crawler stored them.
constexpr const char* kSelect =
    "SELECT e.customer_id, e.kind, e.masked, p.source, p.url, coalesce(p.listing_title, p.title), p.price,"
    " p.seller, to_char(e.first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " to_char(e.last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " e.confidence, att.url, att.file, att.line"
    " FROM exposures e JOIN pages p ON p.id = e.page_id"
    " LEFT JOIN LATERAL (SELECT a.url, split_part(split_part(substring(a.url from '[^/]*$'), '?', 1), '#', 1)"
    "  || CASE WHEN s.member = '' THEN '' ELSE '!' || s.member END AS file, s.line"
    "  FROM attachment_sightings s JOIN attachments a ON a.id = s.attachment_id"
    "  WHERE a.page_id = e.page_id AND s.hash = e.hash AND s.key_version = e.key_version"
    "  ORDER BY a.url, s.member, s.line LIMIT 1) att ON true"
    " WHERE ($1 OR e.notified_at IS NULL) AND e.first_seen >= coalesce(NULLIF($2, '')::timestamptz, "
    "'-infinity')"
    " ORDER BY e.customer_id, e.kind, p.url, e.masked";
// The same rows, marked. A concurrent report holding some of them makes this
// one wait; READ COMMITTED then re-checks notified_at on the committed row
// and leaves it out, so no exposure is reported as new twice.
constexpr const char* kMarkAndSelect =
    "WITH e AS (UPDATE exposures e SET notified_at = coalesce(e.notified_at, now())"
    "  WHERE ($1 OR e.notified_at IS NULL)"
    "   AND e.first_seen >= coalesce(NULLIF($2, '')::timestamptz, '-infinity') RETURNING e.*)"
    " SELECT e.customer_id, e.kind, e.masked, p.source, p.url, coalesce(p.listing_title, p.title), p.price,"
    " p.seller, to_char(e.first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " to_char(e.last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " e.confidence, att.url, att.file, att.line"
    " FROM e JOIN pages p ON p.id = e.page_id"
    " LEFT JOIN LATERAL (SELECT a.url, split_part(split_part(substring(a.url from '[^/]*$'), '?', 1), '#', 1)"
    "  || CASE WHEN s.member = '' THEN '' ELSE '!' || s.member END AS file, s.line"
    "  FROM attachment_sightings s JOIN attachments a ON a.id = s.attachment_id"
    "  WHERE a.page_id = e.page_id AND s.hash = e.hash AND s.key_version = e.key_version"
    "  ORDER BY a.url, s.member, s.line LIMIT 1) att ON true"
    " ORDER BY e.customer_id, e.kind, p.url, e.masked";

std::optional<std::string> optional_text(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}

}  // namespace

std::string resolve_since(pqxx::work& tx, const std::string& since) {
  static const CheckedRegex<RE2> kAgo("--since ago", "(\\d{1,6})\\s*([dhm])");
  int amount = 0;
  std::string unit;
  try {
    pqxx::subtransaction sub(tx, "since");
    std::string out;
    if (RE2::FullMatch(since, *kAgo, &amount, &unit)) {
      std::string interval = std::to_string(amount) + (unit == "d"   ? " days"
                                                       : unit == "h" ? " hours"
                                                                     : " minutes");
      out = sub.exec_params1(kSinceAgo, interval)[0].as<std::string>();
    } else {
      out = sub.exec_params1(kSinceAt, since)[0].as<std::string>();
    }
    sub.commit();
    return out;
  } catch (const pqxx::data_exception&) {
    throw ConfigError("--since '" + since +
                      "': not a time (e.g. 2024-05-01, '2024-05-01 12:00+08', 7d, 24h)");
  } catch (...) {
    db::rethrow_translated("reading --since");
  }
}

std::vector<report::ExposureRow> read_exposures(pqxx::work& tx, const ReportFilter& filter) {
  std::vector<report::ExposureRow> rows;
  try {
    pqxx::result r = tx.exec_params(filter.mark_notified ? kMarkAndSelect : kSelect, filter.all,
                                    filter.since.value_or(""));
    rows.reserve(r.size());
    for (const auto& row : r) {
      rows.push_back(report::ExposureRow{
          row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
          row[3].as<std::string>(), row[4].as<std::string>(), optional_text(row[5]), optional_text(row[6]),
          optional_text(row[7]), row[8].as<std::string>(), row[9].as<std::string>(),
          row[10].as<std::string>(), optional_text(row[11]), optional_text(row[12]),
          row[13].is_null() ? std::nullopt : std::optional<int64_t>(row[13].as<int64_t>())});
    }
  } catch (...) {
    db::rethrow_translated("reading the exposures to report");
  }
  return rows;
}

// A function-try-block: opening the transaction can fail too.
ExposureReport::ExposureReport(pqxx::connection& conn, ReportFilter filter) try : tx_(conn, "report") {
  if (filter.since) filter.since = resolve_since(tx_, *filter.since);
  rows_ = read_exposures(tx_, filter);
} catch (...) {
  db::rethrow_translated("starting the report");
}

void ExposureReport::commit() {
  db::store_call("marking the reported exposures as notified", [&] { tx_.commit(); });
}

}  // namespace leakwatch::matcher
