// db::store_call: libpqxx's exceptions become StoreError with what the store
// was doing; errors that are already ours pass unchanged.
#include <doctest/doctest.h>

#include <pqxx/except>

#include "db/store_error.h"

using leakwatch::ConfigError;
using leakwatch::RuntimeError;
using leakwatch::db::store_call;
using leakwatch::db::StoreError;

TEST_CASE("db: store_call turns a pqxx error into a StoreError saying what the store was doing") {
  try {
    store_call("storing 3 pages of source shop", []() -> int {
      throw pqxx::sql_error("ERROR:  permission denied for table pages\nLINE 1: UPDATE pages\n",
                            "UPDATE pages");
    });
    FAIL("no exception");
  } catch (const StoreError& e) {
    CHECK(e.doing() == "storing 3 pages of source shop");
    CHECK(e.cause() == "ERROR:  permission denied for table pages\nLINE 1: UPDATE pages\n");
    CHECK(std::string(e.what()) ==
          "storing 3 pages of source shop: ERROR:  permission denied for table pages LINE 1: UPDATE pages");
  }
  // A lost connection is a pqxx::broken_connection; pqxx's own usage and
  // conversion errors are pqxx exceptions too.
  CHECK_THROWS_AS(
      store_call("reading", [] { throw pqxx::broken_connection("server closed the connection"); }),
      StoreError);
  CHECK_THROWS_AS(store_call("reading", [] { throw pqxx::conversion_error("not a number"); }), StoreError);
}

TEST_CASE(
    "db: store_call passes our own errors and results through, and builds its context only on failure") {
  int built = 0;
  auto doing = [&] {
    ++built;
    return std::string("expensive context");
  };
  CHECK(store_call(doing, [] { return 42; }) == 42);
  CHECK(built == 0);
  CHECK_THROWS_WITH_AS(store_call(doing, []() -> int { throw RuntimeError("ours"); }), "ours", RuntimeError);
  CHECK_THROWS_WITH_AS(store_call(doing, []() -> int { throw ConfigError("bad --since"); }), "bad --since",
                       ConfigError);
  CHECK_THROWS_WITH_AS(store_call(doing, []() -> int { throw pqxx::sql_error("ERROR:  x"); }),
                       "expensive context: ERROR:  x", StoreError);
  CHECK(built == 1);
}
