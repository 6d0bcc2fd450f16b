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

#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

using Exposure = std::tuple<std::string, std::string, std::string>;  // customer_id, kind, url

constexpr int kCustomers = 40;
constexpr int kPlanted = 12;       // C00000001..C00000012 in shop listings 1..12
constexpr int kImportedLater = 3;  // C00000001..C00000003 are imported after the first run

std::set<Exposure> reported(const std::string& json) {
  std::set<Exposure> out;
  for (const auto& e : nlohmann::json::parse(json)) {
    out.emplace(e["customer_id"].get<std::string>(), e["kind"].get<std::string>(),
                e["url"].get<std::string>());
  }
  return out;
}

}  // namespace

// Longer than 80 lines on purpose: one story in the order a user lives it,
// each step reading the state the one before left (the issue #13 rule's
// written reason).
TEST_CASE("end to end: after run and report, the exposures equal the planted ones; later imports match too") {
  TestDatabase db;
  TempDir dir;
  auto key = write_key_file(dir);
  std::string scripts = std::string(LEAKWATCH_SOURCE_DIR) + "/scripts/";

  auto gen = run_program({"python3", scripts + "gen_customers.py", std::to_string(kCustomers), "--plain-out",
                          (dir.path() / "plain.csv").string()});
  REQUIRE(gen.exit_code == 0);
  // customer_id -> kind -> normalized value (test data from the generator)
  std::map<std::string, std::map<std::string, std::string>> plain;
  {
    std::istringstream in(read_file(dir.path() / "plain.csv"));
    for (std::string line; std::getline(in, line);) {
      auto a = line.find(','), b = line.find(',', a + 1);
      plain[line.substr(0, a)][line.substr(a + 1, b - a - 1)] = line.substr(b + 1);
    }
  }
  std::string early = "customer_id,apple_id,email,phone,name\n", late = early;
  {
    std::istringstream in(gen.out);
    std::string line;
    std::getline(in, line);
    for (int i = 1; std::getline(in, line); ++i) (i <= kImportedLater ? late : early) += line + "\n";
  }

  nlohmann::json planted = nlohmann::json::array();
  std::set<Exposure> expected_early, expected_late;
  for (int i = 1; i <= kPlanted; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "C%08d", i);
    const auto& person = plain.at(id);
    nlohmann::json entry{
        {"market", "shop"}, {"listing", i}, {"name", person.at("name")}, {"phone", person.at("phone")}};
    if (person.count("email")) entry["email"] = person.at("email");
    planted.push_back(entry);
    std::string url = "http://shop.onion/listing/" + std::to_string(i);
    auto& expected = i <= kImportedLater ? expected_late : expected_early;
    expected.emplace(id, "phone", url);
    if (person.count("email")) expected.emplace(id, "email", url);
  }
  auto exposures_file = dir.write("exposures.json", planted.dump());

  ChildProcess market({"python3", scripts + "fixture_market/server.py", "--port", "0", "--port-file",
                       (dir.path() / "market.port").string(), "--pages", "20", "--exposures",
                       exposures_file.string(), "--rate-limit", "0", "--slow-s", "0.2", "--huge-mb", "1"},
                      {}, dir.path() / "market.out", dir.path() / "market.err");
  int port =
      wait_for_port_file(dir.path() / "market.port", market, "fixture market", dir.path() / "market.err");
  ChildProcess proxy({"python3", scripts + "fixture_market/socks5_proxy.py", "--port", "0", "--port-file",
                      (dir.path() / "proxy.port").string(), "--target-port", std::to_string(port)},
                     {}, dir.path() / "proxy.out", dir.path() / "proxy.err");
  int proxy_port =
      wait_for_port_file(dir.path() / "proxy.port", proxy, "SOCKS5 proxy", dir.path() / "proxy.err");

  auto config =
      dir.write("leakwatch.toml", "[crawl]\nproxy = \"socks5h://127.0.0.1:" + std::to_string(proxy_port) +
                                      "\"\nconcurrency = 8\nper_host_concurrency = 4\ntimeout_s = 10\n"
                                      "connect_timeout_s = 5\nretry_base_ms = 100\nmax_depth = 8\n\n"
                                      "[[source]]\nname = \"shop\"\nseeds = [\"http://shop.onion/\"]\n"
                                      "allow_private = true\nrate = 100\ncookies = \"session=demo\"\n");
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
