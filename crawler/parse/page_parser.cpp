#include "crawler/parse/page_parser.h"

#include <openssl/evp.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>

#include "core/ascii.h"
#include "core/checked_regex.h"
#include "core/utf8.h"
#include "crawler/parse/charset.h"

namespace leakwatch::crawler {
namespace {

// Extraction reads at most this much of one page.
constexpr size_t kMaxTextBytes = 16 * 1024 * 1024;

std::string sha256(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

// PostgreSQL text cannot hold NUL.
std::string without_nul(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '\0'), s.end());
  return s;
}

std::string mime_of(std::string_view content_type) {
  std::string m = ascii_lowercase(content_type.substr(0, content_type.find(';')));
  while (!m.empty() && m.back() == ' ') m.pop_back();
  while (!m.empty() && m.front() == ' ') m.erase(m.begin());
  return m;
}

}  // namespace

ParsedPage parse_page(std::string_view body, std::string_view content_type, std::string_view final_url,
                      const ParseOptions& options, bool want_links) {
  ParsedPage page;
  std::string mime = mime_of(content_type);
  DecodedText decoded = decode_to_utf8(body, content_type);
  page.charset = decoded.charset;

  bool is_html =
      mime == "text/html" || mime == "application/xhtml+xml" ||
      (mime.empty() &&
       ascii_lowercase(std::string_view(decoded.utf8).substr(0, 512)).find("<html") != std::string::npos);
  if (is_html) {
    HtmlDocument doc(decoded.utf8, std::string(final_url));
    std::string text = doc.text();
    if (looks_like_login_form(ascii_lowercase(decoded.utf8), text)) {
      page.login_wall = true;
      return page;
    }
    page.title = without_nul(doc.title());
    ListingFields fields = doc.fields(options.selectors);
    page.listing_title = without_nul(fields.title);
    page.price = without_nul(fields.price);
    page.seller = without_nul(fields.seller);
    page.text = without_nul(std::move(text));
    if (want_links) page.links = doc.links(options.url_options);
  } else {
    page.text = std::move(decoded.utf8);
    page.text.erase(std::remove(page.text.begin(), page.text.end(), '\r'), page.text.end());
    page.text = without_nul(std::move(page.text));
  }
  if (page.text.size() > kMaxTextBytes) page.text.resize(kMaxTextBytes);
  if (!leakwatch::is_valid_utf8(page.text)) page.text = convert_to_utf8(page.text, "UTF-8")->utf8;

  // The hash covers what extraction sees, not the bytes: forums put a fresh
  // session id in every link, which must not make each visit a new page.
  page.content_hash = sha256(page.title + "\n" + page.text);
  return page;
}

bool looks_like_login_form(std::string_view html_lower, std::string_view text) {
  // Forums show a small login box on every page to guests: a password field
  // walls the page only when there is little else on it.
  constexpr size_t kLoginPageText = 1500;
  static const CheckedRegex<RE2> kPassword("password field", R"(<input[^>]*type\s*=\s*["']?password)");
  if (text.size() < kLoginPageText && RE2::PartialMatch(html_lower, *kPassword)) return true;
  std::string t = ascii_lowercase(text.substr(0, 4096));
  return t.find("session expired") != std::string::npos || t.find("session has expired") != std::string::npos;
}

}  // namespace leakwatch::crawler
