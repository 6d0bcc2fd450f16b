#include "crawler/parse/html_document.h"

#include <gumbo.h>

#include <algorithm>
#include <cstring>
#include <unordered_set>
#include <utility>

#include "core/ascii.h"
#include "crawler/parse/nesting_limit.h"

namespace leakwatch::crawler {
namespace {

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

const char* attribute(const GumboElement& element, const char* name) {
  const GumboAttribute* attr = gumbo_get_attribute(&element.attributes, name);
  return attr ? attr->value : nullptr;
}

bool has_token(std::string_view list, std::string_view token) {
  size_t pos = 0;
  while (pos < list.size()) {
    while (pos < list.size() && is_ascii_space(list[pos])) ++pos;
    size_t end = pos;
    while (end < list.size() && !is_ascii_space(list[end])) ++end;
    if (end > pos && ascii_iequals(list.substr(pos, end - pos), token)) return true;
    pos = end;
  }
  return false;
}

bool is_element(const GumboNode* node) {
  return node->type == GUMBO_NODE_ELEMENT || node->type == GUMBO_NODE_TEMPLATE;
}

// Calls visit(element) for every element in document order. Iterative: a
// hostile page can nest a hundred thousand <div>s.
template <typename Visit>
void for_each_element(const GumboNode* root, Visit&& visit) {
  std::vector<const GumboNode*> stack{root};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (!is_element(node) && node->type != GUMBO_NODE_DOCUMENT) continue;
    if (is_element(node) && !visit(node)) return;
    const GumboVector& children =
        node->type == GUMBO_NODE_DOCUMENT ? node->v.document.children : node->v.element.children;
    for (unsigned i = children.length; i > 0; --i)
      stack.push_back(static_cast<const GumboNode*>(children.data[i - 1]));
  }
}

bool is_block(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_DIR:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_HGROUP:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_HTML:
    case GUMBO_TAG_LEGEND:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_MENU:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_OPTION:
    case GUMBO_TAG_P:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TBODY:
    case GUMBO_TAG_TFOOT:
    case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_XMP:
    case GUMBO_TAG_LISTING:
    case GUMBO_TAG_PLAINTEXT:
    case GUMBO_TAG_TEXTAREA:
      return true;
    default:
      return false;
  }
}

bool is_invisible(const GumboNode* node) {
  if (node->type == GUMBO_NODE_TEMPLATE) return true;
  switch (node->v.element.tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TITLE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_NOFRAMES:
    case GUMBO_TAG_NOEMBED:
      return true;
    default:
      return attribute(node->v.element, "hidden") != nullptr;
  }
}

bool preserves_whitespace(GumboTag tag) {
  return tag == GUMBO_TAG_PRE || tag == GUMBO_TAG_TEXTAREA || tag == GUMBO_TAG_LISTING ||
         tag == GUMBO_TAG_PLAINTEXT || tag == GUMBO_TAG_XMP;
}

// Accumulates visible text into lines.
class LineBuilder {
 public:
  void add_text(std::string_view text) {
    for (size_t i = 0; i < text.size(); ++i) {
      char c = text[i];
      // U+00A0 NO-BREAK SPACE separates words like a space.
      if (c == '\xC2' && i + 1 < text.size() && text[i + 1] == '\xA0') {
        ++i;
        c = ' ';
      }
      if (is_ascii_space(c)) {
        pending_space_ = !current_.empty();
        continue;
      }
      if (pending_space_) current_.push_back(' ');
      pending_space_ = false;
      current_.push_back(c);
    }
  }

  void add_preformatted(std::string_view text) {
    size_t pos = 0;
    while (true) {
      size_t newline = text.find('\n', pos);
      add_text(text.substr(pos, newline == std::string_view::npos ? std::string_view::npos : newline - pos));
      if (newline == std::string_view::npos) break;
      break_line();
      pos = newline + 1;
    }
  }

  void add_separator(std::string_view separator) {
    current_.append(separator);
    pending_space_ = false;
  }

  void break_line() {
    size_t end = current_.size();
    while (end > 0 && is_ascii_space(current_[end - 1])) --end;
    current_.resize(end);
    if (!current_.empty()) lines_.push_back(std::move(current_));
    current_.clear();
    pending_space_ = false;
  }

  std::vector<std::string> finish() {
    break_line();
    return std::move(lines_);
  }

 private:
  std::vector<std::string> lines_;
  std::string current_;
  bool pending_space_ = false;
};

constexpr std::string_view kCellSeparator = " | ";

