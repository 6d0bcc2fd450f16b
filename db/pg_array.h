// PostgreSQL array literals, for binding a whole list as one parameter
// (`$1::text[]`, `$2::bigint[]`): one statement per batch instead of one
// round trip per row.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace leakwatch::db {

// {"a","b\"c"}: every element quoted, quotes and backslashes escaped.
std::string to_pg_array(const std::vector<std::string>& values);

// {1,2,3}
std::string to_pg_array(const std::vector<int64_t>& values);

}  // namespace leakwatch::db
