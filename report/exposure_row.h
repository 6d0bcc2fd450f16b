// One exposure as reports show it: what report_query reads from the database
// and what the JSON, CSV and HTML writers render. Plain data, no behaviour.
#pragma once

#include <optional>
#include <string>

namespace leakwatch::report {

// Listing fields are hostile text from the market: writers escape them.
// Times are ISO 8601 UTC ("2024-05-01T12:00:00Z").
struct ExposureRow {
  std::string customer_id;
  std::string kind;    // "email" | "phone"
  std::string masked;  // masked identifier, never the plaintext
  std::string source;
  std::string url;
  std::optional<std::string> title;  // listing title, else page title
  std::optional<std::string> price;
  std::optional<std::string> seller;
  std::string first_seen;
  std::string last_seen;
  std::string confidence;  // "confirmed" | "single"
};

}  // namespace leakwatch::report
