#include "crawler/url_params.h"

#include <algorithm>
#include <utility>

namespace leakwatch::crawler {
namespace {

// URLs with more parameters than this are not learned from (2^k subsets).
constexpr size_t kMaxLearnedParams = 6;
// Bound on the pages remembered in one run; past it, learning starts afresh
// (the rules learned so far stay).
constexpr size_t kMaxRemembered = 200000;
// A parameter dropped on this many patterns of a host is dropped on the
// host's other patterns too.
constexpr int kPatternsForHostRule = 2;
// URLs kept per reduced form, to compare values of one parameter with.
constexpr size_t kMaxVariantsPerBase = 16;

struct SplitUrl {
  std::string base;  // up to '?'
  std::vector<std::string> params;
};

SplitUrl split(std::string_view url) {
  SplitUrl out;
  auto q = url.find('?');
  out.base = std::string(url.substr(0, q));
  if (q == std::string_view::npos) return out;
  std::string_view query = url.substr(q + 1);
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = std::min(query.find('&', pos), query.size());
    if (amp > pos) out.params.emplace_back(query.substr(pos, amp - pos));
    pos = amp + 1;
  }
  return out;
}

std::string join(const std::string& base, const std::vector<std::string>& params) {
  std::string out = base;
  for (size_t i = 0; i < params.size(); ++i) {
    out += i == 0 ? '?' : '&';
    out += params[i];
  }
  return out;
}

std::string name_of(std::string_view param) { return std::string(param.substr(0, param.find('='))); }

bool disjoint(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& x : a) {
    if (std::find(b.begin(), b.end(), x) != b.end()) return false;
  }
  return true;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "http://h.onion" of "http://h.onion/listing/{n}".
std::string_view host_of(std::string_view pattern) {
  auto scheme = pattern.find("://");
  auto slash = pattern.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  return pattern.substr(0, slash);
}

}  // namespace

std::string url_pattern(std::string_view canonical_url) {
  std::string_view base = canonical_url.substr(0, canonical_url.find('?'));
  auto scheme = base.find("://");
  size_t path = base.find('/', scheme == std::string_view::npos ? 0 : scheme + 3);
  if (path == std::string_view::npos) return std::string(base);
  std::string out(base.substr(0, path));
  size_t pos = path;
  while (pos < base.size()) {
    size_t next = std::min(base.find('/', pos + 1), base.size());
    std::string_view segment = base.substr(pos + 1, next - pos - 1);
    out += '/';
    out += all_digits(segment) ? std::string_view("{n}") : segment;
    pos = next;
  }
  return out;
}

ParamLearner::ParamLearner(std::vector<std::string> keep, std::vector<std::string> drop, bool learn,
                           PatternForm form)
    : keep_(keep.begin(), keep.end()),
      drop_(drop.begin(), drop.end()),
      learn_(learn),
      form_(std::move(form)) {}

std::string ParamLearner::pattern_of(std::string_view url) const {
  std::string pattern = url_pattern(url);
  return form_ ? form_(pattern) : pattern;
}

void ParamLearner::load(const std::vector<ParamRule>& rules) {
  for (const auto& rule : rules) {
    auto key = std::make_pair(rule.pattern, rule.param);
    rules_[key] = rule;
    if (rule.drop()) loaded_.insert(key);
  }
}

void ParamLearner::merge(const std::vector<ParamRule>& rules) {
  for (const auto& stored : rules) {
    ParamRule& rule = rules_[{stored.pattern, stored.param}];
    rule.pattern = stored.pattern;
    rule.param = stored.param;
    rule.same = std::max(rule.same, stored.same);
    rule.differs = std::max(rule.differs, stored.differs);
  }
}

void ParamLearner::observe(std::string_view canonical_url, std::string_view content_hash) {
  if (!learn_ || content_hash.empty()) return;
  if (fetched_.size() >= kMaxRemembered) {
    fetched_.clear();
    reduced_.clear();
  }
  std::string url(canonical_url);
  std::string hash(content_hash);
  // The same fetch told again (another worker's reads overlap): counted once.
  if (auto it = fetched_.find(url); it != fetched_.end() && it->second == hash) return;
  SplitUrl parts = split(url);
  const std::string pattern = pattern_of(url);
  // Fetched URLs that are this one with parameters added.
  if (auto it = reduced_.find(url); it != reduced_.end()) {
    for (const auto& variant : it->second) credit(pattern, variant.removed, variant.hash == hash);
  }
  if (parts.params.size() <= kMaxLearnedParams) {
    remember(pattern, parts.base, parts.params, hash, probe_urls_.count(url) > 0);
  }
  fetched_[std::move(url)] = std::move(hash);
}

