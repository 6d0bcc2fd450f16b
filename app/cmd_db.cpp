#include <iostream>
#include <map>

#include "app/command.h"
#include "db/migrations.h"
#include "db/shard.h"

namespace leakwatch::app {

void add_db_command(CLI::App& root, Context& ctx, const Command& self) {
  auto* db = root.add_subcommand(std::string(self.name), std::string(self.summary));
  db->require_subcommand(1);

  auto* migrate =
      db->add_subcommand("migrate", "apply pending migrations, in order, each in its own transaction");
  migrate->callback([&ctx] {
    int applied = db::migrate(ctx.database(),
                              [](const db::MigrationState& m) { std::cerr << "applied " << m.name << "\n"; });
    auto status = db::migration_status(ctx.database());
    std::cerr << "database is up to date (" << applied << " applied now, " << status.size() << " in all)\n";
  });

  auto* status = db->add_subcommand("status", "list applied and pending migrations");
  status->callback([&ctx] {
    int pending = 0;
    for (const auto& m : db::migration_status(ctx.database())) {
      if (m.applied_at) {
        std::cout << "applied  " << m.name << "  " << *m.applied_at << "\n";
      } else {
        std::cout << "pending  " << m.name << "\n";
        ++pending;
      }
    }
    if (pending > 0) std::cerr << pending << " pending: run `leakwatch db migrate`\n";
  });

  auto shard_urls = std::make_shared<std::vector<std::string>>();
  auto* shard = db->add_subcommand(
      "shard",
      "place the hash sets' partitions (customer_identifiers, sightings; 16 buckets) on other PostgreSQL "
      "servers through postgres_fdw, bucket b on the (b mod N)th URL; with no URL, show where each lives");
  shard->add_option("urls", *shard_urls, "database URLs of the shard servers");
  shard->callback([&ctx, shard_urls] {
    if (!shard_urls->empty()) {
      db::place_buckets(ctx.database(), *shard_urls, [](const db::BucketPlace& p, long rows) {
        std::cerr << "moved bucket " << p.bucket << " to " << p.where << " (" << rows << " rows)\n";
      });
    }
    std::map<std::string, int> count;
    for (const auto& p : db::bucket_places(ctx.database())) {
      std::cout << "bucket " << p.bucket << "\t" << p.where << "\n";
      ++count[p.where];
    }
    std::cerr << "buckets:";
    for (const auto& [where, n] : count) std::cerr << " " << n << " on " << where << ";";
    std::cerr << " the match joins each bucket where it lives\n";
  });
}

}  // namespace leakwatch::app
