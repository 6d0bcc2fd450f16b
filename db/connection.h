// Opening PostgreSQL connections, with errors that name the server but never
// its password.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <pqxx/pqxx>

namespace leakwatch::db {

// A session with the server. Callers outside db/ and the stores hold it and
// pass it on; only the stores run SQL on it.
using Connection = pqxx::connection;

// Connects to `url` (a libpq URI or key=value string; empty means libpq's
// PG* environment variables). Throws leakwatch::RuntimeError
// "cannot connect to database <redacted url>: <libpq's reason>".
std::unique_ptr<pqxx::connection> connect(const std::string& url);

// `url` with any password removed: "postgresql://u:secret@h/db" ->
// "postgresql://u:***@h/db", "password=secret host=h" -> "password=*** host=h".
std::string redact_url(std::string_view url);

// A PostgreSQL session-level advisory lock, released on destruction (or when
// the connection closes, e.g. the process is killed). The connection must
// outlive the lock.
class AdvisoryLock {
 public:
  // Blocks until the lock is held.
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
