// Looks up batches of keyed hashes in customer_identifiers: one query per
// batch, never one per identifier. Not thread-safe (one connection); the
// connection must outlive the lookup.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "matcher/keyed_hash.h"

namespace leakwatch::matcher {

class CustomerLookup {
 public:
  CustomerLookup(pqxx::connection& conn, int key_version);
  // The customers holding each hash of `hashes` (duplicates allowed); hashes
  // with no customer are absent from the result.
  std::map<KeyedHash, std::vector<std::string>> find(const std::vector<KeyedHash>& hashes);

 private:
  pqxx::connection& conn_;
  int key_version_;
};

}  // namespace leakwatch::matcher
