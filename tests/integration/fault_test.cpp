// The fault suite (issue #14 item 8): `leakwatch run` against the fixture
// market and a real PostgreSQL, with the faults cron and operators meet:
// SIGKILL at random moments, PostgreSQL stopped and started mid-run. (Two
// concurrent `report --mark-notified` are "fault: ..." in report_test.cpp.)
// ctest runs these as the `fault` test: `leakwatch_integration_tests
// -tc='fault:*'`. LEAKWATCH_FAULT_SEED picks other kill moments.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

// The markets (shop, forum, paste) through the test SOCKS proxy, their
// planted people imported as customers, in the database at `url`.
struct MarketRun {
  const FixtureMarket& market;
  TempDir dir;
  std::filesystem::path key;
  std::map<std::string, std::string> env;

  MarketRun(const FixtureMarket& m, const std::string& url, const std::filesystem::path& key_file)
      : market(m) {
    key = key_file;
    env = {{"LEAKWATCH_HMAC_KEY_FILE", key.string()}, {"LEAKWATCH_DATABASE_URL", url}};
    std::string sources;
    for (const char* name : {"shop", "forum", "paste"}) {
      sources += "[[source]]\nname = \"" + std::string(name) + "\"\nseeds = [\"http://" + name +
                 ".onion/\"]\nallow_private = true\nrate = 100\n" +
                 (std::string(name) == "shop" ? "cookies = \"session=demo\"\n" : "") + "\n";
    }
    env["LEAKWATCH_CONFIG"] = dir.write("leakwatch.toml", "[crawl]\nproxy = \"" + market.proxy() +
                                                              "\"\nconcurrency = 4\ntimeout_s = 10\n"
                                                              "retry_base_ms = 100\n\n" +
                                                              sources)
                                  .string();
    auto migrated = run_cli({"db", "migrate"}, "", env);
    REQUIRE_MESSAGE(migrated.exit_code == 0, migrated.err);
    std::string csv = "customer_id,email,phone\n";
    int n = 0;
    const auto manifest = market.manifest();
    for (const auto& e : manifest.at("exposures")) {
      csv += "c" + std::to_string(++n) + "," + e.at("email").get<std::string>() + "," +
             e.at("phone").get<std::string>() + "\n";
    }
    REQUIRE(n >= 10);
    auto imported = run_cli({"customers", "import", "-"}, csv, env);
    REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
  }

  // Every exposure, as the report shows it.
  std::set<std::string> exposures() {
    auto r = run_cli({"report", "--all", "--format", "json"}, "", env);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    std::set<std::string> out;
    for (const auto& e : nlohmann::json::parse(r.out)) {
      out.insert(e.at("customer_id").get<std::string>() + " " + e.at("kind").get<std::string>() + " " +
                 e.at("masked").get<std::string>() + " " + e.at("url").get<std::string>() + " " +
                 e.at("confidence").get<std::string>());
    }
    return out;
  }
};

unsigned fault_seed() {
  const char* env = std::getenv("LEAKWATCH_FAULT_SEED");
  return env != nullptr && *env != '\0' ? static_cast<unsigned>(std::stoul(env)) : 14u;
}

std::string first_line_with(const std::string& text, const std::string& what) {
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (line.find(what) != std::string::npos) return line;
    start = end + 1;
  }
  return "";
}

// A PostgreSQL server of the test's own (the suite's must keep running).
struct OwnServer {
  TempDir dir;
  std::string script = std::string(LEAKWATCH_SOURCE_DIR) + "/scripts/pg";
  std::string url;
  OwnServer() {
    std::filesystem::permissions(dir.path(), std::filesystem::perms(0755));
    url = start();
  }
  ~OwnServer() { run_program({script, "stop", dir.path().string()}); }
  std::string start() {
    auto r = run_program({script, "start", dir.path().string()});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return r.out.substr(0, r.out.find('\n'));
  }
  void stop() { REQUIRE(run_program({script, "stop", dir.path().string()}).exit_code == 0); }
};

}  // namespace

