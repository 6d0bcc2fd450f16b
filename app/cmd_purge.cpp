// `leakwatch purge [--days N]`: drops the raw text of pages fetched more than
// the retention window ago ([retention] days, default 30), keeping the pages'
// metadata, sightings and exposures (DESIGN.md "Privacy"). Pages that were
// never extracted keep their text until `extract` has read them.
#include <iostream>

#include "app/command.h"
#include "core/errors.h"
#include "db/migrations.h"
#include "db/page_store.h"

namespace leakwatch::app {
namespace {

void run_purge(Context& ctx, int days) {
  if (days < 0) throw ConfigError("retention days must be 0 or more, not " + std::to_string(days));
  auto& db = ctx.database();
  db::require_current_schema(db);
  auto [purged, kept] = db::purge_page_text(db, days);
  std::cout << "purge: raw text dropped from " << purged << " pages fetched more than " << days
            << " days ago";
  if (kept > 0) std::cout << "; " << kept << " not yet extracted kept (run `leakwatch extract`)";
  std::cout << "\n";
}

}  // namespace

void add_purge_command(CLI::App& root, Context& ctx, const Command& self) {
  auto* purge = root.add_subcommand(std::string(self.name), std::string(self.summary));
  auto days = std::make_shared<int>(-1);
  purge->add_option("--days", *days, "retention window in days (default: [retention] days, else 30)");
  purge->callback([&ctx, days] { run_purge(ctx, *days >= 0 ? *days : ctx.config().retention_days); });
}

}  // namespace leakwatch::app
