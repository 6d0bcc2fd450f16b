// Where PostgreSQL's errors become ours. libpqxx throws its own exception
// types (and passes libpq's multi-line messages on); every store runs its
// entry points through store_call(), which turns any of them into a
// StoreError that says what the store was doing:
//   "storing 40 pages of source shop: ERROR: permission denied for table pages"
// Errors that are already ours (ConfigError, RuntimeError) pass unchanged.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/errors.h"

namespace leakwatch::db {

// A database failure in a store: what it was doing, and the cause as libpq
// or libpqxx said it. what() is "<doing>: <cause joined onto one line>".
// The command line shows a lost connection in its own words after `doing`
// (app::Context::describe_failure, db::describe_failure).
class StoreError : public RuntimeError {
 public:
  StoreError(std::string doing, std::string cause);
  const std::string& doing() const { return doing_; }
  const std::string& cause() const { return cause_; }

 private:
  std::string doing_;
  std::string cause_;
};

// Inside a catch handler: rethrows the exception being handled as a
// StoreError with `doing` when it is libpqxx's (pqxx::pqxx_exception: SQL
// errors, broken connections, conversions of what the server sent), and
// unchanged otherwise.
[[noreturn]] void rethrow_translated(std::string doing);

// Inside a catch handler: whether the exception being handled is libpqxx's.
bool handling_pqxx_error();

// Returns body(). A libpqxx exception escaping it becomes a StoreError whose
// `doing` is `doing` — a string, or a callable returning one, called only on
// failure, for context that costs something to build.
template <typename Doing, typename Body>
auto store_call(Doing&& doing, Body&& body) -> decltype(body()) {
  try {
    return std::forward<Body>(body)();
  } catch (...) {
    if (!handling_pqxx_error()) throw;
    if constexpr (std::is_invocable_v<Doing>) {
      rethrow_translated(std::string(doing()));
    } else {
      rethrow_translated(std::string(std::forward<Doing>(doing)));
    }
  }
}

}  // namespace leakwatch::db
