#include "matcher/customer_lookup.h"

#include <algorithm>

namespace leakwatch::matcher {
namespace {

constexpr const char* kFindCustomers =
    "SELECT hash::text, customer_id FROM customer_identifiers"
    " WHERE hash = ANY($1::uuid[]) AND key_version = $2 ORDER BY hash, customer_id";

}  // namespace

CustomerLookup::CustomerLookup(pqxx::connection& conn, int key_version) : conn_(conn), key_version_(key_version) {}

std::map<KeyedHash, std::vector<std::string>> CustomerLookup::find(const std::vector<KeyedHash>& hashes) {
  std::map<KeyedHash, std::vector<std::string>> found;
  if (hashes.empty()) return found;
  std::vector<KeyedHash> sorted = hashes;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string array = "{";
  array.reserve(sorted.size() * 33 + 2);
  for (const KeyedHash& h : sorted) {
    if (array.size() > 1) array.push_back(',');
    array += to_hex(h);
  }
  array.push_back('}');
  pqxx::read_transaction tx(conn_);
  for (const auto& row : tx.exec_params(kFindCustomers, array, key_version_)) {
    KeyedHash h;
    if (parse_hex(row[0].c_str(), &h)) found[h].push_back(row[1].as<std::string>());
  }
  return found;
}

}  // namespace leakwatch::matcher
