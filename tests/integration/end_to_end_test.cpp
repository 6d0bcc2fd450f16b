// The whole job, as cron and a breach-response team run it: generated
// customers (scripts/gen_customers.py), some of them planted in the fixture
// market's listings (server.py --exposures), `leakwatch run` through the
// SOCKS5 proxy, then `report`. The reported exposures must equal the planted
// ones exactly (precision and recall 1.0).
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "harness.h"
#include "planted_market.h"

using namespace leakwatch::testing;

namespace {

constexpr int kCustomers = 40;
constexpr int kPlanted = 12;       // C00000001..C00000012 in shop listings 1..12
constexpr int kImportedLater = 3;  // C00000001..C00000003 are imported after the first run

std::set<Exposure> reported(const std::string& json) { return reported_exposures(json); }

}  // namespace

// Longer than 80 lines on purpose: one story in the order a user lives it,
// each step reading the state the one before left (the issue #13 rule's
// written reason).
TEST_CASE("end to end: after run and report, the exposures equal the planted ones; later imports match too") {
  TestDatabase db;
  TempDir dir;
  auto key = write_key_file(dir);
  PlantedMarket market(dir, kCustomers, kPlanted, kImportedLater);
  const std::string& early = market.early_csv;
  const std::string& late = market.late_csv;
  const std::set<Exposure>& expected_early = market.expected_early;
  const std::set<Exposure>& expected_late = market.expected_late;
  const std::filesystem::path& config = market.config;
  std::map<std::string, std::string> env{{"LEAKWATCH_HMAC_KEY_FILE", key.string()},
                                         {"LEAKWATCH_DATABASE_URL", db.url()},
                                         {"LEAKWATCH_CONFIG", config.string()}};
  auto cli = [&](const std::vector<std::string>& args, const std::string& in = "") {
    auto r = run_cli(args, in, env);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  };
  cli({"db", "migrate"});
  cli({"customers", "import", "-"}, early);

  auto first = cli({"run", "--json"});
  auto summary = nlohmann::json::parse(first.out);
  CHECK(summary["status"] == "ok");
  CHECK(summary["stages"]["crawl"]["fetched"].get<long>() >= 20);
  // Each host's pace: the rate it is asked at (rate = 100 here), requests and 429s.
  const auto& hosts = summary["stages"]["crawl"]["hosts"];
  REQUIRE(hosts.size() == 1);
  CHECK(hosts[0]["host"] == "shop.onion");
  CHECK(hosts[0]["auto"] == false);
  CHECK(hosts[0]["rate"].get<double>() > 0);
  CHECK(hosts[0]["rate"].get<double>() <= 100);
  CHECK(hosts[0]["requests"].get<long>() >= summary["stages"]["crawl"]["fetched"].get<long>());
  CHECK(hosts[0]["in_flight_limit"].get<int>() >= 2);
  CHECK(reported(cli({"report", "--format", "json"}).out) == expected_early);

  // A second run finds nothing new.
  auto second = nlohmann::json::parse(cli({"run", "--json"}).out);
  CHECK(second["stages"]["match"]["exposures_new"] == 0);
  CHECK(second["stages"]["match"]["exposures_total"] == expected_early.size());

  cli({"report", "--mark-notified", "-o", (dir.path() / "notified.json").string()});
  CHECK(reported(read_file(dir.path() / "notified.json")) == expected_early);
  CHECK(reported(cli({"report"}).out).empty());

  // Customers imported later are found in the pages already crawled.
  cli({"customers", "import", "-"}, late);
  cli({"match"});
  CHECK(reported(cli({"report"}).out) == expected_late);

  auto csv = cli({"report", "--all", "--format", "csv"}).out;
  CHECK(std::count(csv.begin(), csv.end(), '\n') ==
        1 + static_cast<long>(expected_early.size() + expected_late.size()));
  cli({"report", "--all", "--format", "html", "-o", (dir.path() / "report.html").string()});
  CHECK(read_file(dir.path() / "report.html").find("Top listings by exposures") != std::string::npos);
}
