// `leakwatch crawl [--source NAME]... [--max-pages N]`: one crawl pass over
// the configured sources (see app/crawl_config.h and crawler/crawl.h).
#include <memory>

#include "app/command.h"
#include "app/crawl_pass.h"
#include "core/errors.h"

namespace leakwatch::app {
namespace {

struct CrawlArgs {
  std::vector<std::string> sources;
  int64_t max_pages = 0;
};

}  // namespace

void add_crawl_command(CLI::App& root, Context& ctx, const Command& self) {
  auto* crawl = root.add_subcommand(std::string(self.name), std::string(self.summary));
  auto args = std::make_shared<CrawlArgs>();
  crawl->add_option("--source", args->sources, "crawl only this [[source]] (repeatable)");
  crawl->add_option("--max-pages", args->max_pages, "stop after fetching N pages in this run")
      ->check(CLI::PositiveNumber);
  crawl->callback([&ctx, args] {
    std::optional<int64_t> max_pages;
    if (args->max_pages > 0) max_pages = args->max_pages;
    run_crawl_pass(ctx, args->sources, max_pages);
  });
}

}  // namespace leakwatch::app
