// Looks up batches of keyed hashes in customer_identifiers: one query per
// batch, never one per identifier. Not thread-safe (one connection); the
// connection must outlive the lookup.
//
// A batch is sent as one binary uuid[] parameter and joined through
// unnest() against the primary key: one index probe per distinct hash, in
// the one partition that can hold it (run-time pruning). Cost grows with the
// batch, not with the customer set; batches of thousands to tens of
// thousands of hashes are the intended use.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "identity/keyed_hash.h"

namespace leakwatch::matcher {

class CustomerLookup {
 public:
  CustomerLookup(pqxx::connection& conn, int key_version);
  // The customers holding each hash of `hashes` (duplicates allowed), each
  // hash's customer ids in ascending order; hashes with no customer are
  // absent from the result. Throws db::StoreError on a database failure.
  std::map<identity::KeyedHash, std::vector<std::string>> find(
      const std::vector<identity::KeyedHash>& hashes);

 private:
  pqxx::connection& conn_;
  int key_version_;
};

}  // namespace leakwatch::matcher
