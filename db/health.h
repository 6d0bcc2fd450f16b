// What `leakwatch doctor` asks the database about itself: whether the role
// may do what the commands do, and where and how large the database is.
// Read-only; not thread-safe; the connection must outlive each call. Errors
// are leakwatch::RuntimeError with the server's message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace leakwatch::db {

// One thing the connected role may not do that some command needs:
// "frontier: INSERT, UPDATE" for a table of the current schema (partitions
// are reached through their parent and not listed), "database: TEMPORARY"
// (customers import stages rows in a temp table), "schema public: CREATE"
// (db migrate, asked only when `need_create` says migrations are pending).
struct RoleRights {
  std::string role;                  // current_user
  std::vector<std::string> missing;  // empty: the role may do everything
};
RoleRights role_rights(pqxx::connection& conn, bool need_create);

struct DatabaseStorage {
  int64_t database_bytes = 0;                 // pg_database_size(current_database())
  std::optional<std::string> data_directory;  // nullopt: the role may not see it
};

DatabaseStorage database_storage(pqxx::connection& conn);

}  // namespace leakwatch::db
