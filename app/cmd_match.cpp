// `leakwatch match [--full | --explain]`: joins what is new (sightings, customers) with
// the other side and records exposures (see matcher/match_stage.h);
// --full joins everything. Retroactive and idempotent.
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>

#include "app/command.h"
#include "app/stages.h"
#include "app/terminal_progress.h"
#include "db/migrations.h"
#include "matcher/match_stage.h"

namespace leakwatch::app {

// For `match` and `run`: prints the summary line on stderr.
matcher::MatchStats run_match_stage(Context& ctx, matcher::MatchMode mode) {
  auto& db = ctx.database();
  db::require_current_schema(db);
  matcher::MatchStats st;
  {
    // The join is a few long statements with nothing to count between
    // them: the line says which join runs and shows the time passing.
    TerminalProgress progress(mode == matcher::MatchMode::kFull
                                  ? "match: joining every sighting with every customer"
                                  : "match: joining what is new with the other side");
    st = matcher::run_match(db, mode);
  }
  std::cerr << "match: " << st.exposures_new << " new exposures, " << st.exposures_updated << " updated, "
            << st.exposures_total << " in all; "
            << (st.full ? std::string("full join")
                        : std::to_string(st.pages_matched) + " listings matched again")
            << ", " << st.identifiers_new << " new customer identifiers, "
            << (st.full ? std::string()
                        : std::to_string(st.attachment_listings_matched) +
                              " listings' attachments matched again, ")
            << std::fixed << std::setprecision(2) << st.seconds << " s\n";
  return st;
}

void add_match_command(CLI::App& root, Context& ctx, const Command& self) {
  auto* match = root.add_subcommand(std::string(self.name), std::string(self.summary));
  auto full = std::make_shared<bool>(false);
  auto explain = std::make_shared<bool>(false);
  match->add_flag("--full", *full, "join every sighting with every customer, not only what is new");
  match->add_flag("--explain", *explain,
                  "print PostgreSQL's plan of the full join and change nothing (on shards: each bucket's "
                  "join is a foreign scan run by its shard)");
  match->callback([&ctx, full, explain] {
    if (*explain) {
      db::require_current_schema(ctx.database());
      std::cout << matcher::explain_full_match(ctx.database());
      return;
    }
    run_match_stage(ctx, *full ? matcher::MatchMode::kFull : matcher::MatchMode::kIncremental);
  });
}

}  // namespace leakwatch::app
