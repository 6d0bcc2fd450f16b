// A parsed HTML page (Gumbo): its links, title, visible text as lines, and
// listing fields picked by simple selectors. The text keeps the page's block
// structure so that extraction sees one leaked record per line.
//
// Thread-compatible: a document is immutable after construction, so const
// calls may run concurrently; documents are independent of each other.
// Move-only; owns a copy of the input and the GumboOutput made from it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "crawler/parse/url.h"

struct GumboInternalOutput;
struct GumboInternalNode;

namespace leakwatch::crawler {

// A CSS selector of the simplest kind: `tag`, `.class`, `#id`, or a
// compound of them such as `span.price`, `div#main.box` (every part must
// match). No combinators, attributes or pseudo-classes.
class Selector {
 public:
  // Returns the selector, or a reason naming the bad input.
  static tl::expected<Selector, std::string> parse(std::string_view text);

  const std::string& text() const { return text_; }

 private:
  friend class HtmlDocument;
  bool matches(const GumboInternalNode& element) const;

  std::string text_;
  std::string tag_;  // lowercase, empty: any
  std::string id_;
  std::vector<std::string> classes_;
};

// Per-source selectors for listing fields; an absent selector is not used.
struct FieldSelectors {
  std::optional<Selector> title;
  std::optional<Selector> price;
  std::optional<Selector> seller;
};

struct ListingFields {
  std::string title;   // the title selector's text, else the page <title>
  std::string price;   // "" when no selector or no match
  std::string seller;  // "" when no selector or no match
};

// True when an element of this (lowercase) tag name starts and ends a line of
// text_lines() (p, div, li, tr, h1, br, ...).
bool breaks_line(std::string_view tag_name);

class HtmlDocument {
 public:
  // Parses `html`, which must be UTF-8 (see crawler/parse/charset.h; Gumbo replaces
  // invalid sequences, never fails). Elements nested deeper than
  // kMaxHtmlDepth are flattened first (crawler/parse/nesting_limit.h), so no
  // page costs more than about a second, whatever its nesting. `page_url` is the absolute URL the page
  // was fetched from, used to resolve links. Malformed HTML is parsed the way
  // browsers do; nothing here throws on hostile input except std::bad_alloc.
  HtmlDocument(std::string_view html, std::string page_url);
  ~HtmlDocument();
  HtmlDocument(HtmlDocument&&) noexcept;
  HtmlDocument& operator=(HtmlDocument&&) noexcept;
  HtmlDocument(const HtmlDocument&) = delete;
  HtmlDocument& operator=(const HtmlDocument&) = delete;

  const std::string& page_url() const { return page_url_; }

  // The first <base href>, resolved against the page URL; else the page URL.
  const std::string& base_url() const { return base_url_; }

  // How deep the deepest element sits (<html> is 1).
  size_t max_depth() const;

  // The <title>'s text, whitespace collapsed; "" when there is none.
  std::string title() const;

  // Targets of a[href], area[href], link[rel~=next][href] and
  // frame/iframe[src], resolved against base_url() and canonicalized with
  // `options` (see crawler/parse/url.h). Links that do not resolve to an http(s)
  // URL (mailto:, javascript:, garbage) are skipped. Each URL appears once,
  // in document order.
  std::vector<std::string> links(const UrlOptions& options = {}) const;

  // The visible text of <body> as lines: each block element (p, div, li,
  // h1-h6, table row, ...) and each <br>-separated segment is its own line;
  // the cells of a table row stay on one line joined by " | "; inside <pre>
  // every source line is its own line. Whitespace is collapsed, blank lines
  // are dropped. script, style, noscript, template and elements with the
  // `hidden` attribute are left out.
  std::vector<std::string> text_lines() const;

  // text_lines() joined with '\n' (no trailing newline).
  std::string text() const;

  // The text of the first element matching `selector`, in document order,
  // as one line (its lines joined by a space); nullopt when none matches.
  std::optional<std::string> select_text(const Selector& selector) const;

  // Listing fields by `selectors`; the title falls back to title().
  ListingFields fields(const FieldSelectors& selectors) const;

 private:
  struct OutputDeleter {
    void operator()(GumboInternalOutput* output) const noexcept;
  };

  // Gumbo's nodes point into the input buffer, so it lives on the heap and
  // keeps its address when the document moves.
  std::unique_ptr<const std::string> html_;
  std::unique_ptr<GumboInternalOutput, OutputDeleter> output_;
  std::string page_url_;
  std::string base_url_;
};

}  // namespace leakwatch::crawler
