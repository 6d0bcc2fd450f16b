#include "db/migrations.h"

#include <cstdlib>
#include <map>

#include "core/errors.h"
#include "db/connection.h"
#include "db/schema_files.h"
#include "db/store_error.h"

namespace leakwatch::db {
namespace {

constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";
constexpr const char* kSelectApplied =
    "SELECT version, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM schema_migrations";

int version_of(std::string_view name) { return std::atoi(std::string(name.substr(0, 4)).c_str()); }

// One statement and no transaction: every command pays this round trip
// (require_current_schema; a match with nothing new is two more). A missing
// table is nothing applied.
std::map<int, std::string> applied_versions(pqxx::connection& conn) {
  std::map<int, std::string> applied;
  try {
    pqxx::nontransaction tx(conn);
    for (const auto& row : tx.exec(kSelectApplied)) applied[row[0].as<int>()] = row[1].as<std::string>();
  } catch (const pqxx::undefined_table&) {
  }
  return applied;
}

}  // namespace

std::vector<MigrationState> migration_status(pqxx::connection& conn) {
  auto applied = store_call("reading the applied migrations", [&] { return applied_versions(conn); });
  std::vector<MigrationState> out;
  for (const auto& file : schema_files()) {
    MigrationState state{version_of(file.name), std::string(file.name), std::nullopt};
    if (auto it = applied.find(state.version); it != applied.end()) state.applied_at = it->second;
    out.push_back(std::move(state));
  }
  return out;
}

int migrate(pqxx::connection& conn, const std::function<void(const MigrationState&)>& on_applied) {
  auto lock = AdvisoryLock::acquire(conn, kMigrateLockKey);
  auto applied = store_call("reading the applied migrations", [&] {
    pqxx::work tx(conn);
    tx.exec0(kCreateTable);
    tx.commit();
    return applied_versions(conn);
  });
  int count = 0;
  for (const auto& file : schema_files()) {
    int version = version_of(file.name);
    if (applied.count(version)) continue;
    MigrationState state{version, std::string(file.name), std::nullopt};
    try {
      // A migration rewrites whole tables (0050, 0070 on a large history):
      // [database] statement_timeout_s bounds a cron run's statements, not
      // this. The lock timeout still applies.
      pqxx::work tx(conn);
      tx.exec0("SET LOCAL statement_timeout = 0");
      tx.exec0(std::string(file.sql));
      tx.exec_params0("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version, state.name);
      state.applied_at = tx.exec1("SELECT now()::text")[0].as<std::string>();
      tx.commit();
    } catch (...) {
      rethrow_translated("migration " + state.name + " failed");
    }
    ++count;
    if (on_applied) on_applied(state);
  }
  return count;
}

void require_current_schema(pqxx::connection& conn) {
  auto applied = store_call("reading the applied migrations", [&] { return applied_versions(conn); });
  for (const auto& file : schema_files()) {
    if (!applied.count(version_of(file.name))) {
      throw RuntimeError("database schema is not up to date (" + std::string(file.name) +
                         " is pending): run `leakwatch db migrate`");
    }
  }
}

}  // namespace leakwatch::db
