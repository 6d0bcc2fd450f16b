// The spider: one fetched response in, what the crawl keeps out — the
// visible text as lines (one leaked record per line), the title and listing
// fields, the links, or the verdict that the page is a login wall. Pure: no
// database, no network, no state; any page can be parsed alone, on any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crawler/parse/html_document.h"
#include "crawler/parse/url.h"

namespace leakwatch::crawler {

struct ParseOptions {
  FieldSelectors selectors;  // where a listing's title, price and seller are
  UrlOptions url_options;    // how links are canonicalized
};

struct ParsedPage {
  // The page asks for a login (a password form on a page with little text,
  // or an expired session); nothing below is set.
  bool login_wall = false;
  std::string charset;        // what the body was decoded from
  std::string title;          // <title>
  std::string listing_title;  // the fields the selectors found
  std::string price;
  std::string seller;
  std::string text;                // visible text lines, valid UTF-8, no NUL, at most 16 MiB
  std::string content_hash;        // 32 raw bytes: SHA-256 of title + "\n" + text
  std::vector<std::string> links;  // canonical, in document order; not yet scoped
};

// Parses `body`, served as `content_type` (may be empty: sniffed) from
// `final_url` (the base of relative links). HTML (by type, or an "<html" in
// the first 512 bytes of an untyped body) is parsed with Gumbo; anything else
// is plain text, CR removed. Any bytes are accepted. Links are collected
// only when `want_links` (false at a source's max_depth).
ParsedPage parse_page(std::string_view body, std::string_view content_type, std::string_view final_url,
                      const ParseOptions& options, bool want_links = true);

// True when an HTML page asks for a login rather than showing content: a
// password field on a page with little text (a guest login box beside
// content does not count), or a "session expired" notice. `html_lower` is the body,
// lowercased; `text` the visible text.
bool looks_like_login_form(std::string_view html_lower, std::string_view text);

}  // namespace leakwatch::crawler
