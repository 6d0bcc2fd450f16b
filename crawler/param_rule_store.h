// The url_param_rules table (schema/0012_create_url_param_rules.sql): what
// the crawler learned about URL query parameters, per source, kept across
// runs and shared by workers. This file holds every read and write of it.
//
// Not thread-safe; the connection must outlive each call.
#pragma once

#include <string>
#include <vector>

#include "crawler/url_params.h"
#include "db/connection.h"

namespace leakwatch::crawler {

// The rules stored for `source`.
std::vector<ParamRule> load_param_rules(db::Connection& conn, const std::string& source);

// Merges `rules` into the stored ones of `source`: each count becomes the
// larger of the stored and the given (so workers that learned the same rule
// never double it). The source must be in crawl_sources.
void save_param_rules(db::Connection& conn, const std::string& source, const std::vector<ParamRule>& rules);

}  // namespace leakwatch::crawler
