// The depth bound in front of Gumbo. Gumbo checks "is X in scope" by walking
// the stack of open elements for each tag, so a page of 100,000 nested <div>
// costs O(n²): 18 s for 1.1 MB. Browsers bound the tree instead (Blink,
// HTMLConstructionSite: kMaximumHTMLParserDOMTreeDepth = 512); Gumbo 0.10 has
// no such option, so this pass rewrites the input before Gumbo sees it. A
// start tag that would open an element past the bound is written flat: a
// block element becomes <br> (and so does its end tag), a cell " | ", a link
// an empty <a href=...></a>, anything else nothing; its text stays. So a
// page that hits the bound still yields its text lines and its links.
//
// The bound is kMaxHtmlDepth for ordinary pages and lower for pages of very
// many tags (Gumbo's work is tags × depth; never below 64), and at most 16
// formatting elements (<b>, <font>, ...) stay open, since Gumbo reopens all
// of them at each paragraph. Together they keep any page near 0.3 s.
//
// The pass tokenizes as the HTML standard does where it matters for the count
// (comments, raw text of script/style/textarea/title/..., quoted attribute
// values, void elements) and models the tree builder only conservatively: it
// closes an element only where Gumbo surely closes it (end tags within scope,
// <li> after <li>, cells and rows), so its count is at least Gumbo's depth up
// to small constant factors (implied <tbody>). Pages within the bound pass
// through byte for byte.
//
// Pure and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace leakwatch::crawler {

// Blink's bound.
inline constexpr size_t kMaxHtmlDepth = 512;

struct NestingLimited {
  std::string html;      // the input, with the elements past the bound written flat
  size_t flattened = 0;  // start tags written flat; 0: `html` is the input
};

// Rewrites `html` (any bytes; UTF-8 expected, not required) so that no element
// opens deeper than `max_depth` (or the lower bound a page of many tags gets).
// Linear in the input's size.
NestingLimited limit_nesting(std::string_view html, size_t max_depth = kMaxHtmlDepth);

}  // namespace leakwatch::crawler
