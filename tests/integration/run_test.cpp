// `leakwatch run` (the cron entry point) and `leakwatch purge` from the
// user's side. The run lock is held by a psql session, so "a run is already
// going" is deterministic rather than a race between two runs.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "db/connection.h"
#include "fixture_market.h"
#include "harness.h"
#include "listing_store.h"

using namespace leakwatch::testing;

namespace {

struct RunSetup {
  TestDatabase db;
  TempDir dir;
  std::filesystem::path key = write_key_file(dir);
  std::map<std::string, std::string> env{{"LEAKWATCH_HMAC_KEY_FILE", key.string()},
                                         {"LEAKWATCH_DATABASE_URL", db.url()},
                                         {"LEAKWATCH_CONFIG", dir.write("leakwatch.toml", "").string()}};
  RunSetup() { REQUIRE(run_cli({"db", "migrate"}, "", env).exit_code == 0); }

  long count(const std::string& sql) { return std::stol(db.query_value(sql)); }
  void exec(const std::string& sql) {
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    tx.exec(sql);
  }
  // A psql session holding the run lock until it is killed.
  std::unique_ptr<ChildProcess> hold_run_lock() {
    auto holder = std::make_unique<ChildProcess>(
        std::vector<std::string>{
            "psql", db.url(), "-q", "-c",
            "SELECT pg_advisory_lock(" + std::to_string(leakwatch::db::kRunLockKey) + ")", "-c",
            "SELECT pg_sleep(120)"},
        std::map<std::string, std::string>{}, dir.path() / "psql.out", dir.path() / "psql.err");
    for (int i = 0; i < 200 && !lock_held(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(lock_held());
    return holder;
  }
  bool lock_held() {
    return count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = " +
                 std::to_string(leakwatch::db::kRunLockKey) +
                 " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") == 1;
  }
};

}  // namespace

TEST_CASE("run: records the run, prints --json, writes Prometheus metrics, marks a killed run abandoned") {
  RunSetup s;
  s.exec("INSERT INTO runs (started_at) VALUES (now() - interval '1 day')");  // a run killed yesterday
  auto metrics = s.dir.path() / "leakwatch.prom";
  auto r = run_cli({"run", "--json", "--metrics-file", metrics.string()}, "", s.env);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["status"] == "ok");
  CHECK(j["stages"]["crawl"]["skipped"] == true);
  CHECK(j["stages"]["extract"]["pages"] == 0);
  CHECK(j["stages"]["match"]["exposures_total"] == 0);
  CHECK(s.count("SELECT count(*) FROM runs WHERE status = 'ok' AND finished_at IS NOT NULL AND id = " +
                std::to_string(j["run"].get<long>())) == 1);
  CHECK(s.count("SELECT count(*) FROM runs WHERE status = 'abandoned'") == 1);
  std::string text = read_file(metrics);
  CHECK(text.find("# TYPE leakwatch_run_success gauge\nleakwatch_run_success 1\n") != std::string::npos);
  CHECK(text.find("leakwatch_match_exposures_new 0\n") != std::string::npos);
  for (const auto& entry : std::filesystem::directory_iterator(s.dir.path())) {
    CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
  }
}

TEST_CASE("run: while another run holds the lock, a second run exits 0 at once; --wait waits for it") {
  RunSetup s;
  auto holder = s.hold_run_lock();
  auto start = std::chrono::steady_clock::now();
  auto r = run_cli({"run"}, "", s.env);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("another `leakwatch run` is in progress") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  CHECK(s.count("SELECT count(*) FROM runs") == 0);

  ChildProcess waiting({LEAKWATCH_BINARY, "run", "--wait"}, s.env, s.dir.path() / "wait.out",
                       s.dir.path() / "wait.err");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(waiting.running());
  CHECK(s.count("SELECT count(*) FROM runs") == 0);
  holder->kill_now();
  holder->wait();
  CHECK(waiting.wait() == 0);
  CHECK(s.count("SELECT count(*) FROM runs WHERE status = 'ok'") == 1);
}

TEST_CASE("purge: raw text past the retention window is dropped; sightings, exposures and new pages stay") {
  RunSetup s;
  for (const char* text : {"old", "old, unread", "new"}) {
    Listing l;
    l.url = "http://shop.onion/" + std::string(text);
    l.text = text;
    store_listing(s.db.url(), s.key, l);
  }
  s.exec(
      "UPDATE pages SET fetched_at = now() - interval '40 days', extracted_version = 1 WHERE url LIKE "
      "'%/old';"
      "UPDATE pages SET fetched_at = now() - interval '40 days' WHERE url LIKE '%/old, unread';"
      "UPDATE pages SET fetched_at = now() - interval '2 days', extracted_version = 1 WHERE url LIKE "
      "'%/new'");
  s.exec(
      "INSERT INTO sighting_locations (page_id) SELECT id FROM pages;"
      "INSERT INTO sightings (location_id, bucket, key_version, seen_at, hashes, codes, masked, keys)"
      " SELECT l.id, 0, 1, p.fetched_at, ARRAY['00000000-0000-0000-0000-000000000001'::uuid], '{0}',"
      " 'a***@qq.com', '{0}' FROM pages p JOIN sighting_locations l ON l.page_id = p.id");
  auto r = run_cli({"purge"}, "", s.env);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("dropped from 1 pages fetched more than 30 days ago; 1 not yet extracted kept") !=
        std::string::npos);
  CHECK(s.db.query_value("SELECT string_agg(CASE WHEN text_sealed IS NULL THEN 'NULL' ELSE 'sealed' END,"
                         " ',' ORDER BY id) FROM pages") == "NULL,sealed,sealed");
  CHECK(s.count("SELECT count(*) FROM sighting_rows") == 3);

  s.dir.write("leakwatch.toml", "[retention]\ndays = 1\n");
  REQUIRE(run_cli({"purge"}, "", s.env).exit_code == 0);
  CHECK(s.count("SELECT count(*) FROM pages WHERE text_sealed IS NULL") == 2);
}
