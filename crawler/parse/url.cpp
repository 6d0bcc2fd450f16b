#include "crawler/parse/url.h"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <memory>
#include <utility>

#include "core/ascii.h"

namespace leakwatch::crawler {
namespace {

struct CurlUrlDeleter {
  void operator()(CURLU* handle) const noexcept { curl_url_cleanup(handle); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

struct CurlStringDeleter {
  void operator()(char* text) const noexcept { curl_free(text); }
};
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

constexpr std::array<std::string_view, 5> kSessionParams = {"sid", "phpsessid", "jsessionid", "sessionid",
                                                            "session_id"};
// Forum scripts where `s` is vBulletin's/phpBB's session hash rather than,
// say, a search term.
constexpr std::array<std::string_view, 9> kForumScripts = {
    "viewtopic.php", "viewforum.php",  "showthread.php", "forumdisplay.php", "index.php",
    "member.php",    "memberlist.php", "showpost.php",   "search.php"};

// Browsers strip surrounding C0/space and drop tabs/newlines anywhere; hrefs in
// scraped HTML routinely carry both.
std::string clean_input(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && static_cast<unsigned char>(text[begin]) <= 0x20) ++begin;
  while (end > begin && static_cast<unsigned char>(text[end - 1]) <= 0x20) --end;
  std::string out;
  out.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    if (text[i] != '\t' && text[i] != '\n' && text[i] != '\r') out.push_back(text[i]);
  }
  return out;
}

std::string curl_reason(CURLUcode code) {
  switch (code) {
    case CURLUE_UNSUPPORTED_SCHEME:
      return "unsupported scheme";
    case CURLUE_NO_HOST:
      return "no host";
    case CURLUE_BAD_PORT_NUMBER:
      return "bad port number";
    case CURLUE_MALFORMED_INPUT:
      return "malformed URL";
    default:
      return curl_url_strerror(code);
  }
}

// Returns the part, "" when absent, or the curl error.
tl::expected<std::string, std::string> get_part(CURLU* handle, CURLUPart part, unsigned flags) {
  char* raw = nullptr;
  CURLUcode code = curl_url_get(handle, part, &raw, flags);
  CurlString owned(raw);
  if (code == CURLUE_OK) return std::string(raw ? raw : "");
  if (code == CURLUE_NO_PORT || code == CURLUE_NO_QUERY || code == CURLUE_NO_FRAGMENT ||
      code == CURLUE_NO_USER || code == CURLUE_NO_PASSWORD || code == CURLUE_NO_OPTIONS ||
      code == CURLUE_NO_ZONEID) {
    return std::string();
  }
  return tl::make_unexpected(curl_reason(code));
}

bool is_session_param(std::string_view name, bool forum_script, const UrlOptions& options) {
  for (std::string_view known : kSessionParams) {
    if (ascii_iequals(name, known)) return true;
  }
  if (forum_script && name == "s") return true;
  for (const std::string& extra : options.extra_session_params) {
    if (ascii_iequals(name, extra)) return true;
  }
  return false;
}

std::string canonical_query(std::string_view query, std::string_view path, const UrlOptions& options) {
  std::string_view script = path.substr(path.rfind('/') + 1);
  bool forum_script = std::any_of(kForumScripts.begin(), kForumScripts.end(),
                                  [&](std::string_view s) { return ascii_iequals(script, s); });
  std::vector<std::pair<std::string_view, std::string_view>> params;  // (name, whole param)
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view param = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (param.empty()) continue;
    std::string_view name = param.substr(0, param.find('='));
    if (is_session_param(name, forum_script, options)) continue;
    params.emplace_back(name, param);
  }
  std::stable_sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, param] : params) {
    if (!out.empty()) out.push_back('&');
    out.append(param);
  }
  return out;
}

tl::expected<UrlParts, std::string> parts_of(CURLU* handle, const UrlOptions& options) {
  UrlParts parts;
  auto scheme = get_part(handle, CURLUPART_SCHEME, 0);
  if (!scheme) return tl::make_unexpected(scheme.error());
  parts.scheme = ascii_lowercase(*scheme);
  if (parts.scheme != "http" && parts.scheme != "https") {
    return tl::make_unexpected("unsupported scheme '" + parts.scheme + "'");
  }
  auto host = get_part(handle, CURLUPART_HOST, 0);
  if (!host) return tl::make_unexpected(host.error());
  if (host->empty()) return tl::make_unexpected(std::string("no host"));
  parts.host = ascii_lowercase(*host);
  // A trailing dot names the same host ("shop.onion." == "shop.onion").
  if (parts.host.size() > 1 && parts.host.back() == '.') parts.host.pop_back();
  auto port = get_part(handle, CURLUPART_PORT, CURLU_NO_DEFAULT_PORT);
  if (!port) return tl::make_unexpected(port.error());
  if (!port->empty()) parts.port = std::stoi(*port);
  auto path = get_part(handle, CURLUPART_PATH, 0);
  if (!path) return tl::make_unexpected(path.error());
  parts.path = path->empty() ? "/" : *path;
  auto query = get_part(handle, CURLUPART_QUERY, 0);
  if (!query) return tl::make_unexpected(query.error());
  parts.query = canonical_query(*query, parts.path, options);
  return parts;
}

std::string to_string(const UrlParts& parts) { return parts.url(); }

CurlUrl new_handle() {
  CurlUrl handle(curl_url());
  if (!handle) throw std::bad_alloc();
  return handle;
}

constexpr unsigned kSetFlags = CURLU_URLENCODE | CURLU_NON_SUPPORT_SCHEME;

tl::expected<UrlParts, std::string> parse_absolute(const std::string& url, const UrlOptions& options) {
  CurlUrl handle = new_handle();
  CURLUcode code = curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), kSetFlags);
  if (code != CURLUE_OK) return tl::make_unexpected(curl_reason(code));
  return parts_of(handle.get(), options);
}

}  // namespace

std::string UrlParts::authority() const { return port == 0 ? host : host + ":" + std::to_string(port); }

std::string UrlParts::url() const {
  std::string out = scheme + "://" + authority() + path;
  if (!query.empty()) out += "?" + query;
  return out;
}

tl::expected<UrlParts, std::string> parse_url(std::string_view url, const UrlOptions& options) {
  return parse_absolute(clean_input(url), options);
}

tl::expected<std::string, std::string> canonicalize_url(std::string_view url, const UrlOptions& options) {
  return parse_url(url, options).map(to_string);
}

tl::expected<std::string, std::string> resolve_url(std::string_view base, std::string_view href,
                                                   const UrlOptions& options) {
  std::string cleaned_base = clean_input(base);
  std::string cleaned_href = clean_input(href);
  // Check the base on its own so that a bad base is reported as such.
  auto base_parts = parse_absolute(cleaned_base, options);
  if (!base_parts) return tl::make_unexpected("bad base URL: " + base_parts.error());
  if (cleaned_href.empty() || cleaned_href.front() == '#') return to_string(*base_parts);

  CurlUrl handle = new_handle();
  CURLUcode code = curl_url_set(handle.get(), CURLUPART_URL, cleaned_base.c_str(), kSetFlags);
  if (code != CURLUE_OK) return tl::make_unexpected("bad base URL: " + curl_reason(code));
  // With a base in the handle, curl_url_set resolves a relative href (RFC 3986).
  code = curl_url_set(handle.get(), CURLUPART_URL, cleaned_href.c_str(), kSetFlags);
  if (code != CURLUE_OK) return tl::make_unexpected(curl_reason(code));
  return parts_of(handle.get(), options).map(to_string);
}

}  // namespace leakwatch::crawler
