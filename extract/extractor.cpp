#include "extract/extractor.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdint>
#include <cstring>

#include "identity/mask.h"

namespace leakwatch::extract {

struct Extractor::Hit {
  std::size_t begin;
  std::size_t end;
  identity::Kind kind;
  std::string value;
};

// A candidate refused on purpose, where it starts in the view.
struct Extractor::Skip {
  std::size_t at;
  std::uint64_t SkipCounts::*count;  // which count it adds to
};

namespace {

enum ByteClass : std::uint8_t {
  kOther = 0,
  kDigit,
  kPlus,
  kAtSign,
  kOpenBracket,  // '[', '(', '{', '<': maybe "[at]"
  kEntity,       // '&', '%': maybe "&#64;" or "%40"
  kLetterA,      // maybe " at "
  kFoldLead,     // lead byte of full-width forms and invisible separators
  kHanLead,      // 0xE4/0xE5: maybe 人 or 名, keys of name fields
};

constexpr std::array<std::uint8_t, 256> make_ascii_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = kDigit;
  t['+'] = kPlus;
  t['@'] = kAtSign;
  t['['] = t['('] = t['{'] = t['<'] = kOpenBracket;
  t['&'] = t['%'] = kEntity;
  t['a'] = t['A'] = kLetterA;
  t[0xE4] = t[0xE5] = kHanLead;
  return t;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

const icu::Normalizer2& nfkc() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
  if (U_FAILURE(status) || n == nullptr) std::abort();
  return *n;
}

// What a non-ASCII code point becomes in the folded view: -1 dropped
// (invisible format characters), an ASCII byte (its NFKC form, e.g. '＠' ->
// '@', U+3000 -> ' '), or 0 when it stays as it is. ICU decides, not a
// hand-made table.
int fold_of(UChar32 c) {
  if (u_charType(c) == U_FORMAT_CHAR) return -1;
  icu::UnicodeString decomposition;
  if (!nfkc().getDecomposition(c, decomposition)) return 0;
  if (decomposition.length() != 1 || decomposition[0] >= 0x80) return 0;
  return decomposition[0];
}

// Built once from ICU: which BMP code points fold, and the byte classes,
// where a UTF-8 lead byte is kFoldLead when some code point it starts folds
// (U+00A0, U+2000.., U+3000, U+FF01..). 4-byte sequences (mathematical
// digits, tags) are all asked.
struct FoldTables {
  std::bitset<0x10000> bmp;
  std::array<std::uint8_t, 256> classes = make_ascii_classes();
  std::array<bool, 256> fold_lead{};

  FoldTables() {
    for (UChar32 c = 0x80; c < 0x10000; ++c) {
      if (U_IS_SURROGATE(c) || fold_of(c) == 0) continue;
      bmp.set(static_cast<std::size_t>(c));
      fold_lead[c < 0x800 ? 0xC0 | (c >> 6) : 0xE0 | (c >> 12)] = true;
    }
    for (int b = 0xF0; b <= 0xF4; ++b) fold_lead[b] = true;
    for (int b = 0x80; b < 0x100; ++b) {
      if (fold_lead[b] && classes[b] == kOther) classes[b] = kFoldLead;
    }
  }
};

const FoldTables& fold_tables() {
  static const FoldTables tables;
  return tables;
}

bool needs_fold(std::string_view text, std::size_t i) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  int32_t j = static_cast<int32_t>(i);
  int32_t length = static_cast<int32_t>(std::min<std::size_t>(text.size(), i + 4));
  UChar32 c;
  U8_NEXT(p, j, length, c);
  if (c < 0) return false;
  if (c < 0x10000) return fold_tables().bmp.test(static_cast<std::size_t>(c));
  return fold_of(c) != 0;
}

// The line with full-width forms turned to ASCII and invisible characters
// dropped; map[k] is the offset in `line` of folded byte k.
void fold_line(std::string_view line, std::string* folded, std::vector<std::size_t>* map) {
  folded->clear();
  map->clear();
  const auto* p = reinterpret_cast<const std::uint8_t*>(line.data());
  std::size_t i = 0;
  while (i < line.size()) {
    if (p[i] < 0x80) {
      folded->push_back(static_cast<char>(p[i]));
      map->push_back(i);
      ++i;
      continue;
    }
    int32_t j = static_cast<int32_t>(i);
    int32_t length = static_cast<int32_t>(std::min<std::size_t>(line.size(), i + 4));
    UChar32 c;
    U8_NEXT(p, j, length, c);
    std::size_t next = static_cast<std::size_t>(j);
    int f = c < 0 ? 0 : fold_of(c);
    if (f > 0) {
      folded->push_back(static_cast<char>(f));
      map->push_back(i);
    } else if (f == 0) {
      for (std::size_t k = i; k < next; ++k) {
        folded->push_back(static_cast<char>(p[k]));
        map->push_back(k);
      }
    }
    i = next;
  }
  map->push_back(line.size());
}

}  // namespace

