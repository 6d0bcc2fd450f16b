// Opening PostgreSQL connections, with errors that name the server but never
// its password, and one-line messages for a connection that is lost.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

namespace leakwatch::db {

// A session with the server. Callers outside db/ and the stores hold it and
// pass it on; only the stores run SQL on it.
using Connection = pqxx::connection;

// Connects to `url` (a libpq URI or key=value string; empty means libpq's
// PG* environment variables). `origin` says where the string came from
// ("--database", "$LEAKWATCH_DATABASE_URL", ...) and is named in errors.
// Throws ConfigError when libpq cannot parse the string, or when a URI is
// ambiguous (an '@' or '/' in the password that is not percent-encoded:
// libpq would take part of the password for a host or database name);
// neither connects. The connection gets the session limits set by
// set_default_session_limits() (db/run_lock.h). Throws RuntimeError
// "cannot connect to database <redact_url(url)>: <libpq's reason>" otherwise.
// No message holds the password, however libpq parsed the string.
std::unique_ptr<pqxx::connection> connect(const std::string& url, std::string_view origin = {});

// How messages show `url`: rebuilt from the user, host, port and database
// libpq reads in it, in the form it was written ("postgresql://u:***@h:5432/db"
// or "host=h port=5432 user=u password=***"); the string itself is never
// echoed. A URI that is ambiguous or that libpq cannot parse is shown as a
// person reads it: the user name, then what follows the last '@' up to the
// query ("postgresql://u:***@h:5432/db"). Empty: "(from PG* environment)".
// Anything else libpq cannot parse: "(connection string not shown: it does
// not parse)".
std::string redact_url(std::string_view url);

// Every option libpq reads in `url` that has a non-empty value (keyword ->
// value, secrets included: for building other connection settings, such as
// a postgres_fdw server and user mapping, never for messages). Empty when
// libpq cannot parse it.
std::map<std::string, std::string> conninfo_options(const std::string& url);

// `text` with every spelling of a secret `url` may hold replaced by "***":
// each password libpq parses in it, and for a URI the password as a person
// meant it when an '@' or '/' in it was not percent-encoded. Also
// $PGPASSWORD. For messages of code that has the text of a failure.
std::string redact_secrets(std::string text, std::string_view url);

// "host:port" of a connected server ("127.0.0.1:5432"; a Unix-socket
// directory for a local socket), for messages written after the connection
// is lost, when libpq no longer says.
std::string server_address(pqxx::connection& conn);

// True when `e` says the session with the server is gone (pqxx's
// broken_connection, or libpq's words for it in a message that was passed
// on): for failures on a connection other than the one a caller checks with
// is_open(), such as the crawl's writer connection.
bool is_connection_loss(const std::exception& e);

// One line, never empty, for the failure `what` of an operation on a
// connection to `server` (server_address()). When `connection_lost`, says so
// and why as far as libpq told: "lost the connection to the database at
// 127.0.0.1:5432 (server closed the connection)". Otherwise `what` on one
// line (libpq's multi-line messages joined, trailing newlines dropped).
std::string describe_failure(std::string_view what, bool connection_lost, std::string_view server);

// A PostgreSQL session-level advisory lock, released on destruction (or when
// the connection closes, e.g. the process is killed). The connection must
// outlive the lock.
class AdvisoryLock {
 public:
  // Blocks until the lock is held, whatever the session's lock_timeout and
  // statement_timeout.
  static AdvisoryLock acquire(pqxx::connection& conn, long long key);
  // Returns an unheld lock (held() == false) when another session holds it.
  static AdvisoryLock try_acquire(pqxx::connection& conn, long long key);
  AdvisoryLock(AdvisoryLock&& other) noexcept;
  AdvisoryLock& operator=(AdvisoryLock&&) = delete;
  ~AdvisoryLock();
  bool held() const { return conn_ != nullptr; }

 private:
  AdvisoryLock(pqxx::connection* conn, long long key) : conn_(conn), key_(key) {}
  pqxx::connection* conn_;
  long long key_;
};

// Advisory lock keys used across the program (one namespace, no collisions).
inline constexpr long long kMigrateLockKey = 0x6c6b7701;  // "lkw" 1
inline constexpr long long kRunLockKey = 0x6c6b7702;

}  // namespace leakwatch::db
