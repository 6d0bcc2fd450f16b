#include <re2/re2.h>

#include "core/checked_regex.h"
#include "crawler/crawl.h"

namespace leakwatch::crawler {
namespace {

// Login pages are not content, and logout links end the session the cookies
// carry: neither is crawled.
constexpr const char* kLoginUrlPattern =
    R"((?i)^[a-z]+://[^/]+/(?:(?:[^?#]*[/_.-])?(?:log-?in|sign-?in|sign_in|log_in|logon)(?:[/_.?#-]|$))"
    R"(|[^?#]*\?(?:[^#]*&)?[a-z_]+=(?:log-?in|sign-?in)(?:[&#]|$)))";
constexpr const char* kLogoutUrlPattern =
    R"((?i)^[a-z]+://[^/]+/(?:(?:[^?#]*[/_.-])?(?:log-?out|sign-?out|log_out|sign_out|logoff)(?:[/_.?#-]|$))"
    R"(|[^?#]*\?(?:[^#]*&)?[a-z_]+=(?:log-?out|sign-?out|logoff)(?:[&#]|$)))";

}  // namespace

bool is_login_url(std::string_view url) {
  static const CheckedRegex<RE2> kLogin("login URL", kLoginUrlPattern);
  return RE2::PartialMatch(url, *kLogin);
}

bool is_logout_url(std::string_view url) {
  static const CheckedRegex<RE2> kLogout("logout URL", kLogoutUrlPattern);
  return RE2::PartialMatch(url, *kLogout);
}

}  // namespace leakwatch::crawler
