#include "crawler/parse/nesting_limit.h"

#include "crawler/parse/html_document.h"

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <span>
#include <vector>

#include "core/ascii.h"

namespace leakwatch::crawler {
namespace {

using List = std::initializer_list<std::string_view>;
using Names = std::span<const std::string_view>;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool one_of(std::string_view name, Names names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}
bool one_of(std::string_view name, List names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The standard's lists (HTML, "tree construction"), lowercase.
constexpr std::string_view kVoid[] = {"area",  "base",  "basefont", "bgsound", "br",    "col",    "embed",
                                      "frame", "hr",    "image",    "img",     "input", "keygen", "link",
                                      "meta",  "param", "source",   "track",   "wbr"};
constexpr std::string_view kRawText[] = {"style",    "xmp",      "iframe", "noembed",
                                         "noframes", "textarea", "title"};
constexpr std::string_view kFormatting[] = {"a",    "b", "big",   "code",   "em",     "font", "i",
                                            "nobr", "s", "small", "strike", "strong", "tt",   "u"};
// Closing one of these clears the formatting elements opened inside it.
constexpr std::string_view kMarkers[] = {"td", "th", "caption", "applet", "marquee", "object", "template"};
// An end tag does not reach past these (the union of the standard's scopes,
// so the pass never closes what Gumbo keeps open).
constexpr std::string_view kScopeBoundaries[] = {"applet",
                                                 "caption",
                                                 "html",
                                                 "table",
                                                 "td",
                                                 "th",
                                                 "marquee",
                                                 "object",
                                                 "template",
                                                 "ol",
                                                 "ul",
                                                 "button",
                                                 "select",
                                                 "mi",
                                                 "mo",
                                                 "mn",
                                                 "ms",
                                                 "mtext",
                                                 "annotation-xml",
                                                 "foreignobject",
                                                 "desc",
                                                 "title"};
constexpr std::string_view kTableScope[] = {"html", "table", "template"};
constexpr std::string_view kTableParts[] = {"tbody", "thead",   "tfoot",    "tr",   "td",
                                            "th",    "caption", "colgroup", "table"};
constexpr std::string_view kIntegrationPoints[] = {
    "foreignobject", "desc", "title", "mi", "mo", "mn", "ms", "mtext", "annotation-xml"};
// Start tags that leave SVG/MathML content for HTML.
constexpr std::string_view kBreakout[] = {
    "b",      "big",    "blockquote", "body",  "br",    "center", "code", "dd",      "div",
    "dl",     "dt",     "em",         "embed", "font",  "h1",     "h2",   "h3",      "h4",
    "h5",     "h6",     "head",       "hr",    "i",     "img",    "li",   "listing", "menu",
    "meta",   "nobr",   "ol",         "p",     "pre",   "ruby",   "s",    "small",   "span",
    "strong", "strike", "sub",        "sup",   "table", "tt",     "u",    "ul",      "var"};
constexpr std::string_view kClosesP[] = {
    "address",  "article",    "aside",   "blockquote", "center", "details", "dialog", "dir",      "div", "dl",
    "fieldset", "figcaption", "figure",  "footer",     "header", "hgroup",  "main",   "menu",     "nav", "ol",
    "p",        "section",    "summary", "ul",         "h1",     "h2",      "h3",     "h4",       "h5",  "h6",
    "pre",      "listing",    "form",    "li",         "dd",     "dt",      "xmp",    "plaintext"};

// Tags × depth that a page may cost Gumbo (about 0.3 s); the bound never
// drops below kMinDepth for it.
constexpr size_t kDepthBudget = 20'000'000;
constexpr size_t kMinDepth = 64;
// Open formatting elements (<b>, <font>, ...): Gumbo reopens every one of them
// at each new paragraph, so their number multiplies the cost of the rest.
constexpr size_t kMaxFormatting = 16;

struct Entry {
  std::string name;
  bool formatting = false;  // reopened by Gumbo after an end tag closes its parent
  bool foreign = false;     // SVG or MathML
};

class Limiter {
 public:
  Limiter(std::string_view in, size_t max_depth) : in_(in) {
    // Gumbo's work is about tags × depth: a page of many tags gets a lower
    // bound, so that its cost stays near kDepthBudget steps.
    size_t tags = static_cast<size_t>(std::count(in.begin(), in.end(), '<'));
    max_depth_ = std::clamp<size_t>(kDepthBudget / std::max<size_t>(tags, 1), kMinDepth,
                                    std::max<size_t>(max_depth, kMinDepth));
    if (max_depth < kMinDepth) max_depth_ = std::max<size_t>(max_depth, 1);
  }

  NestingLimited run() {
    const size_t n = in_.size();
    while (pos_ < n) {
      size_t lt = in_.find('<', pos_);
      if (lt == std::string_view::npos || lt + 1 >= n) break;
      char c = in_[lt + 1];
      if (c == '!') {
        pos_ = in_.compare(lt, 4, "<!--") == 0 ? comment_end(lt + 4) : after_gt(lt + 2);
      } else if (c == '?') {
        pos_ = after_gt(lt + 2);
      } else if (c == '/') {
        if (lt + 2 < n && is_alpha(in_[lt + 2])) {
          end_tag(lt);
        } else {
          pos_ = after_gt(lt + 2);  // "</>" is dropped, "</3" is a bogus comment: both end at '>'
        }
      } else if (is_alpha(c)) {
        start_tag(lt);
      } else {
        pos_ = lt + 1;
      }
    }
    NestingLimited result;
    result.flattened = flattened_;
    if (flattened_ == 0) {
      result.html = std::string(in_);
    } else {
      out_.append(in_.substr(copied_));
      result.html = std::move(out_);
    }
    return result;
  }

 private:
  size_t after_gt(size_t p) const {
    size_t gt = in_.find('>', p);
    return gt == std::string_view::npos ? in_.size() : gt + 1;
  }

  // `p` is just past "<!--". The earliest end the standard allows, so that
  // no tag Gumbo sees is taken for comment text.
  size_t comment_end(size_t p) const {
    if (in_.compare(p, 1, ">") == 0) return p + 1;
    if (in_.compare(p, 2, "->") == 0) return p + 2;
    size_t a = in_.find("-->", p), b = in_.find("--!>", p);
    if (a == std::string_view::npos && b == std::string_view::npos) return in_.size();
    return a <= b ? a + 3 : b + 4;
  }

  // The lowercase tag name starting at `p`; `p` moves past it.
  std::string tag_name(size_t& p) const {
    std::string name;
    while (p < in_.size() && !is_space(in_[p]) && in_[p] != '/' && in_[p] != '>')
      name += ascii_lower(in_[p++]);
    return name;
  }

  // From just after a tag's name through its attributes to just past its
  // '>'; npos when the input ends first (Gumbo then drops the tag).
  size_t tag_end(size_t p, bool& self_closing) const {
    enum {
      kBeforeName,
      kName,
      kAfterName,
      kBeforeValue,
      kQuoted,
      kUnquoted,
      kAfterQuoted
    } state = kBeforeName;
    char quote = 0;
    self_closing = false;
    for (; p < in_.size(); ++p) {
      char c = in_[p];
      if (state == kQuoted) {
        if (c == quote) state = kAfterQuoted;
        continue;
      }
      if (c == '>' && state != kQuoted) return p + 1;
      if (c == '/' && state != kUnquoted && state != kBeforeValue) {
        if (p + 1 < in_.size() && in_[p + 1] == '>') {
          self_closing = true;
          return p + 2;
        }
        state = kBeforeName;
        continue;
      }
      switch (state) {
        case kBeforeName:
          if (!is_space(c)) state = kName;
          break;
        case kName:
          if (is_space(c)) state = kAfterName;
          if (c == '=') state = kBeforeValue;
          break;
        case kAfterName:
          if (c == '=')
            state = kBeforeValue;
          else if (!is_space(c))
            state = kName;
          break;
        case kBeforeValue:
          if (c == '"' || c == '\'') {
            quote = c;
            state = kQuoted;
          } else if (!is_space(c)) {
            state = kUnquoted;
          }
          break;
        case kUnquoted:
          if (is_space(c)) state = kBeforeName;
          break;
        case kAfterQuoted:
          state = is_space(c) ? kBeforeName : kName;
          break;
        case kQuoted:
          break;
      }
    }
    return std::string_view::npos;
  }

  // SVG or MathML content, where start tags nest as XML (no raw text, "/>" closes).
  bool in_foreign() const {
    return !stack_.empty() && stack_.back().foreign && !one_of(stack_.back().name, kIntegrationPoints);
  }

  bool open(List names) const {
    return std::any_of(stack_.begin(), stack_.end(),
                       [&](const Entry& e) { return !e.foreign && one_of(e.name, names); });
  }

  // Index of the innermost `name` an end tag reaches, past no boundary; npos if none.
  size_t find_in_scope(std::string_view name, Names boundaries) const {
    for (size_t i = stack_.size(); i > 0; --i) {
      const Entry& e = stack_[i - 1];
      if (e.name == name) return i - 1;
      if (one_of(e.name, boundaries)) return std::string_view::npos;
    }
    return std::string_view::npos;
  }

  size_t innermost_not_formatting() const {
    for (size_t i = stack_.size(); i > 0; --i) {
      if (!stack_[i - 1].formatting) return i - 1;
    }
    return std::string_view::npos;
  }

  // Closes stack_[i] and everything inside it. Formatting elements inside
  // stay counted (Gumbo reopens them at the next text), except those inside
  // a marker such as <td>, which Gumbo forgets.
  void close_through(size_t i) {
    size_t marker = stack_.size();
    for (size_t j = i; j < stack_.size(); ++j) {
      if (!stack_[j].foreign && one_of(stack_[j].name, kMarkers)) {
        marker = j;
        break;
      }
    }
    std::vector<Entry> kept;
    for (size_t j = i + 1; j < marker; ++j) {
      if (stack_[j].formatting) kept.push_back(std::move(stack_[j]));
    }
    stack_.resize(i);
    for (auto& e : kept) stack_.push_back(std::move(e));
  }

  void close_innermost_if(List names) {
    size_t i = innermost_not_formatting();
    if (i != std::string_view::npos && !stack_[i].foreign && one_of(stack_[i].name, names)) close_through(i);
  }

  // What Gumbo surely closes before it inserts `name` (HTML content only).
  void close_implied(const std::string& name) {
    if (one_of(name, kClosesP)) close_innermost_if({"p"});
    if (name == "li") close_innermost_if({"li"});
    if (name == "dd" || name == "dt") close_innermost_if({"dd", "dt"});
    if (name == "option" || name == "optgroup") {
      if (!stack_.empty() && stack_.back().name == "option") stack_.pop_back();
      if (name == "optgroup" && !stack_.empty() && stack_.back().name == "optgroup") stack_.pop_back();
    }
    if (one_of(name, {"td", "th", "tr", "tbody", "thead", "tfoot"})) {
      for (size_t i = stack_.size(); i > 0; --i) {
        const Entry& e = stack_[i - 1];
        if (e.foreign || one_of(e.name, kTableScope)) break;
        if (e.name == "td" || e.name == "th") {
          close_through(i - 1);
          break;
        }
      }
      if (name != "td" && name != "th") close_innermost_if({"tr"});
      if (one_of(name, {"tbody", "thead", "tfoot"})) close_innermost_if({"tbody", "thead", "tfoot"});
    }
    if (name == "table") {  // a table directly in a table (not in a cell) closes it
      for (size_t i = stack_.size(); i > 0; --i) {
        const std::string& inner = stack_[i - 1].name;
        if (inner == "table") {
          close_through(i - 1);
          break;
        }
        if (!one_of(inner, {"tbody", "thead", "tfoot", "tr"})) break;
      }
    }
    if (one_of(name, {"select", "input", "keygen", "textarea"})) {
      size_t i = find_in_scope("select", kScopeBoundaries);
      if (i != std::string_view::npos) close_through(i);
    }
  }

  // Skips raw text from `p` to just past its end tag "</name".
  size_t raw_text_end(size_t p, std::string_view name) const {
    for (size_t lt = in_.find("</", p); lt != std::string_view::npos; lt = in_.find("</", lt + 2)) {
      if (ends_element(lt, name)) return past_end_tag(lt + 2 + name.size());
    }
    return in_.size();
  }

  // "</name" at `lt`, followed by white space, '/' or '>'.
  bool ends_element(size_t lt, std::string_view name) const {
    if (lt + 2 + name.size() >= in_.size() || in_[lt] != '<' || in_[lt + 1] != '/') return false;
    for (size_t k = 0; k < name.size(); ++k) {
      if (ascii_lower(in_[lt + 2 + k]) != name[k]) return false;
    }
    char after = in_[lt + 2 + name.size()];
    return is_space(after) || after == '/' || after == '>';
  }

  // From just past an end tag's name to just past its '>'.
  size_t past_end_tag(size_t p) const {
    bool self_closing = false;
    size_t end = tag_end(p, self_closing);
    return end == std::string_view::npos ? in_.size() : end;
  }

  // Script data ends at "</script" except inside "<!--<script>...</script>"
  // (the standard's double-escaped state), where Gumbo reads on.
  size_t script_end(size_t p) const {
    bool escaped = false, double_escaped = false;
    for (; p < in_.size(); ++p) {
      if (in_[p] == '<') {
        if (!escaped && in_.compare(p, 4, "<!--") == 0) {
          escaped = true;
          ++p;  // "<!-->" and "<!--->" end the escape at once
        } else if (ends_element(p, "script")) {
          if (!double_escaped) return past_end_tag(p + 8);
          double_escaped = false;
        } else if (escaped && !double_escaped && p + 7 < in_.size() && in_[p + 1] != '/') {
          std::string word;
          for (size_t k = p + 1; k < p + 7; ++k) word += ascii_lower(in_[k]);
          char after = in_[p + 7];
          if (word == "script" && (is_space(after) || after == '/' || after == '>')) double_escaped = true;
        }
      } else if (escaped && in_.compare(p, 3, "-->") == 0) {
        escaped = double_escaped = false;
        p += 2;
      }
    }
    return in_.size();
  }

  // Writes `with` in place of in_[from, to).
  void replace(size_t from, size_t to, std::string_view with) {
    if (with == "<br>" && from == copied_ && out_.ends_with("<br>")) with = {};  // one break is enough
    out_.append(in_.substr(copied_, from - copied_));
    out_.append(with);
    copied_ = to;
  }

  // A start tag past the bound at in_[lt, end): what the text needs of it.
  void write_flat(size_t lt, size_t end, const std::string& name) {
    ++flattened_;
    dropped_.push_back(name);
    if (name == "a" || name == "area") {
      replace(lt, end, std::string(in_.substr(lt, end - lt)) + "</" + name + ">");  // the link stays
    } else if (name == "td" || name == "th") {
      replace(lt, end, " | ");
    } else {
      replace(lt, end, breaks_line(name) ? "<br>" : "");
    }
  }

  void start_tag(size_t lt) {
    size_t p = lt + 1;
    std::string name = tag_name(p);
    bool self_closing = false;
    size_t end = tag_end(p, self_closing);
    if (end == std::string_view::npos) {
      pos_ = in_.size();
      return;
    }
    pos_ = end;
    bool foreign = in_foreign() && !one_of(name, kBreakout);
    bool past_bound = stack_.size() >= max_depth_;
    if (!foreign && !past_bound) close_implied(name);
    if (one_of(name, {"html", "head", "body"}) || one_of(name, kVoid) || (foreign && self_closing)) return;
    if (!foreign) {
      if (name == "script") {
        pos_ = script_end(end);
        return;
      }
      bool raw = one_of(name, kRawText) || name == "plaintext";
      if (raw && !open({"select"})) {
        pos_ = name == "plaintext" ? in_.size() : raw_text_end(end, name);
        return;
      }
      // Outside a table or template, Gumbo drops table parts.
      if (!past_bound && name != "table" && one_of(name, kTableParts) && !open({"table", "template"})) return;
    }
    bool formatting = !foreign && one_of(name, kFormatting);
    if (past_bound || (formatting && formatting_open_ >= kMaxFormatting)) {
      write_flat(lt, end, name);
      return;
    }
    if (formatting) ++formatting_open_;
    Entry entry;
    entry.foreign = foreign || name == "svg" || name == "math";
    entry.formatting = formatting;
    entry.name = std::move(name);
    stack_.push_back(std::move(entry));
  }

  void end_tag(size_t lt) {
    size_t p = lt + 2;
    std::string name = tag_name(p);
    bool self_closing = false;
    size_t end = tag_end(p, self_closing);
    pos_ = end == std::string_view::npos ? in_.size() : end;
    if (end == std::string_view::npos) return;
    if (!dropped_.empty() && dropped_.back() == name) {  // ends an element written flat
      dropped_.pop_back();
      replace(lt, end, breaks_line(name) ? "<br>" : "");
      return;
    }
    bool table_part = one_of(name, kTableParts);
    size_t i = find_in_scope(name, table_part ? Names(kTableScope) : Names(kScopeBoundaries));
    if (i == std::string_view::npos) return;
    if (stack_[i].formatting) {
      stack_.erase(stack_.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      close_through(i);
    }
    formatting_open_ = static_cast<size_t>(
        std::count_if(stack_.begin(), stack_.end(), [](const Entry& e) { return e.formatting; }));
  }

  std::string_view in_;
  size_t max_depth_;
  size_t pos_ = 0;
  size_t copied_ = 0;  // in_[0, copied_) is in out_
  std::string out_;
  size_t flattened_ = 0;
  std::vector<Entry> stack_;
  size_t formatting_open_ = 0;        // formatting entries in stack_
  std::vector<std::string> dropped_;  // elements written flat and not yet ended
};

}  // namespace

NestingLimited limit_nesting(std::string_view html, size_t max_depth) {
  return Limiter(html, max_depth).run();
}

}  // namespace leakwatch::crawler
