// Learned URL-parameter irrelevance: which query parameters never change a
// page, learned per source, host and path pattern from the pages themselves,
// so that links differing only in them (sorting, referrer, tracking, view
// mode) are not fetched again under another URL.
//
// How it learns: every fetched page gives its canonical URL and content
// hash. When two fetched URLs of one path differ only in a set S of
// parameters (added, left out, or with other values), equal hashes count one
// "same" observation for each parameter in S; different hashes, with S a
// single parameter (or one besides those already dropped), one "differs". A
// parameter with `kObservationsToDrop` same observations and none that
// differ is dropped from that pattern's URLs; one that ever differed is kept
// for good (so `page=`, `id=`, `t=` are never dropped). A parameter dropped
// on two patterns of a host, and never seen to differ there, is dropped on
// the host's other patterns too, until they say otherwise.
//
// Sampling: a rule learned in an earlier run is re-checked once per run: the
// first URL that would lose the parameter keeps it (a probe), and if its page
// differs from the page without it, the rule flips to keep.
//
// Pinned rules (`keep_params`, `drop_params` in config) are never learned
// over. A pattern is the URL's scheme, host and path with every all-digit
// path segment replaced by "{n}".
//
// Several workers: each learns from the pages it fetches and stores its
// counts; each merges the counts the others stored (merge()), so that a rule
// proved by any worker is applied by all. Each also observes the pages the
// others fetched in the pass (read from the frontier once a second), so that
// it learns from them as from its own, and knows a page another worker
// fetched under a variant URL (fetched_as_variant()).
//
// Not thread-safe: one learner per source, used by the crawl's loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace leakwatch::crawler {

inline constexpr int kObservationsToDrop = 3;

// One (pattern, parameter) with what has been seen of it.
struct ParamRule {
  std::string pattern;
  std::string param;
  int same = 0;     // observations where the parameter did not change the page
  int differs = 0;  // observations where it did
  bool drop() const { return differs == 0 && same >= kObservationsToDrop; }
};

// The pattern a URL belongs to ("http://h.onion/listing/{n}").
std::string url_pattern(std::string_view canonical_url);

class ParamLearner {
 public:
  // How a pattern is kept and stored: a path may carry an identifier
  // (/contact/li.na@icloud.com), so the crawl passes the form in which URLs
  // are stored (masked plus a keyed tag, db::ListingPrivacy::stored_url).
  using PatternForm = std::function<std::string(const std::string&)>;

  // `keep` and `drop`: parameter names pinned by config (any pattern).
  ParamLearner(std::vector<std::string> keep, std::vector<std::string> drop, bool learn = true,
               PatternForm form = {});

  // Rules stored by earlier runs (and other workers); they are re-checked by
  // sampling in this run.
  void load(const std::vector<ParamRule>& rules);

  // Rules other workers stored while this run goes on (read again from the
  // store now and then): each count becomes the larger of this learner's
  // and the stored one, as the store merges them. Unlike load(), they are
  // not probed: they were learned from this run's pages. A rule one worker
  // learned is so applied by the others without fetching the variants again.
  void merge(const std::vector<ParamRule>& rules);

  // A fetched page (by this worker or another): its canonical URL as
  // requested and its content hash. A URL observed again with the same hash
  // is counted once.
  void observe(std::string_view canonical_url, std::string_view content_hash);

  // `canonical_url` without the parameters dropped for its pattern (it stays
  // canonical: the remaining parameters keep their order). A URL chosen as a
  // probe comes back unchanged.
  std::string apply(std::string_view canonical_url);

  // True when the page at `canonical_url` (as apply() left it) was fetched
  // in this run (by any worker observed) under another URL that differs
  // only in dropped parameters: a link to it now would fetch the same page
  // again. This learner's probe does not count: the probe is there to be
  // compared with the plain URL's page.
  bool fetched_as_variant(std::string_view canonical_url) const;

  // Rules whose counts changed since the last call, to be stored.
  std::vector<ParamRule> take_changed();
  // Every rule known, for `crawl --explain`-like views.
  std::vector<ParamRule> rules() const;

  int64_t dropped_links() const { return dropped_links_; }

 private:
  using Params = std::vector<std::string>;  // "name=value", in canonical order
  std::string pattern_of(std::string_view url) const;
  void credit(const std::string& pattern, const Params& removed, bool same);
  bool drops(const std::string& pattern, const std::string& name) const;
  bool host_drops(const std::string& pattern, const std::string& name) const;
  void remember(const std::string& pattern, const std::string& base, const Params& params,
                const std::string& hash, bool probe);

  std::set<std::string> keep_, drop_;
  bool learn_;
  PatternForm form_;
  std::map<std::pair<std::string, std::string>, ParamRule> rules_;  // (pattern, param)
  std::set<std::pair<std::string, std::string>> changed_, loaded_, probed_;
  std::set<std::string> probe_urls_;  // stay as they are, however often asked
  // URL -> content hash of every page fetched in this run (bounded).
  std::unordered_map<std::string, std::string> fetched_;
  // A fetched URL as seen from a URL it reduces to.
  struct Variant {
    Params removed;  // the parameters it has more
    std::string hash;
    bool probe;  // this run's probe of a stored rule
  };
  std::unordered_map<std::string, std::vector<Variant>> reduced_;
  int64_t dropped_links_ = 0;
};

}  // namespace leakwatch::crawler
