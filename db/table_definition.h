// A local table's definition read back from PostgreSQL's catalog, as the
// statements that make the same table elsewhere: columns (types, NOT NULL,
// defaults), check, primary-key and unique constraints, indexes and per-
// column statistics targets. For `db shard` (db/shard.cpp): a shard's copy
// of a bucket is made from the coordinator's own partition, so whatever the
// migrations gave the partition, the shard's table has too.
#pragma once

#include <string>

#include <pqxx/pqxx>

namespace leakwatch::db {

// The statements (separated by ';', idempotent: IF NOT EXISTS) that create
// `table` (a plain table of the current schema, e.g. a partition) under the
// same name on another server, with `extra_constraint` (e.g. "CHECK
// (bucket = 3)", empty for none) added. Throws if the table does not exist.
std::string table_definition(pqxx::transaction_base& tx, const std::string& table,
                             const std::string& extra_constraint = "");

}  // namespace leakwatch::db