std::vector<std::string> visible_lines(const GumboNode* root) {
  LineBuilder builder;
  struct Frame {
    const GumboNode* node;
    bool exiting;
  };
  std::vector<Frame> stack{{root, false}};
  std::vector<int> row_cells;  // cells seen so far in each open <tr>
  int preformatted = 0;
  while (!stack.empty()) {
    Frame frame = stack.back();
    stack.pop_back();
    const GumboNode* node = frame.node;
    switch (node->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE:
        if (preformatted > 0) {
          builder.add_preformatted(node->v.text.text);
        } else {
          builder.add_text(node->v.text.text);
        }
        continue;
      case GUMBO_NODE_COMMENT:
        continue;
      case GUMBO_NODE_DOCUMENT:
        for (unsigned i = node->v.document.children.length; i > 0; --i) {
          stack.push_back({static_cast<const GumboNode*>(node->v.document.children.data[i - 1]), false});
        }
        continue;
      case GUMBO_NODE_ELEMENT:
      case GUMBO_NODE_TEMPLATE:
        break;
    }
    const GumboTag tag = node->v.element.tag;
    if (frame.exiting) {
      if (tag == GUMBO_TAG_TR && !row_cells.empty()) row_cells.pop_back();
      if (preserves_whitespace(tag)) --preformatted;
      if (is_block(tag)) builder.break_line();
      continue;
    }
    if (is_invisible(node) && node != root) continue;
    if (tag == GUMBO_TAG_BR) {
      builder.break_line();
      continue;
    }
    if (is_block(tag)) builder.break_line();
    if (tag == GUMBO_TAG_TR) row_cells.push_back(0);
    if ((tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH) && !row_cells.empty()) {
      if (row_cells.back()++ > 0) builder.add_separator(kCellSeparator);
    } else if (tag == GUMBO_TAG_TD || tag == GUMBO_TAG_TH || tag == GUMBO_TAG_IMG || tag == GUMBO_TAG_INPUT) {
      builder.add_text(" ");
    }
    if (preserves_whitespace(tag)) ++preformatted;
    stack.push_back({node, true});
    const GumboVector& children = node->v.element.children;
    for (unsigned i = children.length; i > 0; --i) {
      stack.push_back({static_cast<const GumboNode*>(children.data[i - 1]), false});
    }
  }
  return builder.finish();
}

std::string join(const std::vector<std::string>& lines, std::string_view separator) {
  std::string out;
  for (const std::string& line : lines) {
    if (!out.empty()) out.append(separator);
    out.append(line);
  }
  return out;
}

const GumboNode* first_element(const GumboNode* root, GumboTag tag) {
  const GumboNode* found = nullptr;
  for_each_element(root, [&](const GumboNode* node) {
    if (node->v.element.tag != tag) return true;
    found = node;
    return false;
  });
  return found;
}

bool valid_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// The element's tag name, lowercase, also for tags Gumbo does not know.
std::string tag_name(const GumboElement& element) {
  if (element.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(element.tag);
  GumboStringPiece piece = element.original_tag;
  gumbo_tag_from_original_text(&piece);
  std::string name(piece.data ? piece.data : "", piece.data ? piece.length : 0);
  std::transform(name.begin(), name.end(), name.begin(), ascii_lower);
  return name;
}

}  // namespace

bool breaks_line(std::string_view tag_name) {
  std::string name(tag_name);
  GumboTag tag = gumbo_tag_enum(name.c_str());
  return tag == GUMBO_TAG_BR || is_block(tag);
}

// ---- Selector

tl::expected<Selector, std::string> Selector::parse(std::string_view text) {
  Selector selector;
  selector.text_ = std::string(text);
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && is_ascii_space(text[begin])) ++begin;
  while (end > begin && is_ascii_space(text[end - 1])) --end;
  std::string_view body = text.substr(begin, end - begin);
  if (body.empty()) return tl::make_unexpected(std::string("empty selector"));
  auto bad = [&](std::string_view why) {
    return tl::make_unexpected("selector '" + std::string(text) + "': " + std::string(why) +
                               " (supported: tag, .class, #id, tag.class, tag#id)");
  };
  size_t pos = 0;
  while (pos < body.size() && valid_name_char(body[pos])) ++pos;
  selector.tag_ = std::string(body.substr(0, pos));
  std::transform(selector.tag_.begin(), selector.tag_.end(), selector.tag_.begin(), ascii_lower);
  while (pos < body.size()) {
    char kind = body[pos++];
    if (kind != '.' && kind != '#') return bad("unexpected character");
    size_t start = pos;
    while (pos < body.size() && valid_name_char(body[pos])) ++pos;
    if (pos == start) return bad("empty class or id");
    std::string name(body.substr(start, pos - start));
    if (kind == '.') {
      selector.classes_.push_back(std::move(name));
    } else if (selector.id_.empty()) {
      selector.id_ = std::move(name);
    } else {
      return bad("two ids");
    }
  }
  return selector;
}

