// Learned URL-parameter irrelevance (crawler/url_params.h), from the crawler's
// side: pages fetched under URL variants in, URLs to queue out.
#include "crawler/url_params.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using leakwatch::crawler::kObservationsToDrop;
using leakwatch::crawler::ParamLearner;
using leakwatch::crawler::ParamRule;
using leakwatch::crawler::url_pattern;

namespace {

const std::string kListing = "http://shop.onion/listing/";

// Listing i fetched plain and with ?ref=VALUE: the same page (hash "h<i>").
void fetch_listing_and_variant(ParamLearner& learner, int i, const std::string& param) {
  learner.observe(kListing + std::to_string(i), "h" + std::to_string(i));
  learner.observe(kListing + std::to_string(i) + "?" + param, "h" + std::to_string(i));
}

}  // namespace

TEST_CASE("url params: a pattern is the host and path with numbers generalized") {
  CHECK(url_pattern("http://shop.onion/listing/17?ref=a") == "http://shop.onion/listing/{n}");
  CHECK(url_pattern("http://f.onion:8080/viewtopic.php?t=3") == "http://f.onion:8080/viewtopic.php");
  CHECK(url_pattern("http://f.onion/") == "http://f.onion/");
  CHECK(url_pattern("http://f.onion") == "http://f.onion");
  CHECK(url_pattern("http://f.onion/a1/22/b") == "http://f.onion/a1/{n}/b");
}

TEST_CASE("url params: a parameter that never changes the page is dropped after a few observations") {
  ParamLearner learner({}, {});
  const std::string variant = kListing + "9?ref=home";
  CHECK(learner.apply(variant) == variant);  // nothing known yet
  for (int i = 1; i < kObservationsToDrop; ++i) fetch_listing_and_variant(learner, i, "ref=list");
  CHECK(learner.apply(variant) == variant);  // not yet enough
  fetch_listing_and_variant(learner, kObservationsToDrop, "ref=search");
  CHECK(learner.apply(variant) == kListing + "9");
  CHECK(learner.apply(kListing + "9?a=1&ref=x&z=2") == kListing + "9?a=1&z=2");  // order kept
  CHECK(learner.dropped_links() == 2);
  // The rule is per pattern: another path keeps its ref until learned there.
  CHECK(learner.apply("http://shop.onion/listings?ref=home") == "http://shop.onion/listings?ref=home");
  auto changed = learner.take_changed();
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].pattern == "http://shop.onion/listing/{n}");
  CHECK(changed[0].param == "ref");
  CHECK(changed[0].same == kObservationsToDrop);
  CHECK(changed[0].drop());
  CHECK(learner.take_changed().empty());
}

TEST_CASE("url params: the variant may come first, and two parameters at once count for both") {
  ParamLearner learner({}, {});
  for (int i = 1; i <= kObservationsToDrop; ++i) {
    std::string n = std::to_string(i);
    learner.observe(kListing + n + "?sort=price&view=grid", "h" + n);
    learner.observe(kListing + n, "h" + n);
  }
  CHECK(learner.apply(kListing + "5?sort=date") == kListing + "5");
  CHECK(learner.apply(kListing + "5?view=list") == kListing + "5");
}

TEST_CASE("url params: two values of one parameter giving the same page count, without the plain URL") {
  ParamLearner learner({}, {});
  learner.observe(kListing + "1?from=1", "one");
  learner.observe(kListing + "1?from=2", "one");
  learner.observe(kListing + "2?from=1", "two");
  learner.observe(kListing + "2?from=3", "two");
  CHECK(learner.apply(kListing + "7?from=2") == kListing + "7?from=2");
  learner.observe(kListing + "3?from=2", "three");
  learner.observe(kListing + "3?from=3", "three");
  CHECK(learner.apply(kListing + "7?from=2") == kListing + "7");
}

TEST_CASE("url params: a parameter that changes the page is never dropped") {
  ParamLearner learner({}, {});
  const std::string index = "http://shop.onion/listings";
  for (int p = 1; p <= 10; ++p)
    learner.observe(index + "?page=" + std::to_string(p), "page" + std::to_string(p));
  learner.observe(index, "page1");  // page=1 is the default: one "same" observation
  for (int p = 1; p <= 10; ++p) {
    std::string url = index + "?page=" + std::to_string(p);
    CHECK(learner.apply(url) == url);
  }
  // Pages past the end all look alike, so `page` looks neutral for a while;
  // the first page that differs keeps it for good.
  ParamLearner late({}, {});
  for (int p = 101; p <= 103; ++p) late.observe(index + "?page=" + std::to_string(p), "no more listings");
  CHECK(late.apply(index + "?page=104") == index);
  late.observe(index + "?page=1", "listings 1-50");
  CHECK(late.apply(index + "?page=104") == index + "?page=104");
  CHECK(late.rules().at(0).differs > 0);
}

