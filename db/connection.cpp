#include "db/connection.h"

#include <re2/re2.h>

#include "core/errors.h"

namespace leakwatch::db {

std::string redact_url(std::string_view url) {
  std::string s(url);
  // URI form: scheme://user:password@host
  static const RE2 kUriPassword(R"((?i)^([a-z0-9+.-]+://[^:/@]*):[^@/]*@)");
  RE2::Replace(&s, kUriPassword, "\\1:***@");
  // key=value form, and ?password= in URIs.
  static const RE2 kKeyPassword(R"((?i)(password\s*=\s*)('[^']*'|[^\s&]*))");
  RE2::GlobalReplace(&s, kKeyPassword, "\\1***");
  return s;
}

std::unique_ptr<pqxx::connection> connect(const std::string& url) {
  try {
    return std::make_unique<pqxx::connection>(url);
  } catch (const std::exception& e) {
    std::string cause = e.what();
    while (!cause.empty() && (cause.back() == '\n' || cause.back() == ' ')) cause.pop_back();
    for (char& c : cause) if (c == '\n') c = ' ';
    std::string where = url.empty() ? std::string("(from PG* environment)") : redact_url(url);
    throw RuntimeError("cannot connect to database " + where + ": " + cause);
  }
}

AdvisoryLock AdvisoryLock::acquire(pqxx::connection& conn, long long key) {
  pqxx::nontransaction tx(conn);
  tx.exec("SELECT pg_advisory_lock(" + std::to_string(key) + ")");
  return AdvisoryLock(&conn, key);
}

AdvisoryLock AdvisoryLock::try_acquire(pqxx::connection& conn, long long key) {
  pqxx::nontransaction tx(conn);
  bool got = tx.exec("SELECT pg_try_advisory_lock(" + std::to_string(key) + ")")[0][0].as<bool>();
  return AdvisoryLock(got ? &conn : nullptr, key);
}

AdvisoryLock::AdvisoryLock(AdvisoryLock&& other) noexcept : conn_(other.conn_), key_(other.key_) {
  other.conn_ = nullptr;
}

AdvisoryLock::~AdvisoryLock() {
  if (conn_ == nullptr) return;
  try {
    pqxx::nontransaction tx(*conn_);
    tx.exec("SELECT pg_advisory_unlock(" + std::to_string(key_) + ")");
  } catch (...) {
    // The lock dies with the session anyway.
  }
}

}  // namespace leakwatch::db
