// Running one crawl pass from the command line, for `crawl` and `run`:
// the schema check, progress on stderr, a clean stop on SIGINT/SIGTERM and
// the summary. What to crawl comes from app/crawl_config.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/context.h"
#include "crawler/crawl.h"

namespace leakwatch::app {

// Runs a crawl pass as `leakwatch crawl` does: checks the schema, shows
// progress on stderr (a line rewritten in place on a terminal, plain lines
// every [crawl] log_interval_s otherwise), stops cleanly on SIGINT/SIGTERM,
// and prints the summary on stderr. For `crawl` and `run`.
crawler::CrawlStats run_crawl_pass(Context& ctx, const std::vector<std::string>& sources,
                                   std::optional<int64_t> max_pages);

}  // namespace leakwatch::app