TEST_CASE(
    "fault: run killed with SIGKILL at 10+ random moments, then a final run: exposures as uninterrupted") {
  TempDir keys;
  auto key = write_key_file(keys);
  FixtureMarket market(keys.path(),
                       MarketOptions{.pages = 12, .latency_ms = 60, .rate_limit = 0, .slow_s = 0.5});

  // The reference: one uninterrupted run on a fresh database.
  TestDatabase reference_db;
  MarketRun reference(market, reference_db.url(), key);
  auto started = std::chrono::steady_clock::now();
  auto r = run_cli({"run"}, "", reference.env);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const double run_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto want = reference.exposures();
  REQUIRE(want.size() >= 20);

  TestDatabase db;
  MarketRun faulted(market, db.url(), key);
  const unsigned seed = fault_seed();
  MESSAGE("kill moments drawn with seed " << seed << " (LEAKWATCH_FAULT_SEED) over " << run_s << " s");
  std::mt19937 rng(seed);
  // Uniform over the first half of an uninterrupted run: each killed run
  // resumes the last one's work, so later kills still land mid-run.
  // A run that ends before its kill narrows the range: once the work is
  // done, runs are short, and the kills must still land inside them.
  double upper = std::max(0.3, run_s / 2);
  int kills = 0;
  for (int attempt = 0; kills < 10 && attempt < 80; ++attempt) {
    std::uniform_real_distribution<double> moment(0.02, upper);
    auto dir = faulted.dir.path();
    ChildProcess run({LEAKWATCH_BINARY, "run"}, faulted.env, dir / "run.out", dir / "run.err");
    std::this_thread::sleep_for(std::chrono::duration<double>(moment(rng)));
    if (!run.running()) {
      INFO(read_file(dir / "run.err"));
      CHECK(run.wait() == 0);  // it finished before the kill: fine, but not a kill
      upper = std::max(0.05, upper * 0.7);
      continue;
    }
    run.kill_now();
    const int code = run.wait();
    if (code == 0) continue;  // it ended between running() and the kill: not a kill
    CHECK(code == 128 + SIGKILL);
    ++kills;
  }
  REQUIRE(kills >= 10);

  auto last = run_cli({"run", "--json"}, "", faulted.env);
  INFO(last.err);
  REQUIRE(last.exit_code == 0);
  auto got = faulted.exposures();
  CHECK(got == want);
  for (const auto& e : want) CHECK_MESSAGE(got.count(e), "lost: " << e);
  for (const auto& e : got) CHECK_MESSAGE(want.count(e), "extra: " << e);
  // Nothing counted twice, nothing left half-done.
  CHECK(db.query_value("SELECT count(*) FROM exposures") ==
        reference_db.query_value("SELECT count(*) FROM exposures"));
  CHECK(db.query_value("SELECT count(*) FROM frontier WHERE state IN ('leased', 'queued')") == "0");
  CHECK(db.query_value("SELECT count(*) FROM runs WHERE status = 'running'") == "0");
  // A kill before a run recorded its start leaves no row to abandon.
  CHECK(std::stol(db.query_value("SELECT count(*) FROM runs WHERE status = 'abandoned'")) >= 1);
}

TEST_CASE(
    "fault: PostgreSQL stopped and started mid-run: exit 1, lost connection said first; the next run "
    "recovers") {
  OwnServer pg;
  const std::string server = pg.url.substr(pg.url.find('@') + 1, pg.url.rfind('/') - pg.url.find('@') - 1);
  TempDir keys;
  auto key = write_key_file(keys);
  // Slow enough that the crawl is still going when the server goes.
  FixtureMarket market(keys.path(), MarketOptions{.pages = 40, .latency_ms = 150, .rate_limit = 0});
  MarketRun m(market, pg.url, key);

  auto dir = m.dir.path();
  ChildProcess run({LEAKWATCH_BINARY, "run"}, m.env, dir / "run.out", dir / "run.err");
  auto pages = [&] {
    try {
      pqxx::connection conn(pg.url);
      return pqxx::nontransaction(conn).exec1("SELECT count(*) FROM pages")[0].as<long>();
    } catch (const std::exception&) {
      return -1L;
    }
  };
  for (int i = 0; i < 600 && pages() < 5; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE_MESSAGE(run.running(), read_file(dir / "run.err"));
  pg.stop();
  CHECK(pg.start() == pg.url);  // the same port: the restarted server is where the run looks

  CHECK(run.wait() == 1);
  std::string err = read_file(dir / "run.err");
  INFO(err);
  const std::string first_error = first_line_with(err, "leakwatch: error:");
  // "crawl: <what the store was doing>: lost the connection to the database at ...":
  // the store's context (db::store_call) may come first, the loss is said in words.
  CHECK(first_error.starts_with("leakwatch: error: crawl: "));
  CHECK(first_error.find("lost the connection to the database at " + server + " (") != std::string::npos);
  CHECK(err.find("Could not obtain client encoding") == std::string::npos);
  CHECK(err.find("\n\n") == std::string::npos);
  CHECK_FALSE(err.starts_with("\n"));
  // The later stages did not run on a new session without the run lock.
  CHECK(err.find("leakwatch: error: extract:") == std::string::npos);
  CHECK(err.find("the stages after the lost connection did not run") != std::string::npos);

  auto next = run_cli({"run", "--json"}, "", m.env);
  INFO(next.err);
  CHECK(next.exit_code == 0);
  CHECK(nlohmann::json::parse(next.out).at("status") == "ok");
  pqxx::connection conn(pg.url);
  pqxx::nontransaction tx(conn);
  CHECK(tx.exec1("SELECT count(*) FROM runs WHERE status = 'running'")[0].as<long>() == 0);
  CHECK(tx.exec1("SELECT count(*) FROM frontier WHERE state IN ('leased', 'queued')")[0].as<long>() == 0);
  // Every planted customer is found, as after an uninterrupted run.
  std::set<std::string> customers;
  for (const auto& e : m.exposures()) customers.insert(e.substr(0, e.find(' ')));
  CHECK(customers.size() == market.manifest().at("exposures").size());
}
