#include "report/report_json.h"

namespace leakwatch::report {
namespace {

nlohmann::ordered_json optional_json(const std::optional<std::string>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace

nlohmann::ordered_json exposure_json(const ExposureRow& row) {
  nlohmann::ordered_json out{{"customer_id", row.customer_id},
                             {"kind", row.kind},
                             {"masked", row.masked},
                             {"source", row.source},
                             {"url", row.url},
                             {"title", optional_json(row.title)},
                             {"price", optional_json(row.price)},
                             {"seller", optional_json(row.seller)},
                             {"first_seen", row.first_seen},
                             {"last_seen", row.last_seen},
                             {"confidence", row.confidence}};
  if (row.attachment) {
    // The chain: this listing -> the file it linked -> the member and line.
    out["attachment"] = {{"url", row.attachment_url.value_or("")},
                         {"file", *row.attachment},
                         {"line", row.attachment_line.value_or(0)}};
  }
  return out;
}

std::string attachment_chain(const ExposureRow& row) {
  if (!row.attachment) return "";
  return *row.attachment + " line " + std::to_string(row.attachment_line.value_or(0));
}

nlohmann::ordered_json report_json(const std::vector<ExposureRow>& rows, bool group_by_customer) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& row : rows) {
    if (!group_by_customer) {
      out.push_back(exposure_json(row));
      continue;
    }
    if (out.empty() || out.back()["customer_id"] != row.customer_id) {
      out.push_back({{"customer_id", row.customer_id}, {"exposures", nlohmann::ordered_json::array()}});
    }
    nlohmann::ordered_json item = exposure_json(row);
    item.erase("customer_id");
    out.back()["exposures"].push_back(std::move(item));
  }
  return out;
}

void write_report_json(std::ostream& out, const std::vector<ExposureRow>& rows, bool group_by_customer) {
  out << report_json(rows, group_by_customer)
             .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
      << "\n";
}

}  // namespace leakwatch::report
