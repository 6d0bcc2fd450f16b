// The story the end-to-end and shard tests tell: generated customers
// (scripts/gen_customers.py), some planted in the fixture market's shop
// listings (server.py --exposures), a SOCKS5 proxy in front of it, and a
// config that crawls the shop through it. Some of the planted customers are
// held back, to be imported after the first run.
#pragma once

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <tuple>

#include "fixture_market.h"
#include "harness.h"

namespace leakwatch::testing {

using Exposure = std::tuple<std::string, std::string, std::string>;  // customer_id, kind, url

// The exposures of a report printed as JSON.
std::set<Exposure> reported_exposures(const std::string& json);

class PlantedMarket {
 public:
  // `customers` generated, C00000001..C<planted> planted in shop listings
  // 1..planted, C00000001..C<later> left for `late_csv`.
  PlantedMarket(const TempDir& dir, int customers, int planted, int later);
  std::string early_csv, late_csv;  // customer CSVs (plaintext, the import's input)
  std::set<Exposure> expected_early, expected_late;
  std::filesystem::path config;  // leakwatch.toml: the shop through the proxy
  int port = 0, proxy_port = 0;

 private:
  std::unique_ptr<ChildProcess> market_, proxy_;
};

}  // namespace leakwatch::testing