bool Selector::matches(const GumboInternalNode& node) const {
  if (node.type != GUMBO_NODE_ELEMENT) return false;
  const GumboElement& element = node.v.element;
  if (!tag_.empty() && tag_name(element) != tag_) return false;
  if (!id_.empty()) {
    const char* id = attribute(element, "id");
    if (id == nullptr || id_ != id) return false;
  }
  if (!classes_.empty()) {
    const char* classes = attribute(element, "class");
    if (classes == nullptr) return false;
    for (const std::string& wanted : classes_) {
      // Class names match case-sensitively (outside quirks mode).
      std::string_view list(classes);
      bool found = false;
      size_t pos = 0;
      while (pos < list.size() && !found) {
        while (pos < list.size() && is_ascii_space(list[pos])) ++pos;
        size_t token_end = pos;
        while (token_end < list.size() && !is_ascii_space(list[token_end])) ++token_end;
        found = list.substr(pos, token_end - pos) == wanted;
        pos = token_end;
      }
      if (!found) return false;
    }
  }
  return true;
}

// ---- HtmlDocument

void HtmlDocument::OutputDeleter::operator()(GumboInternalOutput* output) const noexcept {
  gumbo_destroy_output(&kGumboDefaultOptions, output);
}

HtmlDocument::HtmlDocument(std::string_view html, std::string page_url)
    : html_(std::make_unique<const std::string>(limit_nesting(html).html)), page_url_(std::move(page_url)) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;  // parse errors are not kept: hostile pages have millions
  output_.reset(gumbo_parse_with_options(&options, html_->data(), html_->size()));
  if (!output_) throw std::bad_alloc();

  base_url_ = page_url_;
  for_each_element(output_->document, [&](const GumboNode* node) {
    if (node->v.element.tag != GUMBO_TAG_BASE) return true;
    const char* href = attribute(node->v.element, "href");
    if (href == nullptr) return true;
    if (auto resolved = resolve_url(page_url_, href)) base_url_ = std::move(*resolved);
    return false;
  });
}

HtmlDocument::~HtmlDocument() = default;
HtmlDocument::HtmlDocument(HtmlDocument&&) noexcept = default;
HtmlDocument& HtmlDocument::operator=(HtmlDocument&&) noexcept = default;

std::string HtmlDocument::title() const {
  const GumboNode* title = first_element(output_->document, GUMBO_TAG_TITLE);
  if (title == nullptr) return "";
  LineBuilder builder;
  const GumboVector& children = title->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_WHITESPACE)
      builder.add_text(child->v.text.text);
  }
  return join(builder.finish(), " ");
}

std::vector<std::string> HtmlDocument::links(const UrlOptions& options) const {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for_each_element(output_->document, [&](const GumboNode* node) {
    const GumboElement& element = node->v.element;
    const char* target = nullptr;
    switch (element.tag) {
      case GUMBO_TAG_A:
      case GUMBO_TAG_AREA:
        target = attribute(element, "href");
        break;
      case GUMBO_TAG_LINK: {
        const char* rel = attribute(element, "rel");
        if (rel != nullptr && has_token(rel, "next")) target = attribute(element, "href");
        break;
      }
      case GUMBO_TAG_FRAME:
      case GUMBO_TAG_IFRAME:
        target = attribute(element, "src");
        break;
      default:
        break;
    }
    if (target == nullptr) return true;
    auto resolved = resolve_url(base_url_, target, options);
    if (resolved && seen.insert(*resolved).second) out.push_back(std::move(*resolved));
    return true;
  });
  return out;
}

size_t HtmlDocument::max_depth() const {
  size_t deepest = 0;
  std::vector<std::pair<const GumboNode*, size_t>> stack{{output_->document, 0}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    deepest = std::max(deepest, depth);
    if (!is_element(node) && node->type != GUMBO_NODE_DOCUMENT) continue;
    const GumboVector& children =
        node->type == GUMBO_NODE_DOCUMENT ? node->v.document.children : node->v.element.children;
    for (unsigned i = 0; i < children.length; ++i) {
      const auto* child = static_cast<const GumboNode*>(children.data[i]);
      if (is_element(child)) stack.emplace_back(child, depth + 1);
    }
  }
  return deepest;
}

std::vector<std::string> HtmlDocument::text_lines() const { return visible_lines(output_->document); }

std::string HtmlDocument::text() const { return join(text_lines(), "\n"); }

std::optional<std::string> HtmlDocument::select_text(const Selector& selector) const {
  const GumboNode* found = nullptr;
  for_each_element(output_->document, [&](const GumboNode* node) {
    if (!selector.matches(*node)) return true;
    found = node;
    return false;
  });
  if (found == nullptr) return std::nullopt;
  return join(visible_lines(found), " ");
}

ListingFields HtmlDocument::fields(const FieldSelectors& selectors) const {
  ListingFields fields;
  if (selectors.title) fields.title = select_text(*selectors.title).value_or("");
  if (fields.title.empty()) fields.title = title();
  if (selectors.price) fields.price = select_text(*selectors.price).value_or("");
  if (selectors.seller) fields.seller = select_text(*selectors.seller).value_or("");
  return fields;
}

}  // namespace leakwatch::crawler
