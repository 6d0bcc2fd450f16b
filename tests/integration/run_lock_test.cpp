// Issue #14 item 6, "waiting forever", from cron's side: a run that finds the
// run lock held says who holds it and since when; one held too long is
// reported as stuck; a stage blocked on a table lock gives up after the
// configured timeout instead of waiting without end. The lock is always
// held by a real second connection (pqxx, in this process).
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "db/connection.h"
#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

struct LockSetup {
  TestDatabase db;
  TempDir dir;
  std::filesystem::path key = write_key_file(dir);
  std::filesystem::path metrics = dir.path() / "leakwatch.prom";
  std::map<std::string, std::string> env{{"LEAKWATCH_HMAC_KEY_FILE", key.string()},
                                         {"LEAKWATCH_DATABASE_URL", db.url()}};
  explicit LockSetup(const std::string& config = "") {
    env["LEAKWATCH_CONFIG"] = dir.write("leakwatch.toml", config).string();
    auto r = run_cli({"db", "migrate"}, "", env);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  void config(const std::string& text) { dir.write("leakwatch.toml", text); }
  long count(const std::string& sql) { return std::stol(db.query_value(sql)); }

  // `leakwatch run` with a bound on how long it may take: a run that waits
  // forever fails the test instead of hanging it.
  CliResult run_bounded(const std::vector<std::string>& args, int bound_s = 120) {
    std::vector<std::string> argv{LEAKWATCH_BINARY, "run"};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess run(argv, env, dir.path() / "run.out", dir.path() / "run.err");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(bound_s);
    while (run.running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    bool hung = run.running();
    if (hung) run.kill_now();
    CliResult r;
    r.exit_code = run.wait();
    r.out = read_file(dir.path() / "run.out");
    r.err = read_file(dir.path() / "run.err");
    if (hung) FAIL("leakwatch run still waiting after " << bound_s << " s: " << r.err);
    return r;
  }
};

// A second session, named `name` in pg_stat_activity, holding the run lock.
struct LockHolder {
  pqxx::connection conn;
  int pid;
  LockHolder(const std::string& url, const std::string& name)
      : conn(url + (url.find('?') == std::string::npos ? "?" : "&") + "application_name=" + name),
        pid(pqxx::nontransaction(conn).exec1("SELECT pg_backend_pid()")[0].as<int>()) {
    pqxx::nontransaction tx(conn);
    REQUIRE(tx.exec1("SELECT pg_try_advisory_lock(" + std::to_string(leakwatch::db::kRunLockKey) + ")")[0]
                .as<bool>());
  }
};

}  // namespace

TEST_CASE(
    "run lock: a run finding it held names the holder and since when, on stderr, in --json and metrics") {
  LockSetup s;
  LockHolder holder(s.db.url(), "lock-holder-test");
  auto r = s.run_bounded({"--json", "--metrics-file", s.metrics.string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);  // overlapping cron runs are normal
  CHECK(r.err.find("another `leakwatch run` is in progress") != std::string::npos);
  CHECK(r.err.find("server pid " + std::to_string(holder.pid) +
                   " (application_name 'lock-holder-test', from ") != std::string::npos);
  CHECK(r.err.find("holding it since 20") != std::string::npos);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["status"] == "skipped");
  CHECK(j["lock"]["pid"] == holder.pid);
  CHECK(j["lock"]["application_name"] == "lock-holder-test");
  CHECK(j["lock"]["stuck"] == false);
  CHECK(j["lock"]["run"].is_null());
  CHECK(j["lock"]["held_s"].get<double>() >= 0);
  CHECK(j["lock"]["held_s"].get<double>() < 3600);
  std::string metrics = read_file(s.metrics);
  CHECK(metrics.find("\nleakwatch_run_skipped 1\n") != std::string::npos);
  CHECK(metrics.find("\nleakwatch_run_lock_stuck 0\n") != std::string::npos);
  CHECK(metrics.find("\nleakwatch_run_lock_holder_pid " + std::to_string(holder.pid) + "\n") !=
        std::string::npos);
  CHECK(metrics.find("\nleakwatch_run_lock_held_since_timestamp_seconds 1") != std::string::npos);
  CHECK(s.count("SELECT count(*) FROM runs") == 0);
}

TEST_CASE("run lock: a run holding it beyond [run] stuck_after_s is reported as stuck, and the run exits 1") {
  LockSetup s;
  LockHolder holder(s.db.url(), "stuck-run");
  // The holder looks like a leakwatch run that started seven hours ago.
  long run_id = std::stol(pqxx::nontransaction(holder.conn)
                              .exec1("INSERT INTO runs (started_at, backend_pid) VALUES (now() - interval "
                                     "'7 hours', pg_backend_pid()) RETURNING id")[0]
                              .as<std::string>());
  auto r = s.run_bounded({"--json", "--metrics-file", s.metrics.string()});
  INFO(r.err);
  CHECK(r.exit_code == 1);  // the default, 6 hours, is passed
  CHECK(r.err.find("leakwatch: error: the run lock is held by server pid " + std::to_string(holder.pid) +
                   " (application_name 'stuck-run', from ") != std::string::npos);
  CHECK(r.err.find("; run " + std::to_string(run_id) + "), holding it since ") != std::string::npos);
  CHECK(r.err.find("(7h 0m)") != std::string::npos);
  CHECK(r.err.find("[run] stuck_after_s = 21600 s, the run looks stuck") != std::string::npos);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["status"] == "stuck");
  CHECK(j["lock"]["stuck"] == true);
  CHECK(j["lock"]["run"] == run_id);
  CHECK(j["lock"]["held_s"].get<double>() >= 7 * 3600);
  CHECK(read_file(s.metrics).find("\nleakwatch_run_lock_stuck 1\n") != std::string::npos);
  // The holder's run is left alone: it is not ours to end.
  CHECK(s.count("SELECT count(*) FROM runs WHERE status = 'running'") == 1);

