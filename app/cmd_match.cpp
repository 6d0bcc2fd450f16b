// `leakwatch match`: joins every stored sighting with the customer set and
// records exposures (see matcher/match_stage.h). Retroactive and idempotent.
#include <iomanip>
#include <iostream>

#include "app/command.h"
#include "app/stages.h"
#include "db/migrations.h"
#include "matcher/match_stage.h"

namespace leakwatch::app {

// For `match` and `run`: prints the summary line on stderr.
matcher::MatchStats run_match_stage(Context& ctx) {
  auto& db = ctx.database();
  db::require_current_schema(db);
  auto st = matcher::run_match(db);
  std::cerr << "match: " << st.exposures_new << " new exposures, " << st.exposures_updated << " updated, "
            << st.exposures_total << " in all, " << std::fixed << std::setprecision(2) << st.seconds
            << " s\n";
  return st;
}

void add_match_command(CLI::App& root, Context& ctx, const Command& self) {
  auto* match = root.add_subcommand(std::string(self.name), std::string(self.summary));
  match->callback([&ctx] { run_match_stage(ctx); });
}

}  // namespace leakwatch::app
