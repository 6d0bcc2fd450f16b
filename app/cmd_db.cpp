#include <iostream>

#include "app/command.h"
#include "db/migrations.h"

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
}

}  // namespace leakwatch::app