  // Configurable: a day is not passed yet.
  s.config("[run]\nstuck_after_s = 86400\n");
  auto patient = s.run_bounded({"--json"});
  CHECK(patient.exit_code == 0);
  CHECK(nlohmann::json::parse(patient.out)["lock"]["stuck"] == false);
  s.config("[run]\nstuck_afer_s = 86400\n");  // a typo is refused, not ignored
  auto typo = s.run_bounded({});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("leakwatch.toml:2: ") != std::string::npos);
}

TEST_CASE("run lock: --wait waits for the holder however long, past [database] lock_timeout_s") {
  LockSetup s("[database]\nlock_timeout_s = 1\nstatement_timeout_s = 1\n");
  auto holder = std::make_unique<LockHolder>(s.db.url(), "holder");
  ChildProcess waiting({LEAKWATCH_BINARY, "run", "--wait"}, s.env, s.dir.path() / "wait.out",
                       s.dir.path() / "wait.err");
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  CHECK_MESSAGE(waiting.running(), read_file(s.dir.path() / "wait.err"));
  holder.reset();
  CHECK(waiting.wait() == 0);
  CHECK(s.count("SELECT count(*) FROM runs WHERE status = 'ok'") == 1);
}

TEST_CASE(
    "run lock: a stage blocked on a table lock gives up after the configured timeout, says so, exits 1") {
  for (const std::string& limit : {std::string("lock_timeout_s"), std::string("statement_timeout_s")}) {
    CAPTURE(limit);
    // Only the limit under test is set; the other is off (0).
    LockSetup s(limit == "lock_timeout_s" ? "[database]\nlock_timeout_s = 1\nstatement_timeout_s = 0\n"
                                          : "[database]\nlock_timeout_s = 0\nstatement_timeout_s = 1\n");
    // Another session holds the pages table (a VACUUM FULL, a hand-run
    // migration, a forgotten psql transaction).
    auto blocker = std::make_unique<pqxx::connection>(s.db.url());
    auto tx = std::make_unique<pqxx::work>(*blocker);
    tx->exec("LOCK TABLE pages IN ACCESS EXCLUSIVE MODE");
    auto r = s.run_bounded({"--json"});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    const std::string said =
        limit == "lock_timeout_s"
            ? "leakwatch: error: extract: gave up waiting for a lock after 1 s ([database] "
              "lock_timeout_s): another session holds a lock on a table this needs ("
            : "leakwatch: error: extract: a statement ran longer than 1 s ([database] "
              "statement_timeout_s) and was cancelled (";
    CHECK(r.err.find(said) != std::string::npos);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["status"] == "failed");
    CHECK(j["stages"]["extract"]["failed"] == true);
    CHECK(s.count("SELECT count(*) FROM runs WHERE status = 'failed'") == 1);

    // Once the blocker lets go, the next run goes through.
    tx.reset();
    blocker.reset();
    auto next = s.run_bounded({});
    CHECK_MESSAGE(next.exit_code == 0, next.err);
  }
}
