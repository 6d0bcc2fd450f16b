// Issue #18 part 3: the hash sets sharded across PostgreSQL servers. A
// coordinator and two shard servers on loopback (each its own PostgreSQL,
// started by scripts/pg), and a single server beside them: both import the
// same customers, run the same crawl of the fixture market, match customers
// imported later, and must report the same exposures (the planted ones).
// `db shard` moves the buckets; `match --explain` shows each bucket's join
// sent to the shard that holds it.
#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

using Exposure = std::tuple<std::string, std::string, std::string>;  // customer_id, kind, url

const std::string kScripts = std::string(LEAKWATCH_SOURCE_DIR) + "/scripts/";

std::set<Exposure> reported(const std::string& json) {
  std::set<Exposure> out;
  for (const auto& e : nlohmann::json::parse(json)) {
    out.emplace(e["customer_id"].get<std::string>(), e["kind"].get<std::string>(),
                e["url"].get<std::string>());
  }
  return out;
}

// A PostgreSQL server of its own (scripts/pg), stopped when the object dies.
class Server {
 public:
  explicit Server(std::filesystem::path dir) : dir_(std::move(dir)) {
    auto r = run_program({"bash", kScripts + "pg", "start", dir_.string()});
    if (r.exit_code != 0) throw std::runtime_error("scripts/pg start failed: " + r.err);
    url_ = r.out.substr(0, r.out.find('\n'));
  }
  ~Server() { run_program({"bash", kScripts + "pg", "stop", dir_.string()}); }
  const std::string& url() const { return url_; }
  std::string query(const std::string& sql) const {
    auto r = run_program({"/usr/lib/postgresql/15/bin/psql", url_, "-qtAX", "-c", sql});
    if (r.exit_code != 0) throw std::runtime_error("psql: " + r.err);
    return r.out.substr(0, r.out.find('\n'));
  }

 private:
  std::filesystem::path dir_;
  std::string url_;
};

