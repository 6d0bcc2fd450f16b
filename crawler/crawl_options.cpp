#include "crawler/crawl_options.h"

#include "crawler/crawl.h"

namespace leakwatch::crawler {

FetchProfile fetch_profile(const SourceOptions& source, const CrawlDefaults& defaults) {
  FetchProfile profile;
  profile.proxy = source.proxy;
  profile.cookies = source.cookies;
  profile.cookie_file = source.cookie_file;
  profile.headers = source.headers;
  profile.user_agent = source.user_agent.empty() ? defaults.user_agent : source.user_agent;
  profile.allow_private = source.allow_private;
  profile.rate = source.rate;
  profile.auto_rate = source.auto_rate;
  profile.max_rate = source.max_rate;
  profile.is_login_url = [](std::string_view url) { return is_login_url(url); };
  return profile;
}

}  // namespace leakwatch::crawler
