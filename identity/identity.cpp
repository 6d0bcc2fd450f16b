// Identity: the kinds, NFKC, names, and the Apple ID that is either an email
// or a phone (identity.h). Emails are email_address.cpp's, phones
// phone_number.cpp's.
#include "identity/identity.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "core/utf8.h"
#include "identity/ascii_text.h"
#include "identity/identity_text.h"

namespace leakwatch::identity {

namespace {

using detail::is_ascii_space;
using detail::reject;

const icu::Normalizer2& nfkc() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
  // ICU's own data is linked in (ICU::data); failure here is a broken install.
  if (U_FAILURE(status) || n == nullptr) std::abort();
  return *n;
}
}  // namespace

namespace detail {

std::optional<std::string> nfkc_utf8(std::string_view text) {
  if (text.size() > (1u << 20) || !is_valid_utf8(text)) return std::nullopt;
  bool ascii =
      std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::string(text);  // NFKC is the identity on ASCII.
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString normalized = nfkc().normalize(u, status);
  if (U_FAILURE(status)) return std::nullopt;
  std::string out;
  normalized.toUTF8String(out);
  return out;
}
}  // namespace detail

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::kEmail:
      return "email";
    case Kind::kPhone:
      return "phone";
    case Kind::kName:
      return "name";
  }
  return "unknown";
}

std::optional<Kind> parse_kind(std::string_view name) {
  if (name == "email") return Kind::kEmail;
  if (name == "phone") return Kind::kPhone;
  if (name == "name") return Kind::kName;
  return std::nullopt;
}
tl::expected<std::string, Rejection> normalize_name(std::string_view text) {
  if (!is_valid_utf8(text)) return reject("invalid UTF-8");
  if (text.size() > 4096) return reject("name longer than 256 bytes");
  // Printable ASCII: NFKC is the identity and case folding is lowercasing.
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r'; })) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
      if (is_ascii_space(c)) {
        if (!out.empty() && out.back() != ' ') out.push_back(' ');
      } else {
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
      }
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    if (out.empty()) return reject("empty name");
    if (out.size() > 256) return reject("name longer than 256 bytes");
    return out;
  }
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString folded = nfkc().normalize(u, status);
  if (U_FAILURE(status)) return reject("cannot be normalized (NFKC)");
  folded.foldCase(U_FOLD_CASE_DEFAULT);
  // Folding can un-normalize (e.g. U+0130); one more NFKC pass settles it.
  folded = nfkc().normalize(folded, status);
  if (U_FAILURE(status)) return reject("cannot be normalized (NFKC)");
  icu::UnicodeString collapsed;
  bool pending_space = false;
  for (int32_t i = 0; i < folded.length();) {
    UChar32 c = folded.char32At(i);
    i += U16_LENGTH(c);
    if (u_isUWhiteSpace(c)) {
      pending_space = !collapsed.isEmpty();
      continue;
    }
    if (u_charType(c) == U_CONTROL_CHAR || u_charType(c) == U_FORMAT_CHAR) continue;
    if (pending_space) collapsed.append(static_cast<UChar>(' '));
    pending_space = false;
    collapsed.append(c);
  }
  std::string out;
  collapsed.toUTF8String(out);
  if (out.empty()) return reject("empty name");
  if (out.size() > 256) return reject("name longer than 256 bytes");
  return out;
}

tl::expected<Identifier, Rejection> normalize_apple_id(std::string_view text,
                                                       std::string_view default_region) {
  if (!is_valid_utf8(text)) return reject("invalid UTF-8");
  if (text.size() > 4096) return reject("too long for an Apple ID");
  auto nfkc_text = detail::nfkc_utf8(text);
  if (!nfkc_text) return reject("cannot be normalized (NFKC)");
  std::string deobfuscated = detail::deobfuscate_email(*nfkc_text);
  if (deobfuscated.find('@') != std::string::npos) {
    auto email = detail::validate_email(deobfuscated);
    if (!email) return tl::unexpected(email.error());
    return Identifier{Kind::kEmail, std::move(*email)};
  }
  auto digits = detail::phone_digits(*nfkc_text);
  if (!digits) return tl::unexpected(Rejection{"neither an email address nor a phone number"});
  auto phone = detail::parse_phone_digits(*digits, default_region);
  if (!phone) return tl::unexpected(phone.error());
  return Identifier{Kind::kPhone, std::move(*phone)};
}

}  // namespace leakwatch::identity
