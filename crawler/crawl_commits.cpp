#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "crawler/crawl_pass.h"

namespace leakwatch::crawler::crawl_detail {

void CrawlPass::flush() {
  if (outcomes_.empty() && links_.empty()) return;
  CommitBatch batch;
  for (auto& [key, urls] : links_) {
    // Document order is kept: it decides the order of fetching within a
    // depth, and a page's first links (rel=next) are often the way on.
    std::unordered_set<std::string_view> seen;
    std::vector<std::string> unique;
    for (auto& u : urls) {
      if (seen.insert(u).second) unique.push_back(u);
    }
    batch.links.push_back({key.first, key.second, std::move(unique)});
  }
  batch.outcomes = std::move(outcomes_);
  batch.max_pages = max_pages_;
  for (auto& run : sources_) {
    auto changed = run->params->take_changed();
    if (!changed.empty()) batch.param_rules.emplace_back(run->options->name, std::move(changed));
  }
  writer_.submit(std::move(batch));
  outcomes_.clear();
  links_.clear();
  attachments_.submitted();  // the pages that link them are in this batch
}

void CrawlPass::collect(std::vector<Committed> committed) {
  attachments_.committed(committed.size());
  bool enqueued = false;
  for (auto& c : committed) {
    const CommitResult& result = c.result;
    stats_.pages_new += result.pages_new;
    stats_.duplicates += result.pages_duplicate;
    stats_.enqueued += result.urls_enqueued;
    enqueued = enqueued || result.urls_enqueued > 0;
    // Once per source and pass; a notice only when the wall is new to the database.
    for (const auto& o : c.login_walls) {
      if (!walls_reported_.insert(o.source).second) continue;
      std::string line = o.source + ": " + o.login_url + " (" + o.error + ")";
      stats_.login_walls.push_back(line);
      bool is_new = std::find(result.new_login_walls.begin(), result.new_login_walls.end(), o.source) !=
                    result.new_login_walls.end();
      if (is_new && callbacks_.notice) callbacks_.notice("login wall: " + line);
    }
  }
  // New links may make sources leasable again.
  if (enqueued) {
    for (auto& run : sources_) run->next_lease = {};
  }
}

}  // namespace leakwatch::crawler::crawl_detail
