#include "matcher/customer_lookup.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "db/store_error.h"

namespace leakwatch::matcher {
namespace {

// A join, not `hash = ANY($1)`: planned with a 20,000-element array,
// ANY() cost ~170 ms of planning (selectivity per element, per partition)
// and a parallel sequential scan of the whole customer set per batch;
// unnest() gives a nested loop of primary-key probes.
constexpr const char* kFindCustomers =
    "SELECT p.hash, c.customer_id FROM unnest($1::uuid[]) AS p(hash)"
    " JOIN customer_identifiers c ON c.hash = p.hash AND c.key_version = $2";
// Primary-key probes are the right plan for any batch this class is meant
// for, but the planner cannot see it: name hashes, each shared by thousands
// of customers, make ANALYZE estimate ~50,000 distinct hashes where there
// are millions, so it expects ~50 rows per probe. From ~50,000 probes (1M
// customers) it then picks a merge join, reading every partition's whole
// index (1.5 s for 100,000 probes, against 0.55 s of probes), and from
// 20,000 the cost estimate switches JIT compilation on (10-90 ms a batch
// for nothing). So, for this transaction only: no merge or hash join, no JIT.
constexpr const char* kPlanForProbes =
    "SELECT set_config('enable_mergejoin', 'off', true), set_config('enable_hashjoin', 'off', true),"
    " set_config('jit', 'off', true)";

constexpr std::uint32_t kUuidOid = 2950;

void put_u32(std::string& out, std::uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                         static_cast<char>(v)};
  out.append(bytes, 4);
}

// PostgreSQL's binary array format (array_recv): no text to print or parse.
std::string binary_uuid_array(const std::vector<identity::KeyedHash>& hashes) {
  std::string out;
  out.reserve(20 + hashes.size() * 20);
  put_u32(out, 1);  // dimensions
  put_u32(out, 0);  // flags: no nulls
  put_u32(out, kUuidOid);
  put_u32(out, static_cast<std::uint32_t>(hashes.size()));
  put_u32(out, 1);  // lower bound
  for (const identity::KeyedHash& h : hashes) {
    put_u32(out, static_cast<std::uint32_t>(h.size()));
    out.append(reinterpret_cast<const char*>(h.data()), h.size());
  }
  return out;
}

}  // namespace

CustomerLookup::CustomerLookup(pqxx::connection& conn, int key_version)
    : conn_(conn), key_version_(key_version) {}

std::map<identity::KeyedHash, std::vector<std::string>> CustomerLookup::find(
    const std::vector<identity::KeyedHash>& hashes) {
  std::map<identity::KeyedHash, std::vector<std::string>> found;
  if (hashes.empty()) return found;
  // Sorted and distinct: each hash is probed once, and neighbouring probes
  // touch neighbouring index pages.
  std::vector<identity::KeyedHash> sorted = hashes;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  const pqxx::binarystring array(binary_uuid_array(sorted));
  db::store_call(
      [&] { return "looking up " + std::to_string(sorted.size()) + " identifiers among the customers"; },
      [&] {
        pqxx::read_transaction tx(conn_);
        tx.exec(kPlanForProbes);
        for (const auto& row : tx.exec_params(kFindCustomers, array, key_version_)) {
          identity::KeyedHash h;
          if (identity::parse_hex(row[0].c_str(), &h)) found[h].push_back(row[1].as<std::string>());
        }
      });
  for (auto& [hash, customers] : found) std::sort(customers.begin(), customers.end());
  return found;
}

}  // namespace leakwatch::matcher
