// Issue #18 part 3: the hash sets sharded across PostgreSQL servers. A
// coordinator and two shard servers on loopback (each its own PostgreSQL,
// started by scripts/pg), and a single server beside them: both import the
// same customers, run the same crawl of the fixture market, match customers
// imported later, and must report the same exposures (the planted ones).
// `db shard` moves the buckets; `match --explain` shows each bucket's join
// sent to the shard that holds it.
#include <doctest/doctest.h>

#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include <re2/re2.h>

#include "harness.h"
#include "planted_market.h"

using namespace leakwatch::testing;

namespace {

const std::string kScripts = std::string(LEAKWATCH_SOURCE_DIR) + "/scripts/";

std::set<Exposure> reported(const std::string& json) { return reported_exposures(json); }

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
  const RE2 re(pattern);
  REQUIRE_MESSAGE(re.ok(), pattern);
  re2::StringPiece rest(text);
  int n = 0;
  while (RE2::FindAndConsume(&rest, re)) ++n;
  return n;
}

}  // namespace

// Longer than 80 lines on purpose: one story, two databases side by side.
TEST_CASE(
    "shard: a coordinator with two shard servers reports what one server does; each join runs on its shard") {
  TempDir dir;
  auto key = write_key_file(dir);
  // Customers 1-12 are planted in shop listings 1-12; 1-3 are imported after
  // the crawl (matched through the shards' prefix index).
  PlantedMarket market(dir, 40, 12, 3);
  const std::set<Exposure>& expected_early = market.expected_early;
  std::set<Exposure> expected = market.expected_early;
  expected.insert(market.expected_late.begin(), market.expected_late.end());
  const std::string& early = market.early_csv;
  const std::string& late = market.late_csv;
  const std::filesystem::path& config = market.config;

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
  // A shard's tables are what the migrations made the single server's
  // partitions: the same indexes (definitions and names) and statistics
  // targets (schema/0090), read from the coordinator's catalog when moved.
  for (const char* table : {"customer_identifiers_b1", "sightings_b1"}) {
    CAPTURE(table);
    const std::string indexes = std::string("SELECT string_agg(indexdef, '; ' ORDER BY indexname) FROM "
                                            "pg_indexes WHERE tablename = '") +
                                table + "'";
    CHECK(shard2.query(indexes) == single.query_value(indexes));
    const std::string columns =
        std::string("SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod) || ' ' || attnotnull"
                    " || ' ' || attstattarget, ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = '") +
        table + "'::regclass AND attnum > 0 AND NOT attisdropped";
    CHECK(shard2.query(columns) == single.query_value(columns));
  }
  CHECK(shard2.query("SELECT attstattarget FROM pg_attribute WHERE attrelid = 'sightings_b1'::regclass"
                     " AND attname = 'hashes'") == "1");
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
