// A store that fails says, on one line, what it was doing and the server's
// reason (db/store_error.h): seen from the command line, on a database whose
// tables a careless administrator renamed.
#include <doctest/doctest.h>

#include <pqxx/pqxx>

#include "harness.h"

using namespace leakwatch::testing;

namespace {

struct BrokenTables {
  TestDatabase db;
  TempDir dir;
  std::filesystem::path key = write_key_file(dir);
  std::map<std::string, std::string> env{{"LEAKWATCH_HMAC_KEY_FILE", key.string()},
                                         {"LEAKWATCH_DATABASE_URL", db.url()},
                                         {"LEAKWATCH_CONFIG", dir.write("leakwatch.toml", "").string()}};
  BrokenTables() { REQUIRE(run_cli({"db", "migrate"}, "", env).exit_code == 0); }
  void exec(const std::string& sql) {
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    tx.exec(sql);
  }
};

// One line, ending in a newline.
bool one_line(const std::string& err) { return !err.empty() && err.find('\n') == err.size() - 1; }

}  // namespace

TEST_CASE("db: a failing store names what it was doing and the server's reason, on one line") {
  BrokenTables t;
  t.exec("ALTER TABLE pages RENAME TO pages_elsewhere");

  SUBCASE("the pages store, purging") {
    auto r = run_cli({"purge", "--days", "7"}, "", t.env);
    CHECK(r.exit_code == 1);
    CHECK(
        r.err.starts_with("leakwatch: error: purging the text of pages older than 7 days: ERROR:  relation "
                          "\"pages\" does not exist"));
    CHECK(one_line(r.err));
  }
  SUBCASE("the pages store, leasing pages to the extract stage") {
    auto r = run_cli({"extract"}, "", t.env);
    CHECK(r.exit_code == 1);
    CHECK(
        r.err.find("leakwatch: error: leasing pages to extract: ERROR:  relation \"pages\" does not exist") !=
        std::string::npos);
  }
  SUBCASE("the match stage") {
    t.exec("ALTER TABLE pages_elsewhere RENAME TO pages");
    t.exec("ALTER TABLE exposures RENAME TO exposures_elsewhere");
    auto r = run_cli({"match"}, "", t.env);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("leakwatch: error: matching sightings against the customers: ERROR:  relation "
                     "\"exposures\" does not exist") != std::string::npos);
  }
  SUBCASE("the runs store, through `run`") {
    t.exec("ALTER TABLE pages_elsewhere RENAME TO pages");
    t.exec("ALTER TABLE runs RENAME TO runs_elsewhere");
    auto r = run_cli({"run"}, "", t.env);
    CHECK(r.exit_code == 1);
    CHECK(
        r.err.starts_with("leakwatch: error: recording the start of the run: ERROR:  relation \"runs\" does "
                          "not exist"));
    CHECK(one_line(r.err));
  }
}
