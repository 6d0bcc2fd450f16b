#include "db/health.h"

#include "db/store_error.h"

namespace leakwatch::db {
namespace {

// The rights each table needs: the stages read, insert, update and delete
// (purge, staging, leases). Partitions are reached through their parents.
constexpr const char* kMissingTableRights =
    "SELECT c.relname, array_to_string(ARRAY("
    "  SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p"
    "  WHERE NOT has_table_privilege(c.oid, p)), ', ')"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
    " ORDER BY c.relname";
constexpr const char* kTemporary = "SELECT has_database_privilege(current_database(), 'TEMPORARY')";
constexpr const char* kCreate = "SELECT current_schema(), has_schema_privilege(current_schema(), 'CREATE')";
// pg_settings shows data_directory only to roles allowed to read it
// (superusers, pg_read_all_settings); others get no row, not an error.
constexpr const char* kStorage =
    "SELECT pg_database_size(current_database()),"
    " (SELECT setting FROM pg_settings WHERE name = 'data_directory')";

}  // namespace

RoleRights role_rights(pqxx::connection& conn, bool need_create) {
  RoleRights rights;
  auto& missing = rights.missing;
  store_call("reading the role's rights", [&] {
    pqxx::read_transaction tx(conn, "doctor rights");
    rights.role = tx.exec1("SELECT current_user")[0].as<std::string>();
    for (const auto& row : tx.exec(kMissingTableRights)) {
      std::string lacking = row[1].as<std::string>();
      if (!lacking.empty()) missing.push_back(row[0].as<std::string>() + ": " + lacking);
    }
    if (!tx.exec1(kTemporary)[0].as<bool>()) missing.push_back("database: TEMPORARY");
    if (need_create) {
      pqxx::row r = tx.exec1(kCreate);
      if (!r[1].as<bool>()) missing.push_back("schema " + r[0].as<std::string>("") + ": CREATE");
    }
  });
  return rights;
}

DatabaseStorage database_storage(pqxx::connection& conn) {
  return store_call("reading the database's size", [&] {
    pqxx::read_transaction tx(conn, "doctor storage");
    pqxx::row r = tx.exec1(kStorage);
    DatabaseStorage s;
    s.database_bytes = r[0].as<int64_t>();
    if (!r[1].is_null()) s.data_directory = r[1].as<std::string>();
    return s;
  });
}

}  // namespace leakwatch::db