int count_matches(const std::string& text, const std::string& pattern) {
  const std::regex re(pattern);
  return static_cast<int>(
      std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

}  // namespace

// Longer than 80 lines on purpose: one story, two databases side by side.
TEST_CASE(
    "shard: a coordinator with two shard servers reports what one server does; each join runs on its shard") {
  TempDir dir;
  auto key = write_key_file(dir);
  auto gen = run_program(
      {"python3", kScripts + "gen_customers.py", "40", "--plain-out", (dir.path() / "plain.csv").string()});
  REQUIRE(gen.exit_code == 0);
  std::map<std::string, std::map<std::string, std::string>> plain;  // customer -> kind -> value
  {
    std::istringstream in(read_file(dir.path() / "plain.csv"));
    for (std::string line; std::getline(in, line);) {
      auto a = line.find(','), b = line.find(',', a + 1);
      plain[line.substr(0, a)][line.substr(a + 1, b - a - 1)] = line.substr(b + 1);
    }
  }
  // Customers 1-3 are imported after the crawl (matched through the shards'
  // prefix index); 1-12 are planted in shop listings 1-12.
  std::string early = "customer_id,apple_id,email,phone,name\n", late = early;
  {
    std::istringstream in(gen.out);
    std::string line;
    std::getline(in, line);
    for (int i = 1; std::getline(in, line); ++i) (i <= 3 ? late : early) += line + "\n";
  }
  nlohmann::json planted = nlohmann::json::array();
  std::set<Exposure> expected, expected_early;
  for (int i = 1; i <= 12; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "C%08d", i);
    const auto& person = plain.at(id);
    nlohmann::json entry{
        {"market", "shop"}, {"listing", i}, {"name", person.at("name")}, {"phone", person.at("phone")}};
    if (person.count("email")) entry["email"] = person.at("email");
    planted.push_back(entry);
    const std::string url = "http://shop.onion/listing/" + std::to_string(i);
    for (auto* set : {&expected, i > 3 ? &expected_early : &expected}) {
      set->emplace(id, "phone", url);
      if (person.count("email")) set->emplace(id, "email", url);
    }
  }
  auto exposures_file = dir.write("exposures.json", planted.dump());
  ChildProcess market({"python3", kScripts + "fixture_market/server.py", "--port", "0", "--port-file",
                       (dir.path() / "market.port").string(), "--pages", "20", "--exposures",
                       exposures_file.string(), "--rate-limit", "0", "--slow-s", "0.2", "--huge-mb", "1"},
                      {}, dir.path() / "market.out", dir.path() / "market.err");
  const int port =
      wait_for_port_file(dir.path() / "market.port", market, "fixture market", dir.path() / "market.err");
  ChildProcess proxy({"python3", kScripts + "fixture_market/socks5_proxy.py", "--port", "0", "--port-file",
                      (dir.path() / "proxy.port").string(), "--target-port", std::to_string(port)},
                     {}, dir.path() / "proxy.out", dir.path() / "proxy.err");
  const int proxy_port =
      wait_for_port_file(dir.path() / "proxy.port", proxy, "SOCKS5 proxy", dir.path() / "proxy.err");
  auto config = dir.write(
      "leakwatch.toml",
      "[crawl]\nproxy = \"socks5h://127.0.0.1:" + std::to_string(proxy_port) +
          "\"\nconcurrency = 8\nper_host_concurrency = 4\ntimeout_s = 10\nconnect_timeout_s = 5\n"
          "retry_base_ms = 100\nmax_depth = 8\n\n[[source]]\nname = \"shop\"\n"
          "seeds = [\"http://shop.onion/\"]\nallow_private = true\nrate = 100\ncookies = \"session=demo\"\n");

  Server shard1(dir.path() / "shard1"), shard2(dir.path() / "shard2");
  TestDatabase single, coordinator;
  auto cli_on = [&](const TestDatabase& db, const std::vector<std::string>& args,
                    const std::string& in = "") {
    auto r = run_cli(args, in,
                     {{"LEAKWATCH_HMAC_KEY_FILE", key.string()},
                      {"LEAKWATCH_DATABASE_URL", db.url()},
                      {"LEAKWATCH_CONFIG", config.string()}});
    INFO(args[0] << " on " << (&db == &single ? "the single server" : "the coordinator") << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  };
  for (const TestDatabase* db : {&single, &coordinator}) {
    cli_on(*db, {"db", "migrate"});
    cli_on(*db, {"customers", "import", "-"}, early);
  }

  // The buckets move with the customers already imported.
  auto placed = cli_on(coordinator, {"db", "shard", shard1.url(), shard2.url()});
  CHECK(count_matches(placed.err, "moved bucket [0-9]+ to ") == 16);
  CHECK(count_matches(placed.out, "bucket [0-9]+\t127\\.0\\.0\\.1:[0-9]+/leakwatch\n") == 16);
  CHECK(coordinator.query_value(
            "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND"
            " (relname ~ '^customer_identifiers_b[0-9]+$' OR relname ~ '^sightings_b[0-9]+$')") == "0");
  const std::string imported = single.query_value("SELECT count(*) FROM customer_identifiers");
  CHECK(coordinator.query_value("SELECT count(*) FROM customer_identifiers") == imported);
  // Bucket b lives on shard b mod 2: each shard holds its half, not the other's.
  const long on1 = std::stol(shard1.query("SELECT count(*) FROM customer_identifiers_b0"));
  CHECK(on1 == std::stol(single.query_value("SELECT count(*) FROM customer_identifiers WHERE bucket = 0")));
  CHECK(shard1.query("SELECT count(*) FROM pg_class WHERE relname = 'customer_identifiers_b1'") == "0");
  CHECK(shard2.query("SELECT count(*) FROM pg_class WHERE relname = 'customer_identifiers_b1'") == "1");
  // Placing again moves nothing.
  CHECK(count_matches(cli_on(coordinator, {"db", "shard", shard1.url(), shard2.url()}).err, "moved bucket") ==
        0);

  for (const TestDatabase* db : {&single, &coordinator}) {
    auto run = nlohmann::json::parse(cli_on(*db, {"run", "--json"}).out);
    CHECK(run["status"] == "ok");
  }
  const std::string single_report = cli_on(single, {"report", "--format", "json"}).out;
  CHECK(reported(single_report) == expected_early);
  CHECK(reported(cli_on(coordinator, {"report", "--format", "json"}).out) == reported(single_report));
  // The sightings went to the shards with the customers.
  CHECK(std::stol(shard1.query("SELECT count(*) FROM sightings_b0")) +
            std::stol(shard2.query("SELECT count(*) FROM sightings_b1")) >
        0);

  for (const TestDatabase* db : {&single, &coordinator}) {
    cli_on(*db, {"customers", "import", "-"}, late);
    cli_on(*db, {"match"});
  }
  CHECK(reported(cli_on(single, {"report", "--all", "--format", "json"}).out) == expected);
  CHECK(reported(cli_on(coordinator, {"report", "--all", "--format", "json"}).out) == expected);
  cli_on(coordinator, {"match", "--full"});
  CHECK(reported(cli_on(coordinator, {"report", "--all", "--format", "json"}).out) == expected);

  // The plan: every bucket's join is one foreign scan of that bucket's pair,
  // run asynchronously by its shard; on the single server nothing is foreign.
  const std::string plan = cli_on(coordinator, {"match", "--explain"}).out;
  INFO(plan);
  CHECK(count_matches(plan, "Async Foreign Scan") == 16);
  for (int b = 0; b < 16; ++b) {
    const std::string n = std::to_string(b);
    CHECK(count_matches(plan, "Relations: \\(public\\.sightings_b" + n +
                                  " [a-z_0-9]+\\) INNER JOIN \\(public\\.customer_identifiers_b" + n +
                                  " [a-z_0-9]+\\)") == 1);
  }
  CHECK(count_matches(cli_on(single, {"match", "--explain"}).out, "Foreign Scan") == 0);
}
