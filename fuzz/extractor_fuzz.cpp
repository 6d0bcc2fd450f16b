// libFuzzer target: arbitrary bytes through Extractor::scan, the entry point
// of `leakwatch scan` and the extract stage (records, name fields, masking,
// keyed hashes), checked against what the headers promise:
// - every span lies inside the input, on one line, with the right record
//   number, in text order, and on character boundaries of valid UTF-8;
// - an email is lowercase ASCII with exactly one '@', a local part of 1..64
//   and a domain of up to 253 bytes, and normalize_email leaves it as it is;
// - a phone is E.164 ('+', no leading 0, 7..15 digits) and normalize_phone
//   leaves it as it is;
// - a name is normalized and stands in a record with an email or phone;
// - the masked form is mask(kind, value), hides something, and an email's
//   keeps only the first character of the local part; the hash is the key's;
// - the same input scanned twice gives the same identifiers, and switching
//   names off or changing the phone region changes only what it should.
#include <unicode/utf8.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.h"
#include "extract/extractor.h"
#include "fuzz/fuzz_check.h"
#include "identity/identity.h"
#include "identity/keyed_hash.h"
#include "identity/mask.h"

namespace leakwatch::fuzz {
namespace {

using extract::Extractor;
using extract::ExtractorOptions;
using extract::FoundIdentifier;
using identity::Kind;

const identity::HashKey& key() {
  static const identity::HashKey k(std::vector<std::uint8_t>(32, 0x5a));
  return k;
}

// The configuration `leakwatch scan` and `extract` run with.
const Extractor& default_extractor() {
  static const Extractor e([] {
    ExtractorOptions o;
    o.key = &key();
    return o;
  }());
  return e;
}

const Extractor& no_names_extractor() {
  static const Extractor e([] {
    ExtractorOptions o;
    o.names = false;
    return o;
  }());
  return e;
}

const Extractor& us_extractor() {
  static const Extractor e([] {
    ExtractorOptions o;
    o.default_region = "US";
    o.names = false;
    return o;
  }());
  return e;
}

std::vector<FoundIdentifier> scan(const Extractor& extractor, std::string_view text) {
  std::vector<FoundIdentifier> found;
  extractor.scan(text, [&](const FoundIdentifier& f) { found.push_back(f); });
  return found;
}

bool is_continuation(std::string_view text, std::size_t i) {
  return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
}

void check_email(const FoundIdentifier& f) {
  const std::string& v = f.identifier.value;
  std::size_t at = v.find('@');
  require(at != std::string::npos && v.find('@', at + 1) == std::string::npos, "email has exactly one '@'",
          &f);
  require(
      std::all_of(v.begin(), v.end(), [](char c) { return c > ' ' && c < 0x7f && !(c >= 'A' && c <= 'Z'); }),
      "email is printable lowercase ASCII", &f);
  require(at >= 1 && at <= 64, "email local part is 1..64 bytes", &f);
  require(v.size() - at - 1 <= 253 && v.find('.', at) != std::string::npos,
          "email domain <= 253 bytes, dotted", &f);
  auto again = identity::normalize_email(v);
  require(again && *again == v, "normalize_email(email) == email", &f);
  require(f.masked == v.substr(0, 1) + "***" + v.substr(at),
          "email mask keeps one character of the local part", &f);
}

void check_phone(const FoundIdentifier& f, std::string_view region) {
  const std::string& v = f.identifier.value;
  std::size_t digits = v.size() - 1;
  require(v.size() > 1 && v[0] == '+' && v[1] != '0' &&
              std::all_of(v.begin() + 1, v.end(), [](char c) { return c >= '0' && c <= '9'; }),
          "phone is '+' and digits, no leading 0", &f);
  // Valid numbers can be short: +43 12346 (Austria), +683 7001 (Niue).
  require(digits >= 7 && digits <= 15, "phone has 7..15 digits", &f);
  auto again = identity::normalize_phone(v, region);
  require(again && *again == v, "normalize_phone(phone) == phone", &f);
  require(f.masked.size() == v.size() && f.masked[0] == '+' && f.masked.find('*') != std::string::npos,
          "phone mask has the value's length and hides digits", &f);
}

void check_name(const FoundIdentifier& f, const std::vector<FoundIdentifier>& all) {
  const std::string& v = f.identifier.value;
  require(!v.empty() && v.size() <= 256 && leakwatch::is_valid_utf8(v), "name is 1..256 bytes of UTF-8", &f);
  auto again = identity::normalize_name(v);
  require(again && *again == v, "normalize_name(name) == name", &f);
  bool beside_identifier = std::any_of(all.begin(), all.end(), [&](const FoundIdentifier& g) {
    return g.record == f.record && g.identifier.kind != Kind::kName;
  });
  require(beside_identifier, "a name stands in a record with an email or phone", &f);
}

// Checks what holds for every identifier `extractor` reported in `text`.
void check_all(std::string_view text, const Extractor& extractor, const std::vector<FoundIdentifier>& found) {
  std::vector<std::size_t> newlines;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') newlines.push_back(i);
  }
  const bool utf8 = leakwatch::is_valid_utf8(text);
  const identity::HashKey* k = extractor.options().key;
  std::size_t previous = 0;
  for (const FoundIdentifier& f : found) {
    require(f.length > 0, "span is not empty", &f);
    require(f.offset <= text.size() && f.length <= text.size() - f.offset, "span lies inside the input", &f);
    require(f.offset >= previous, "identifiers come in text order", &f);
    previous = f.offset;
    std::string_view span = text.substr(f.offset, f.length);
    require(span.find('\n') == std::string_view::npos, "span stays on one line", &f);
    auto line = static_cast<std::size_t>(std::lower_bound(newlines.begin(), newlines.end(), f.offset) -
                                         newlines.begin());
    require(f.record == line, "record is the 0-based line of the span", &f);
    require(!utf8 || (!is_continuation(text, f.offset) && !is_continuation(text, f.offset + f.length)),
            "span starts and ends on character boundaries", &f);
    require(f.masked == identity::mask(f.identifier.kind, f.identifier.value), "masked == mask(kind, value)",
            &f);
    // A name already written masked ("Z***" in a market's sample) is its own
    // mask; anything else must come out different.
    require(f.masked != f.identifier.value ||
                (f.identifier.kind == Kind::kName && f.identifier.value.find("***") != std::string::npos),
            "masked form differs from the value", &f);
    if (k != nullptr) {
      require(f.hash.has_value() && *f.hash == k->hash(f.identifier.kind, f.identifier.value),
              "hash is the key's hash of kind and value", &f);
    } else {
      require(!f.hash.has_value(), "no hash without a key", &f);
    }
    switch (f.identifier.kind) {
      case Kind::kEmail:
        check_email(f);
        break;
      case Kind::kPhone:
        check_phone(f, extractor.options().default_region);
        break;
      case Kind::kName:
        require(extractor.options().names, "names only when asked for", &f);
        check_name(f, found);
        break;
    }
  }
}

std::vector<FoundIdentifier> without_names(std::vector<FoundIdentifier> found) {
  std::erase_if(found, [](const FoundIdentifier& f) { return f.identifier.kind == Kind::kName; });
  for (FoundIdentifier& f : found) f.hash.reset();
  return found;
}

std::vector<FoundIdentifier> emails_only(std::vector<FoundIdentifier> found) {
  std::erase_if(found, [](const FoundIdentifier& f) { return f.identifier.kind != Kind::kEmail; });
  return found;
}

}  // namespace
}  // namespace leakwatch::fuzz

// Builds the extractors and their lazy tables (the CN mobile prefixes,
// libphonenumber's metadata) before the first input, so that their cost on
// a loaded machine is not charged to that input's -timeout.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace leakwatch::fuzz;
  constexpr std::string_view kWarm = "li.na@qq.com 138 0013 8000 +1 415 666 7777 (415) 666-7777\n";
  for (const auto* e : {&default_extractor(), &no_names_extractor(), &us_extractor()}) scan(*e, kWarm);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace leakwatch::fuzz;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto found = scan(default_extractor(), text);
  check_all(text, default_extractor(), found);
  require_same(found, scan(default_extractor(), text),
               "the same input scanned twice gives the same identifiers");

  const auto plain = scan(no_names_extractor(), text);
  check_all(text, no_names_extractor(), plain);
  require_same(without_names(found), plain, "names on or off changes only the names");

  const auto us = scan(us_extractor(), text);
  check_all(text, us_extractor(), us);
  require_same(emails_only(plain), emails_only(us), "the phone region changes no email");
  return 0;
}
