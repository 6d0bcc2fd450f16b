// The url_param_rules table (schema/0012_create_url_param_rules.sql): what
// the crawler learned about URL query parameters, per source, kept across
// runs and shared by workers. This file holds every read and write of it.
//
// Not thread-safe; the connection must outlive each call.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "crawler/url_params.h"
#include "db/connection.h"

namespace leakwatch::crawler {

// The rules stored for `source`.
std::vector<ParamRule> load_param_rules(db::Connection& conn, const std::string& source);

// What the other workers of a crawl stored meanwhile: read now and then by
// each worker, from `since` (the store's clock) on.
struct RulesSince {
  std::map<std::string, std::vector<ParamRule>> by_source;
  // The latest change read, to pass as `since` next time (seconds since the
  // epoch, the store's clock); unchanged when nothing was read.
  double watermark = 0;
};

// The rules of `sources` changed at `since` (seconds since the epoch, the
// store's clock; 0: all) or later. The read reaches a minute further back,
// so that a change whose transaction began before `since` but committed
// after the last read is not missed; what is read twice merges to the same.
RulesSince load_param_rules_since(db::Connection& conn, const std::vector<std::string>& sources,
                                  double since);

// Merges `rules` into the stored ones of `source`: each count becomes the
// larger of the stored and the given (so workers that learned the same rule
// never double it). The source must be in crawl_sources.
void save_param_rules(db::Connection& conn, const std::string& source, const std::vector<ParamRule>& rules);

}  // namespace leakwatch::crawler