// This URL with each non-empty subset of its parameters removed: compared
// with those already fetched, and noted for those fetched later.
void ParamLearner::remember(const std::string& pattern, const std::string& base, const Params& params,
                            const std::string& hash, bool probe) {
  const size_t k = params.size();
  for (uint32_t mask = 1; mask < (1u << k); ++mask) {
    Params removed, rest;
    for (size_t i = 0; i < k; ++i) ((mask >> i) & 1 ? removed : rest).push_back(params[i]);
    std::string sub = join(base, rest);
    if (auto it = fetched_.find(sub); it != fetched_.end()) credit(pattern, removed, it->second == hash);
    // Other URLs of this reduced form fetched before: compared where `sub`
    // is all the two have in common (their added parameters are disjoint),
    // so that each pair of URLs is compared once.
    auto& variants = reduced_[sub];
    for (const auto& other : variants) {
      if (!disjoint(other.removed, removed)) continue;
      Params both = other.removed;
      both.insert(both.end(), removed.begin(), removed.end());
      credit(pattern, both, other.hash == hash);
    }
    if (variants.size() < kMaxVariantsPerBase) variants.push_back({std::move(removed), hash, probe});
  }
}

// Two fetched URLs of `pattern` that differ in the parameters `differing`
// gave the same page (`same`) or not.
void ParamLearner::credit(const std::string& pattern, const Params& differing, bool same) {
  std::set<std::string> names;
  for (const auto& param : differing) names.insert(name_of(param));
  if (!same && names.size() > 1) {
    // Another page: the one parameter not known to be noise changed it;
    // with several such, which one did is unknown.
    std::erase_if(names, [&](const std::string& name) { return drops(pattern, name); });
    if (names.size() != 1) return;
  }
  for (const auto& name : names) {
    if (keep_.count(name) || drop_.count(name)) continue;
    auto key = std::make_pair(pattern, name);
    ParamRule& rule = rules_[key];
    rule.pattern = pattern;
    rule.param = name;
    ++(same ? rule.same : rule.differs);
    changed_.insert(key);
  }
}

bool ParamLearner::drops(const std::string& pattern, const std::string& name) const {
  if (keep_.count(name)) return false;
  if (drop_.count(name)) return true;
  if (auto it = rules_.find({pattern, name}); it != rules_.end()) {
    if (it->second.differs > 0) return false;
    if (it->second.drop()) return true;
  }
  return host_drops(pattern, name);
}

bool ParamLearner::host_drops(const std::string& pattern, const std::string& name) const {
  std::string_view host = host_of(pattern);
  int dropped = 0;
  for (const auto& [key, rule] : rules_) {
    if (key.second != name || host_of(key.first) != host) continue;
    if (rule.differs > 0) return false;
    if (rule.drop()) ++dropped;
  }
  return dropped >= kPatternsForHostRule;
}

std::string ParamLearner::apply(std::string_view canonical_url) {
  if (canonical_url.find('?') == std::string_view::npos) return std::string(canonical_url);
  if (probe_urls_.count(std::string(canonical_url))) return std::string(canonical_url);
  SplitUrl parts = split(canonical_url);
  const std::string pattern = pattern_of(parts.base);
  Params kept;
  bool dropped = false;
  for (auto& param : parts.params) {
    std::string name = name_of(param);
    if (!drops(pattern, name)) {
      kept.push_back(std::move(param));
      continue;
    }
    auto key = std::make_pair(pattern, name);
    if (learn_ && loaded_.count(key) && probed_.insert(key).second) {
      probe_urls_.emplace(canonical_url);  // the run's probe of an older rule
      return std::string(canonical_url);
    }
    dropped = true;
  }
  if (!dropped) return std::string(canonical_url);
  ++dropped_links_;
  return join(parts.base, kept);
}

bool ParamLearner::fetched_as_variant(std::string_view canonical_url) const {
  auto it = reduced_.find(std::string(canonical_url));
  if (it == reduced_.end()) return false;
  const std::string pattern = pattern_of(canonical_url);
  for (const auto& [removed, hash, probe] : it->second) {
    if (probe) continue;
    if (std::all_of(removed.begin(), removed.end(),
                    [&](const std::string& param) { return drops(pattern, name_of(param)); })) {
      return true;
    }
  }
  return false;
}

std::vector<ParamRule> ParamLearner::take_changed() {
  std::vector<ParamRule> out;
  for (const auto& key : changed_) out.push_back(rules_.at(key));
  changed_.clear();
  return out;
}

std::vector<ParamRule> ParamLearner::rules() const {
  std::vector<ParamRule> out;
  for (const auto& [key, rule] : rules_) out.push_back(rule);
  return out;
}

}  // namespace leakwatch::crawler
