#include "planted_market.h"

#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace leakwatch::testing {

std::set<Exposure> reported_exposures(const std::string& json) {
  std::set<Exposure> out;
  for (const auto& e : nlohmann::json::parse(json)) {
    out.emplace(e["customer_id"].get<std::string>(), e["kind"].get<std::string>(),
                e["url"].get<std::string>());
  }
  return out;
}

PlantedMarket::PlantedMarket(const TempDir& dir, int customers, int planted, int later) {
  const std::string scripts = std::string(LEAKWATCH_SOURCE_DIR) + "/scripts/";
  auto gen = run_program({"python3", scripts + "gen_customers.py", std::to_string(customers), "--plain-out",
                          (dir.path() / "plain.csv").string()});
  if (gen.exit_code != 0) throw std::runtime_error("gen_customers.py failed: " + gen.err);
  // customer_id -> kind -> normalized value (test data from the generator)
  std::map<std::string, std::map<std::string, std::string>> plain;
  {
    std::istringstream in(read_file(dir.path() / "plain.csv"));
    for (std::string line; std::getline(in, line);) {
      auto a = line.find(','), b = line.find(',', a + 1);
      plain[line.substr(0, a)][line.substr(a + 1, b - a - 1)] = line.substr(b + 1);
    }
  }
  early_csv = late_csv = "customer_id,apple_id,email,phone,name\n";
  {
    std::istringstream in(gen.out);
    std::string line;
    std::getline(in, line);
    for (int i = 1; std::getline(in, line); ++i) (i <= later ? late_csv : early_csv) += line + "\n";
  }

  nlohmann::json exposures = nlohmann::json::array();
  for (int i = 1; i <= planted; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "C%08d", i);
    const auto& person = plain.at(id);
    nlohmann::json entry{
        {"market", "shop"}, {"listing", i}, {"name", person.at("name")}, {"phone", person.at("phone")}};
    if (person.count("email")) entry["email"] = person.at("email");
    exposures.push_back(entry);
    const std::string url = "http://shop.onion/listing/" + std::to_string(i);
    auto& expected = i <= later ? expected_late : expected_early;
    expected.emplace(id, "phone", url);
    if (person.count("email")) expected.emplace(id, "email", url);
  }
  auto exposures_file = dir.write("exposures.json", exposures.dump());

  market_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"python3", scripts + "fixture_market/server.py", "--port", "0", "--port-file",
                               (dir.path() / "market.port").string(), "--pages", "20", "--exposures",
                               exposures_file.string(), "--rate-limit", "0", "--slow-s", "0.2", "--huge-mb",
                               "1"},
      std::map<std::string, std::string>{}, dir.path() / "market.out", dir.path() / "market.err");
  port =
      wait_for_port_file(dir.path() / "market.port", *market_, "fixture market", dir.path() / "market.err");
  proxy_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"python3", scripts + "fixture_market/socks5_proxy.py", "--port", "0",
                               "--port-file", (dir.path() / "proxy.port").string(), "--target-port",
                               std::to_string(port)},
      std::map<std::string, std::string>{}, dir.path() / "proxy.out", dir.path() / "proxy.err");
  proxy_port =
      wait_for_port_file(dir.path() / "proxy.port", *proxy_, "SOCKS5 proxy", dir.path() / "proxy.err");
  config =
      dir.write("leakwatch.toml", "[crawl]\nproxy = \"socks5h://127.0.0.1:" + std::to_string(proxy_port) +
                                      "\"\nconcurrency = 8\nper_host_concurrency = 4\ntimeout_s = 10\n"
                                      "connect_timeout_s = 5\nretry_base_ms = 100\nmax_depth = 8\n\n"
                                      "[[source]]\nname = \"shop\"\nseeds = [\"http://shop.onion/\"]\n"
                                      "allow_private = true\nrate = 100\ncookies = \"session=demo\"\n");
}

}  // namespace leakwatch::testing
