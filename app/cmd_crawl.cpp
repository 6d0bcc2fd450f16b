// `leakwatch crawl [--source NAME]... [--max-pages N]`: one crawl pass over
// the configured sources (see app/crawl_config.h and crawler/crawl.h).
// `crawl --explain` prints what the crawler learned about URL parameters
// instead (crawler/url_params.h).
#include <iomanip>
#include <iostream>
#include <memory>

#include "app/command.h"
#include "app/crawl_config.h"
#include "app/crawl_pass.h"
#include "core/errors.h"
#include "crawler/param_rule_store.h"
#include "db/migrations.h"

namespace leakwatch::app {
namespace {

struct CrawlArgs {
  std::vector<std::string> sources;
  int64_t max_pages = 0;
  bool explain = false;
};

// One line per (source, pattern, parameter): dropped or kept, and why.
void explain_params(Context& ctx, const std::vector<std::string>& only) {
  crawler::CrawlOptions options = read_crawl_options(ctx.config(), only);
  auto& db = ctx.database();
  db::require_current_schema(db);
  for (const auto& source : options.sources) {
    std::cout << source.name << ":";
    if (!source.keep_params.empty() || !source.drop_params.empty() || !source.learn_params) {
      std::cout << " pinned keep [";
      for (const auto& p : source.keep_params) std::cout << " " << p;
      std::cout << " ] drop [";
      for (const auto& p : source.drop_params) std::cout << " " << p;
      std::cout << " ]" << (source.learn_params ? "" : ", learning off");
    }
    auto rules = crawler::load_param_rules(db, source.name);
    std::cout << " " << rules.size() << " learned rule" << (rules.size() == 1 ? "" : "s") << "\n";
    for (const auto& r : rules) {
      const char* verdict = r.drop()        ? "dropped"
                            : r.differs > 0 ? "kept (changes the page)"
                                            : "kept (learning)";
      std::cout << "  " << r.pattern << "  " << std::left << std::setw(12) << r.param << " " << verdict
                << ": same page " << r.same << "x, other page " << r.differs << "x\n";
    }
  }
}

}  // namespace

void add_crawl_command(CLI::App& root, Context& ctx, const Command& self) {
  auto* crawl = root.add_subcommand(std::string(self.name), std::string(self.summary));
  auto args = std::make_shared<CrawlArgs>();
  crawl->add_option("--source", args->sources, "crawl only this [[source]] (repeatable)");
  crawl->add_option("--max-pages", args->max_pages, "stop after fetching N pages in this run")
      ->check(CLI::PositiveNumber);
  crawl->add_flag("--explain", args->explain,
                  "print the URL parameters learned per source and path (dropped: never changed the page) "
                  "and exit");
  crawl->callback([&ctx, args] {
    if (args->explain) return explain_params(ctx, args->sources);
    std::optional<int64_t> max_pages;
    if (args->max_pages > 0) max_pages = args->max_pages;
    run_crawl_pass(ctx, args->sources, max_pages);
  });
}

}  // namespace leakwatch::app
