// Forward-only schema migrations: schema/NNNN_verb_noun.sql, applied in
// order, each in its own transaction, recorded in `schema_migrations`.
// Safe to run twice, or from two processes at once: a session advisory lock
// serialises migrators and each one re-reads what is applied under it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace leakwatch::db {

struct MigrationState {
  int version = 0;
  std::string name;                       // e.g. "0001_create_customer_identifiers"
  std::optional<std::string> applied_at;  // nullopt: pending
};

// Every known migration with its state, in version order. Does not create
// anything: on an empty database every migration is pending.
std::vector<MigrationState> migration_status(pqxx::connection& conn);

// Applies the pending migrations; calls `on_applied` after each commit.
// Returns how many were applied (0 when up to date). A failing migration
// throws leakwatch::RuntimeError naming it; earlier ones stay applied.
int migrate(pqxx::connection& conn, const std::function<void(const MigrationState&)>& on_applied = {});

// Throws leakwatch::RuntimeError ("database schema is not up to date: run
// `leakwatch db migrate`") when any migration is pending. Commands that need
// the schema call it first so that users get that message, not a SQL error.
void require_current_schema(pqxx::connection& conn);

}  // namespace leakwatch::db
