#include "extract/mask_text.h"

#include <vector>

namespace leakwatch::extract {
namespace {

struct Span {
  std::size_t offset;
  std::size_t length;
  std::string masked;
};

// The two escapes that hide an identifier from the extractor in a URL; any
// other escape leaves identifiers readable as they are.
std::string unescape_identifier_chars(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      std::string_view code = text.substr(i + 1, 2);
      if (code == "40") {
        out.push_back('@');
        i += 2;
        continue;
      }
      if (code == "2B" || code == "2b") {
        out.push_back('+');
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

std::vector<Span> find_spans(const Extractor& extractor, std::string_view text) {
  std::vector<Span> spans;
  extractor.scan(text, [&](FoundIdentifier&& found) {
    spans.push_back({found.offset, found.length, std::move(found.masked)});
  });
  return spans;
}

}  // namespace

std::string mask_identifiers(const Extractor& extractor, std::string_view text) {
  const std::string_view original = text;
  std::string unescaped;
  if (text.find('%') != std::string_view::npos) {
    unescaped = unescape_identifier_chars(text);
    text = unescaped;
  }
  std::vector<Span> spans = find_spans(extractor, text);
  if (spans.empty()) return std::string(original);
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  for (const Span& s : spans) {
    if (s.offset < at) continue;  // overlapping finds: the first one masks
    out.append(text.substr(at, s.offset - at));
    out.append(s.masked.empty() ? std::string(s.length, '*') : s.masked);
    at = s.offset + s.length;
  }
  out.append(text.substr(at));
  return out;
}

}  // namespace leakwatch::extract
