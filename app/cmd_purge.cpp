// `leakwatch purge [--days N]`: drops the raw text of pages fetched more than
// the retention window ago ([retention] days, default 30), keeping the pages'
// metadata, sightings and exposures (DESIGN.md "Privacy"). Pages that were
// never extracted keep their text until `extract` has read them.
// `--rewrite` also puts rows stored before listings were masked (a database
// older than migration 0030) into today's form — titles, fields, URLs and
// messages masked — and rewrites the tables (VACUUM FULL) so that neither
// their old versions nor the bytes of dropped plaintext columns stay on disk.
#include <iostream>

#include "app/command.h"
#include "core/errors.h"
#include "crawler/frontier.h"
#include "db/migrations.h"
#include "db/page_store.h"
#include "db/privacy_rewrite.h"

namespace leakwatch::app {
namespace {

void rewrite_plaintext(Context& ctx) {
  const db::ListingPrivacy& privacy = ctx.listing_privacy();
  auto& db = ctx.database();
  db::RewrittenRows n = db::rewrite_listing_plaintext(db, privacy);
  int64_t frontier = crawler::rewrite_frontier_plaintext(db, privacy);
  db::vacuum_full(db, "pages, page_urls, login_walls, runs, frontier, exposures, sightings");
  std::cout << "purge --rewrite: masked " << n.pages << " pages (" << n.merged
            << " merged into the listing stored under the masked URL), " << n.page_urls << " page URLs, "
            << frontier << " frontier URLs, " << n.other << " login walls and runs; tables rewritten\n";
}

void run_purge(Context& ctx, int days, bool rewrite) {
  if (days < 0) throw ConfigError("retention days must be 0 or more, not " + std::to_string(days));
  auto& db = ctx.database();
  db::require_current_schema(db);
  if (rewrite) rewrite_plaintext(ctx);
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
  auto rewrite = std::make_shared<bool>(false);
  purge->add_flag("--rewrite", *rewrite,
                  "also mask what a leakwatch older than the listing migration (0030) stored in plaintext "
                  "(titles, fields, URLs, errors), then VACUUM FULL the tables");
  purge->callback(
      [&ctx, days, rewrite] { run_purge(ctx, *days >= 0 ? *days : ctx.config().retention_days, *rewrite); });
}

}  // namespace leakwatch::app