TEST_CASE("url params: config pins win over learning") {
  ParamLearner learner({"ref"}, {"utm_source"});
  for (int i = 1; i <= 5; ++i) fetch_listing_and_variant(learner, i, "ref=a");
  CHECK(learner.apply(kListing + "1?ref=b") == kListing + "1?ref=b");
  CHECK(learner.apply(kListing + "1?utm_source=tg") == kListing + "1");
  CHECK(learner.take_changed().empty());  // pinned names are not learned

  ParamLearner off({}, {"utm_source"}, /*learn=*/false);
  for (int i = 1; i <= 5; ++i) fetch_listing_and_variant(off, i, "ref=a");
  CHECK(off.apply(kListing + "1?ref=b&utm_source=x") == kListing + "1?ref=b");
}

TEST_CASE("url params: dropped on two patterns of a host, dropped on its others too") {
  ParamLearner learner({}, {});
  for (int i = 1; i <= kObservationsToDrop; ++i) {
    std::string n = std::to_string(i);
    learner.observe("http://s.onion/a/" + n, n);
    learner.observe("http://s.onion/a/" + n + "?utm_source=tg", n);
    learner.observe("http://s.onion/b/" + n, n);
    learner.observe("http://s.onion/b/" + n + "?utm_source=tg", n);
  }
  CHECK(learner.apply("http://s.onion/c?utm_source=tg") == "http://s.onion/c");
  CHECK(learner.apply("http://other.onion/c?utm_source=tg") == "http://other.onion/c?utm_source=tg");
  // Until the other pattern says otherwise.
  learner.observe("http://s.onion/d", "plain");
  learner.observe("http://s.onion/d?utm_source=tg", "personalized");
  CHECK(learner.apply("http://s.onion/c?utm_source=tg") == "http://s.onion/c?utm_source=tg");
}

TEST_CASE("url params: a stored rule is re-checked once per run, and flips when the site changed") {
  ParamRule stored{"http://shop.onion/listing/{n}", "sort", kObservationsToDrop, 0};
  ParamLearner learner({}, {});
  learner.load({stored});
  // The first URL that would lose `sort` keeps it: this run's probe.
  CHECK(learner.apply(kListing + "1?sort=price") == kListing + "1?sort=price");
  CHECK(learner.apply(kListing + "2?sort=price") == kListing + "2");
  CHECK(learner.apply(kListing + "1?sort=price") == kListing + "1?sort=price");  // asked again when leased
  // The site now sorts the page's contents by it.
  learner.observe(kListing + "1", "by date");
  learner.observe(kListing + "1?sort=price", "by price");
  CHECK(learner.apply(kListing + "3?sort=price") == kListing + "3?sort=price");
  auto changed = learner.take_changed();
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].differs == 1);
  CHECK_FALSE(changed[0].drop());

  // The probe fetched before its plain URL: the plain URL is still fetched
  // (not left out as "fetched under a variant"), or the probe would compare
  // with nothing and the rule would never be re-checked.
  ParamLearner first({}, {});
  first.load({stored});
  CHECK(first.apply(kListing + "5?sort=price") == kListing + "5?sort=price");
  first.observe(kListing + "5?sort=price", "by price");
  CHECK_FALSE(first.fetched_as_variant(kListing + "5"));
  first.observe(kListing + "5", "by date");
  CHECK(first.apply(kListing + "6?sort=price") == kListing + "6?sort=price");
  // A variant that is not the probe still spares its plain URL.
  ParamLearner spared({}, {});
  spared.load({stored});
  CHECK(spared.apply(kListing + "5?sort=price") == kListing + "5?sort=price");
  spared.observe(kListing + "5?sort=price", "same");
  spared.observe(kListing + "6?sort=name", "six");
  CHECK(spared.fetched_as_variant(kListing + "6"));

  // A stored rule that still holds keeps dropping after its probe.
  ParamLearner steady({}, {});
  steady.load({stored});
  CHECK(steady.apply(kListing + "1?sort=price") == kListing + "1?sort=price");
  steady.observe(kListing + "1", "same");
  steady.observe(kListing + "1?sort=price", "same");
  CHECK(steady.apply(kListing + "4?sort=name") == kListing + "4");
}

