// The pipeline's stages as the command line runs them, each printing its
// summary line on stderr: for their own commands and for `run`.
#pragma once

#include <memory>

#include "app/context.h"
#include "matcher/extract_stage.h"
#include "matcher/match_stage.h"

namespace leakwatch::app {

// The extractor the pipeline reads pages and attachments with ([identity]
// default_region; names as evidence); ConfigError for a bad region.
std::unique_ptr<extract::Extractor> make_pipeline_extractor(Context& ctx);
// Extracts every pending page (app/cmd_extract.cpp).
matcher::ExtractStats run_extract_stage(Context& ctx);

// Matches new sightings and customers (app/cmd_match.cpp).
matcher::MatchStats run_match_stage(Context& ctx, matcher::MatchMode mode = matcher::MatchMode::kIncremental);

}  // namespace leakwatch::app
