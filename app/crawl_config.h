// Reads the crawl's part of leakwatch.toml, [crawl] and [[source]], into
// crawler::CrawlOptions. Every error is a ConfigError naming FILE:LINE and
// the key at fault; unknown keys are errors too (a typo in `max_depth` must
// not silently crawl the whole market).
#pragma once

#include <string>
#include <vector>

#include "app/config.h"
#include "crawler/crawl_options.h"

namespace leakwatch::app {

// All sources when `only` is empty, else the named ones (an unknown name is a
// ConfigError listing the known ones).
crawler::CrawlOptions read_crawl_options(const Config& config, const std::vector<std::string>& only);

}  // namespace leakwatch::app
