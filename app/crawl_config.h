// Reads the crawl's part of leakwatch.toml, [crawl] and [[source]], into
// crawler::CrawlOptions. Every error is a ConfigError naming FILE:LINE and
// the key at fault; unknown keys are errors too (a typo in `max_depth` must
// not silently crawl the whole market).
#pragma once

#include <string>
#include <vector>

#include "app/config.h"
#include "app/context.h"
#include "crawler/crawl.h"
#include "crawler/crawl_options.h"

namespace leakwatch::app {

// All sources when `only` is empty, else the named ones (an unknown name is a
// ConfigError listing the known ones).
crawler::CrawlOptions read_crawl_options(const Config& config, const std::vector<std::string>& only);

// Runs a crawl pass as `leakwatch crawl` does: checks the schema, shows
// progress on stderr (a line rewritten in place on a terminal, plain lines
// every [crawl] log_interval_s otherwise), stops cleanly on SIGINT/SIGTERM,
// and prints the summary on stderr. For `crawl` and `run`.
crawler::CrawlStats run_crawl_pass(Context& ctx, const std::vector<std::string>& sources,
                                   std::optional<int64_t> max_pages);

}  // namespace leakwatch::app
