// One exposure as reports show it: what report_query reads from the database
// and what the JSON, CSV and HTML writers render. Plain data, no behaviour.
#pragma once

#include <cstdint>
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
  // Set when the identifier stands in a file the listing linked (its first
  // place there): the file's URL, "sample.zip!part1.csv" (the file's name,
  // then the member path inside it, if any) and the 1-based line in it.
  std::optional<std::string> attachment_url;
  std::optional<std::string> attachment;
  std::optional<int64_t> attachment_line;
};

// "sample.zip!part1.csv line 77", or "" when the row has no attachment.
std::string attachment_chain(const ExposureRow& row);

}  // namespace leakwatch::report