Extractor::Extractor(const ExtractorOptions& options)
    : options_(options),
      classes_(fold_tables().classes),  // built here, not by the first worker that needs it
      phones_(options.default_region, options.phone_cache_entries) {
  if (!options_.names) {
    // 人 and 名 only matter as name-field keys: in Chinese text their lead
    // bytes are a third of all bytes, each a trip through the switch.
    for (std::uint8_t b : {0xE4, 0xE5}) classes_[b] = fold_tables().fold_lead[b] ? kFoldLead : kOther;
  }
}

namespace {

// Phone numbers are 7 to 17 digits long with a country code (and the chains
// libphonenumber would read as one number hold no more).
bool number_shaped(std::string_view chain) {
  std::size_t digits = 0;
  for (char c : chain) digits += c >= '0' && c <= '9';
  return digits >= 7 && digits <= 17;
}

}  // namespace

bool Extractor::find_in(std::string_view view, bool may_fold, std::vector<Hit>* hits, bool* mentions_name,
                        std::vector<Skip>* skips) const {
  const std::size_t n = view.size();
  const auto* p = reinterpret_cast<const std::uint8_t*>(view.data());
  const FoldTables& tables = fold_tables();
  thread_local std::vector<PhoneHit> phone_hits;
  // An address refused on purpose is noted where its '@' (or token) is.
  identity::detail::EmailSkip email_skip = identity::detail::EmailSkip::kNone;
  identity::detail::EmailSkip* const want_skip = skips != nullptr ? &email_skip : nullptr;
  auto no_email = [&](std::size_t at) {
    if (email_skip == identity::detail::EmailSkip::kReservedDomain) {
      skips->push_back({at, &SkipCounts::reserved_domains});
    } else if (email_skip == identity::detail::EmailSkip::kFileName) {
      skips->push_back({at, &SkipCounts::file_names});
    }
    email_skip = identity::detail::EmailSkip::kNone;
    return at + 1;
  };
  auto add_email = [&](EmailHit&& e) {
    // An address swallows any number found inside it ("138...5678.x@qq.com").
    while (!hits->empty() && hits->back().end > e.begin) hits->pop_back();
    while (skips != nullptr && !skips->empty() && skips->back().at >= e.begin) skips->pop_back();
    hits->push_back({e.begin, e.end, identity::Kind::kEmail, std::move(e.email)});
    return e.end;
  };
  const std::uint8_t* classes = classes_.data();
  std::size_t i = 0;
  while (true) {
    while (i < n && classes[p[i]] == kOther) ++i;  // the prefilter: bytes no identifier starts with
    if (i >= n) break;
    const std::uint8_t cls = classes[p[i]];
    switch (cls) {
      case kDigit:
      case kPlus: {
        phone_hits.clear();
        const std::size_t floor = hits->empty() ? 0 : std::min(hits->back().end, i);
        std::size_t next = phones_.find(view, i, floor, &phone_hits);
        if (skips != nullptr && phone_hits.empty() && number_shaped(view.substr(i, next - i))) {
          skips->push_back({i, &SkipCounts::invalid_numbers});
        }
        for (PhoneHit& h : phone_hits)
          hits->push_back({h.begin, h.end, identity::Kind::kPhone, std::move(h.e164)});
        i = next;
        break;
      }
      case kAtSign: {
        auto e = emails_.at_sign(view, i, want_skip);
        i = e ? add_email(std::move(*e)) : no_email(i);
        break;
      }
      case kOpenBracket:
      case kEntity: {
        bool plausible = false;
        if (cls == kEntity) {
          plausible = view.substr(i, 3) == "%40" || view.substr(i, 2) == "&#";
        } else {
          std::size_t j = i + 1;
          while (j < n && is_space(view[j])) ++j;
          plausible = j + 1 < n && lower(view[j]) == 'a' && lower(view[j + 1]) == 't';
        }
        std::optional<EmailHit> e;
        if (plausible) e = emails_.obfuscated(view, i, want_skip);
        i = e ? add_email(std::move(*e)) : no_email(i);
        break;
      }
      case kLetterA: {
        if (i + 2 < n && (p[i + 1] | 0x20) == 'm' && (p[i + 2] | 0x20) == 'e') *mentions_name = true;
        std::optional<EmailHit> e;
        if (i > 0 && is_space(view[i - 1]) && i + 2 < n && lower(view[i + 1]) == 't' &&
            is_space(view[i + 2])) {
          e = emails_.obfuscated(view, i, want_skip);
        }
        i = e ? add_email(std::move(*e)) : no_email(i);
        break;
      }
      case kHanLead:
        if (i + 2 < n && ((p[i] == 0xE5 && p[i + 1] == 0x90 && p[i + 2] == 0x8D) ||   // 名
                          (p[i] == 0xE4 && p[i + 1] == 0xBA && p[i + 2] == 0xBA))) {  // 人
          *mentions_name = true;
        }
        if (tables.fold_lead[p[i]] && may_fold && needs_fold(view, i)) return false;
        ++i;
        break;
      case kFoldLead:
        if (may_fold && needs_fold(view, i)) return false;
        ++i;
        break;
      default:
        ++i;
    }
  }
  return true;
}

