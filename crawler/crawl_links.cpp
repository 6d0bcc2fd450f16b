#include <string>
#include <utility>

#include "crawler/crawl_pass.h"

namespace leakwatch::crawler::crawl_detail {

// A URL queued before its parameters were learned to be noise: not fetched;
// its reduced form is queued instead (nothing when it is known already). A
// URL whose page was fetched in this pass under a variant (by any worker) is
// not fetched either, and is done until the next revisit, when it comes back
// with that variant.
bool CrawlPass::leave_out_variant(SourceRun& run, const LeasedUrl& u) {
  std::string reduced = run.params->apply(u.url);
  const bool fetched = run.params->fetched_as_variant(reduced);
  if (reduced == u.url && !fetched) return false;
  Outcome o;
  o.frontier_id = u.id;
  o.source = u.source;
  o.kind = fetched ? Outcome::Kind::kFetchedAsVariant : Outcome::Kind::kSkipped;
  o.error = fetched ? "fetched in this pass under a URL variant" : "a URL variant of " + reduced;
  add_outcome(std::move(o));
  if (!fetched) links_[{u.source, u.depth}].push_back(std::move(reduced));
  ++stats_.variants;
  return true;
}

void CrawlPass::add_links(SourceRun& run, int depth, std::vector<std::string> links) {
  auto& bucket = links_[{run.options->name, depth}];
  for (auto& url : links) {
    if (!run.scope->in_scope(url)) continue;
    if (is_login_url(url) || is_logout_url(url)) continue;
    std::string reduced = run.params->apply(url);
    if (run.params->fetched_as_variant(reduced)) {
      ++stats_.variants;
      continue;
    }
    if (reduced != url) ++stats_.variants;
    bucket.push_back(std::move(reduced));
  }
}

}  // namespace leakwatch::crawler::crawl_detail