TEST_CASE(
    "url params: rules another worker stored meanwhile apply at once, unprobed, merged by the larger count") {
  ParamLearner learner({}, {});
  // This worker saw `ref` once; another worker proved it noise meanwhile.
  fetch_listing_and_variant(learner, 1, "ref=home");
  learner.take_changed();
  learner.merge({{"http://shop.onion/listing/{n}", "ref", kObservationsToDrop, 0}});
  // No probe: the rule was learned from this run's pages.
  CHECK(learner.apply(kListing + "7?ref=list") == kListing + "7");
  CHECK(learner.apply(kListing + "8?ref=list&sort=a") == kListing + "8?sort=a");
  // Nothing to store back: the stored counts are already the larger.
  CHECK(learner.take_changed().empty());
  // A stored count below this worker's own leaves it as it is; one that saw
  // the parameter change a page keeps it.
  learner.merge({{"http://shop.onion/listing/{n}", "ref", 1, 0}});
  CHECK(learner.apply(kListing + "9?ref=list") == kListing + "9");
  learner.merge({{"http://shop.onion/listing/{n}", "ref", 0, 1}});
  CHECK(learner.apply(kListing + "9?ref=list") == kListing + "9?ref=list");
}

TEST_CASE("url params: two variants without the plain URL between them still teach") {
  // A forum links each thread only with noise added, never plainly.
  ParamLearner learner({}, {});
  const std::string topic = "http://f.onion/viewtopic.php?";
  for (int t = 1; t <= kObservationsToDrop; ++t) {
    std::string n = std::to_string(t);
    learner.observe(topic + "sort=date&t=" + n + "&utm_source=tg", "thread " + n);
    learner.observe(topic + "ref=home&t=" + n, "thread " + n);
  }
  CHECK(learner.apply(topic + "sort=x&t=9") == topic + "t=9");
  CHECK(learner.apply(topic + "ref=x&t=9") == topic + "t=9");
  CHECK(learner.apply(topic + "t=9&utm_source=x") == topic + "t=9");
  // Different threads (t differs) teach that t matters, not that the noise does.
  CHECK(learner.apply(topic + "t=9") == topic + "t=9");
}

TEST_CASE("url params: a page first fetched under a variant is not fetched again under its plain URL") {
  ParamLearner learner({}, {});
  learner.observe(kListing + "50?view=grid", "fifty");  // before anything was learned
  CHECK_FALSE(learner.fetched_as_variant(kListing + "50"));
  for (int i = 1; i <= kObservationsToDrop; ++i) fetch_listing_and_variant(learner, i, "view=list");
  CHECK(learner.apply(kListing + "50?view=list") == kListing + "50");
  CHECK(learner.fetched_as_variant(kListing + "50"));
  CHECK_FALSE(learner.fetched_as_variant(kListing + "51"));
}

TEST_CASE("url params: a fetch observed twice (its own, then read back from the frontier) counts once") {
  ParamLearner once({}, {}), twice({}, {});
  for (int i = 1; i < kObservationsToDrop; ++i) {
    fetch_listing_and_variant(once, i, "ref=list");
    fetch_listing_and_variant(twice, i, "ref=list");
    fetch_listing_and_variant(twice, i, "ref=list");  // as other workers' fetches are read, with overlap
  }
  CHECK(once.apply(kListing + "9?ref=home") == kListing + "9?ref=home");
  CHECK(twice.apply(kListing + "9?ref=home") == kListing + "9?ref=home");  // still one short of a rule
  // The same URL with another page (it changed) is a new observation.
  twice.observe(kListing + "1?ref=list", "h1, changed");
  CHECK(twice.take_changed().at(0).differs == 1);
}

TEST_CASE("url params: another page under two URLs blames the one parameter that is not known noise") {
  ParamLearner learner({}, {});
  for (int i = 1; i <= kObservationsToDrop; ++i) fetch_listing_and_variant(learner, i, "sort=x");
  learner.observe(kListing + "9?page=1&sort=price", "reviews 1-20");
  learner.observe(kListing + "9?page=2", "reviews 21-40");
  auto rules = learner.rules();
  auto page = std::find_if(rules.begin(), rules.end(), [](const ParamRule& r) { return r.param == "page"; });
  REQUIRE(page != rules.end());
  CHECK(page->differs == 1);
}

TEST_CASE("url params: patterns are kept in the form the crawl stores URLs in, never in plaintext") {
  ParamLearner learner({}, {}, true, [](const std::string& pattern) {
    auto at = pattern.find('@');
    return at == std::string::npos ? pattern : pattern.substr(0, at - 2) + "***" + pattern.substr(at);
  });
  const std::string contact = "http://s.onion/contact/li.na@icloud.com";
  for (int i = 0; i < kObservationsToDrop; ++i) {
    learner.observe(contact + "?ref=" + std::to_string(i), "same");
    learner.observe(contact, "same");
  }
  CHECK(learner.apply(contact + "?ref=9") == contact);
  for (const auto& rule : learner.rules()) CHECK(rule.pattern.find("li.na@") == std::string::npos);
}
