// `leakwatch extract`: finds identifiers in crawled pages not yet read by the
// current extractor version and stores them as sightings (hash + masked
// form). Several `extract` processes may run at once; see
// matcher/extract_stage.h.
#include <chrono>
#include <iostream>

#include "app/command.h"
#include "app/stages.h"
#include "app/terminal_progress.h"
#include "core/errors.h"
#include "db/migrations.h"
#include "matcher/extract_stage.h"

namespace leakwatch::app {

// For `extract` and `run`: extracts every pending page and prints the
// summary line on stderr.
std::unique_ptr<extract::Extractor> make_pipeline_extractor(Context& ctx) {
  extract::ExtractorOptions options;
  options.default_region = ctx.config().default_region;
  try {
    return std::make_unique<extract::Extractor>(options);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(std::string("[identity] default_region: ") + e.what());
  }
}

matcher::ExtractStats run_extract_stage(Context& ctx) {
  const identity::HashKey& key = ctx.hash_key();
  std::unique_ptr<extract::Extractor> extractor = make_pipeline_extractor(ctx);
  auto& db = ctx.database();
  db::require_current_schema(db);
  matcher::ExtractStats st;
  {
    TerminalProgress progress("extract: reading the pages not yet extracted");
    const auto start = std::chrono::steady_clock::now();
    auto show = [&progress, start](const matcher::ExtractStats& now) {
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      progress.set("extract: " + with_thousands(now.pages) + " pages, " + with_thousands(now.identifiers) +
                   " identifiers" +
                   (s > 0 ? ", " + with_thousands(static_cast<long long>(now.pages / s)) + " pages/s" : ""));
    };
    st = matcher::run_extract(db, *extractor, key, ctx.listing_privacy(), {},
                              progress.on() ? show : std::function<void(const matcher::ExtractStats&)>());
  }
  std::cerr << "extract: " << st.pages << " pages, " << st.identifiers << " identifiers and " << st.names
            << " names found, " << st.sightings_new << " new sightings\n";
  if (st.unreadable > 0) {
    std::cerr << "leakwatch: warning: extract: " << st.unreadable
              << " pages hold text sealed under another HMAC key; they are read as purged\n";
  }
  return st;
}

void add_extract_command(CLI::App& root, Context& ctx, const Command& self) {
  auto* extract = root.add_subcommand(std::string(self.name), std::string(self.summary));
  extract->callback([&ctx] { run_extract_stage(ctx); });
}

}  // namespace leakwatch::app