void Extractor::scan_line(std::string_view line, std::size_t line_offset, std::size_t record,
                          ScanContext* context, const IdentifierSink& sink, SkipTally* tally) const {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return;
  // Reused across lines: most lines have a hit or two, and a fresh vector per
  // line was a malloc and a free each.
  thread_local std::vector<Hit> hits;
  thread_local std::vector<Skip> skips;
  hits.clear();
  skips.clear();
  std::vector<Skip>* const want_skips = tally != nullptr ? &skips : nullptr;
  bool mentions_name = false;
  if (!find_in(line, true, &hits, &mentions_name, want_skips)) {
    hits.clear();
    skips.clear();  // the folded line is searched again from its start
    mentions_name = false;
    std::string folded;
    std::vector<std::size_t> map;
    fold_line(line, &folded, &map);
    find_in(folded, false, &hits, &mentions_name, want_skips);
    for (Hit& h : hits) {
      h.begin = map[h.begin];
      h.end = map[h.end];
    }
    for (Skip& k : skips) k.at = map[k.at];
  }
  if (tally != nullptr) {
    for (const Skip& k : skips) {
      const std::size_t at = line_offset + k.at;
      if (at >= tally->begin && at < tally->end) ++(tally->counts.*k.count);
    }
  }
  if (hits.empty()) {
    if (options_.names && names_.learn_header(line, mentions_name, &context->name_columns) &&
        context->first_header_record == ScanContext::kNoHeader) {
      context->first_header_record = record;
    }
    return;
  }
  if (options_.names) {
    for (NameHit& name : names_.find(line, mentions_name, context->name_columns)) {
      hits.push_back({name.begin, name.end, identity::Kind::kName, std::move(name.name)});
    }
    std::stable_sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.begin < b.begin; });
  }
  for (Hit& h : hits) {
    FoundIdentifier found{identity::Identifier{h.kind, std::move(h.value)},
                          line_offset + h.begin,
                          h.end - h.begin,
                          record,
                          std::string(),
                          std::nullopt};
    if (options_.masks) found.masked = identity::mask(found.identifier.kind, found.identifier.value);
    if (options_.key != nullptr)
      found.hash = options_.key->hash(found.identifier.kind, found.identifier.value);
    sink(std::move(found));
  }
}

void Extractor::scan(std::string_view text, const IdentifierSink& sink) const {
  ScanContext context;
  scan(text, sink, &context, 0);
}

void Extractor::scan(std::string_view text, const IdentifierSink& sink, ScanContext* context,
                     std::size_t first_record) const {
  ScanContext local;
  if (context == nullptr) context = &local;
  std::size_t pos = 0;
  std::size_t record = first_record;
  while (pos < text.size()) {
    const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
    std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
    scan_line(text.substr(pos, end - pos), pos, record, context, sink);
    pos = end + 1;
    ++record;
  }
}

void Extractor::scan(std::string_view text, std::span<const std::size_t> newlines, const IdentifierSink& sink,
                     ScanContext* context, std::size_t first_record, SkipTally* tally) const {
  ScanContext local;
  if (context == nullptr) context = &local;
  std::size_t pos = 0;
  std::size_t record = first_record;
  for (const std::size_t nl : newlines) {
    if (nl >= text.size()) break;
    scan_line(text.substr(pos, nl - pos), pos, record, context, sink, tally);
    pos = nl + 1;
    ++record;
  }
  if (pos < text.size()) scan_line(text.substr(pos), pos, record, context, sink, tally);
}

}  // namespace leakwatch::extract
