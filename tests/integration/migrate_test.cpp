#include <doctest/doctest.h>

#include <algorithm>

#include <future>

#include "harness.h"

using namespace leakwatch::testing;

TEST_CASE("db migrate: applies every migration once, and a second run changes nothing") {
  TestDatabase db;
  auto status = run_cli({"--database", db.url(), "db", "status"});
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("pending  0001_create_customer_identifiers") != std::string::npos);
  CHECK(status.out.find("applied") == std::string::npos);

  auto first = run_cli({"--database", db.url(), "db", "migrate"});
  REQUIRE_MESSAGE(first.exit_code == 0, first.err);
  CHECK(first.err.find("applied 0001_create_customer_identifiers") != std::string::npos);
  int applied = std::stoi(db.query_value("SELECT count(*) FROM schema_migrations"));
  CHECK(applied >= 1);

  auto second = run_cli({"--database", db.url(), "db", "migrate"});
  REQUIRE(second.exit_code == 0);
  CHECK(second.err.find("(0 applied now") != std::string::npos);
  CHECK(second.err.find("applied 0001") == std::string::npos);
  CHECK(std::stoi(db.query_value("SELECT count(*) FROM schema_migrations")) == applied);

  status = run_cli({"--database", db.url(), "db", "status"});
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("applied  0001_create_customer_identifiers") != std::string::npos);
  CHECK(status.out.find("pending") == std::string::npos);
}

TEST_CASE("a command on a database not migrated, or migrated only in part, names the pending migration") {
  TestDatabase db;
  auto r = run_cli({"--database", db.url(), "match"});
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("database schema is not up to date (0001_create_customer_identifiers is pending): "
                           "run `leakwatch db migrate`") != std::string::npos,
                r.err);
  REQUIRE(run_cli({"--database", db.url(), "db", "migrate"}).exit_code == 0);
  REQUIRE(run_cli({"--database", db.url(), "match"}).exit_code == 0);
  // The last migration forgotten, as if this binary were newer than the database.
  const std::string last = db.query_value("SELECT name FROM schema_migrations ORDER BY version DESC LIMIT 1");
  db.query_value("DELETE FROM schema_migrations WHERE name = '" + last + "' RETURNING 1");
  r = run_cli({"--database", db.url(), "match"});
  CHECK(r.exit_code == 1);
  CHECK_MESSAGE(r.err.find("(" + last + " is pending)") != std::string::npos, r.err);
}

TEST_CASE("db migrate: two migrators at once both succeed and apply each migration once") {
  TestDatabase db;
  std::vector<std::future<CliResult>> runs;
  for (int i = 0; i < 3; ++i) {
    runs.push_back(std::async(std::launch::async, [&] {
      return run_cli({"--database", db.url(), "db", "migrate"});
    }));
  }
  int total_applied_lines = 0;
  for (auto& f : runs) {
    auto r = f.get();
    CHECK_MESSAGE(r.exit_code == 0, r.err);
    size_t pos = 0;
    while ((pos = r.err.find("applied 0001_", pos)) != std::string::npos) {
      ++total_applied_lines;
      ++pos;
    }
  }
  CHECK(total_applied_lines == 1);
  CHECK(db.query_value("SELECT count(*) FROM schema_migrations WHERE version = 1") == "1");
}

TEST_CASE("db status: an unreachable database is one clear error naming it, exit 1, password redacted") {
  auto r = run_cli(
      {"--database", "postgresql://leakwatch:s3cret@127.0.0.1:1/nowhere?connect_timeout=3", "db", "status"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.starts_with(
      "leakwatch: error: cannot connect to database postgresql://leakwatch:***@127.0.0.1:1/nowhere"));
  CHECK(r.err.find("s3cret") == std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("customers import: refuses to run on a database that was not migrated") {
  TestDatabase db;
  TempDir dir;
  auto key = write_key_file(dir);
  auto r = run_cli({"--database", db.url(), "customers", "import", "-"}, "customer_id,email\nc1,a@b.com\n",
                   {{"LEAKWATCH_HMAC_KEY_FILE", key.string()}});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("run `leakwatch db migrate`") != std::string::npos);
}
