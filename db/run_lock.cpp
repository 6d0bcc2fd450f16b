#include "db/run_lock.h"

#include "core/errors.h"

namespace leakwatch::db {
namespace {

// A bigint advisory key is stored as classid (high 32 bits), objid (low 32
// bits) and objsubid 1 (the PostgreSQL manual, "pg_locks").
constexpr const char* kLockHolder =
    "SELECT l.pid, coalesce(a.application_name, ''),"
    "       coalesce(a.client_hostname, host(a.client_addr), 'local socket'),"
    "       coalesce(extract(epoch FROM a.backend_start), 0)::float8,"
    "       extract(epoch FROM now())::float8, coalesce(a.state, ''),"
    "       r.id, extract(epoch FROM r.started_at)::float8"
    "  FROM pg_locks l"
    "  LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
    "  LEFT JOIN LATERAL (SELECT id, started_at FROM runs"
    "                      WHERE status = 'running' AND backend_pid = l.pid"
    "                      ORDER BY id DESC LIMIT 1) r ON true"
    " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
    "   AND l.classid = ($1::bigint >> 32)::oid AND l.objid = ($1::bigint & 4294967295)::oid"
    "   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " LIMIT 1";

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace

void set_session_limits(pqxx::connection& conn, const SessionLimits& limits) {
  try {
    conn.set_variable("lock_timeout", std::to_string(limits.lock_timeout_ms));
    conn.set_variable("statement_timeout", std::to_string(limits.statement_timeout_ms));
    if (!limits.application_name.empty())
      conn.set_variable("application_name", quoted(limits.application_name));
  } catch (const pqxx::failure& e) {
    throw RuntimeError(e.what());
  }
}

namespace {
std::optional<SessionLimits>& default_limits() {
  static std::optional<SessionLimits> limits;
  return limits;
}
}  // namespace

void set_default_session_limits(const SessionLimits& limits) { default_limits() = limits; }

void apply_default_session_limits(pqxx::connection& conn) {
  if (default_limits()) set_session_limits(conn, *default_limits());
}

std::optional<LockHolder> advisory_lock_holder(pqxx::connection& conn, long long key) {
  try {
    pqxx::nontransaction tx(conn);
    pqxx::result r = tx.exec_params(kLockHolder, static_cast<int64_t>(key));
    if (r.empty()) return std::nullopt;
    const pqxx::row& row = r[0];
    LockHolder h;
    h.pid = row[0].as<int>();
    h.application_name = row[1].as<std::string>();
    h.client = row[2].as<std::string>();
    h.connected_at = row[3].as<double>();
    h.now = row[4].as<double>();
    h.state = row[5].as<std::string>();
    if (!row[6].is_null()) h.run_id = row[6].as<int64_t>();
    h.held_since = row[7].is_null() ? h.connected_at : row[7].as<double>();
    return h;
  } catch (const pqxx::failure& e) {
    throw RuntimeError(e.what());
  }
}

}  // namespace leakwatch::db
