// Who holds an advisory lock, and the session settings that keep a stage
// from waiting forever on a lock or a statement.
//
// Not thread-safe; the connection must outlive each call.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

namespace leakwatch::db {

// PostgreSQL's lock_timeout and statement_timeout for every statement of the
// session, in milliseconds; 0 means no limit. Set with pqxx's set_variable, so
// a connection pqxx re-opens gets them again. `application_name` (when not
// empty) names the session in pg_stat_activity.
struct SessionLimits {
  int64_t lock_timeout_ms = 0;
  int64_t statement_timeout_ms = 0;
  std::string application_name;
};
void set_session_limits(pqxx::connection& conn, const SessionLimits& limits);

// The limits connect() (db/connection.h) sets on every connection this
// process opens from now on, the crawl's writer connection included, so
// that no stage on any connection waits without end. Call before the first
// connect(), from one thread.
void set_default_session_limits(const SessionLimits& limits);
// Applies the limits set_default_session_limits() set, if any.
void apply_default_session_limits(pqxx::connection& conn);

// The session holding an advisory lock, as pg_locks and pg_stat_activity
// see it.
struct LockHolder {
  int pid = 0;                    // the server process (pg_backend_pid())
  std::string application_name;   // "" when the client set none
  std::string client;             // client host name or address, or "local socket"
  double connected_at = 0;        // backend_start, seconds since the epoch
  double held_since = 0;          // the holder's run's start when it is a run, else connected_at
  double now = 0;                 // the server's clock when asked
  std::optional<int64_t> run_id;  // the `runs` row of the holder, when it is a leakwatch run
  std::string state;              // pg_stat_activity.state ("active", "idle", ...)
};

// The session holding the session-level advisory lock `key` in this
// database, or nullopt when none does (it may have just let go). Needs the
// rights to read other sessions in pg_stat_activity for application_name and
// client (pg_read_all_stats, or the same role); otherwise they are empty.
// Throws leakwatch::RuntimeError with the server's message.
std::optional<LockHolder> advisory_lock_holder(pqxx::connection& conn, long long key);

}  // namespace leakwatch::db
