#include "report/report_csv.h"

#include <csv.h>

namespace leakwatch::report {
namespace {

constexpr const char* kHeader =
    "customer_id,kind,masked,source,url,title,price,seller,first_seen,last_seen,confidence,attachment_url,"
    "attachment,attachment_line";

// Hostile listing text must not become a formula in the spreadsheet that opens
// the report (CSV injection).
std::string defused(const std::optional<std::string>& value) {
  if (!value || value->empty()) return value.value_or("");
  switch ((*value)[0]) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
      return "'" + *value;
    default:
      return *value;
  }
}

}  // namespace

std::string csv_field(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out(value.size() * 2 + 2, '\0');  // csv_write's worst case
  out.resize(csv_write(out.data(), out.size(), value.data(), value.size()));
  return out;
}

void write_report_csv(std::ostream& out, const std::vector<ExposureRow>& rows) {
  out << kHeader << "\r\n";
  for (const auto& r : rows) {
    out << csv_field(r.customer_id) << ',' << csv_field(r.kind) << ',' << csv_field(r.masked) << ','
        << csv_field(r.source) << ',' << csv_field(r.url) << ',' << csv_field(defused(r.title)) << ','
        << csv_field(defused(r.price)) << ',' << csv_field(defused(r.seller)) << ','
        << csv_field(r.first_seen) << ',' << csv_field(r.last_seen) << ',' << csv_field(r.confidence) << ','
        << csv_field(defused(r.attachment_url)) << ',' << csv_field(defused(r.attachment)) << ','
        << (r.attachment_line ? std::to_string(*r.attachment_line) : std::string()) << "\r\n";
  }
}

}  // namespace leakwatch::report
