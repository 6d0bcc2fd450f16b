#include "crawler/parse/charset.h"

#include <re2/re2.h>
#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucsdet.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <utility>

#include "core/ascii.h"
#include "core/checked_regex.h"
#include "core/utf8.h"

namespace leakwatch::crawler {
namespace {

struct ConverterCloser {
  void operator()(UConverter* converter) const noexcept { ucnv_close(converter); }
};
using Converter = std::unique_ptr<UConverter, ConverterCloser>;

struct DetectorCloser {
  void operator()(UCharsetDetector* detector) const noexcept { ucsdet_close(detector); }
};
using Detector = std::unique_ptr<UCharsetDetector, DetectorCloser>;

constexpr size_t kMetaPrescanBytes = 2048;
constexpr size_t kDetectBytes = 64 * 1024;
// Below this ICU confidence (0-100) a guess is noise; windows-1252 at least
// maps every byte to something.
constexpr int32_t kMinDetectConfidence = 10;

re2::RE2::Options byte_options() {
  re2::RE2::Options options;
  options.set_encoding(re2::RE2::Options::EncodingLatin1);  // undecoded bytes
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  return options;
}

const re2::RE2& content_type_charset_re() {
  static const CheckedRegex<re2::RE2> re("Content-Type charset", R"(;\s*charset\s*=\s*["']?([^"'\s;,]+))",
                                         byte_options());
  return *re;
}

const re2::RE2& meta_charset_re() {
  static const CheckedRegex<re2::RE2> re(
      "meta charset", R"(<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+))", byte_options());
  return *re;
}

std::string lowercase_trimmed(std::string_view label) {
  size_t begin = 0;
  size_t end = label.size();
  while (begin < end && static_cast<unsigned char>(label[begin]) <= 0x20) ++begin;
  while (end > begin && static_cast<unsigned char>(label[end - 1]) <= 0x20) --end;
  return ascii_lowercase(label.substr(begin, end - begin));
}

// WHATWG label -> ICU converter name, where the two disagree.
std::string icu_name(std::string_view label) {
  static const std::array<std::pair<std::string_view, std::string_view>, 24> kAliases = {{
      {"utf8", "UTF-8"},
      {"unicode-1-1-utf-8", "UTF-8"},
      {"gb2312", "GB18030"},
      {"gbk", "GB18030"},
      {"x-gbk", "GB18030"},
      {"gb_2312", "GB18030"},
      {"gb_2312-80", "GB18030"},
      {"csgb2312", "GB18030"},
      {"chinese", "GB18030"},
      {"iso-ir-58", "GB18030"},
      {"big5", "Big5-HKSCS"},
      {"x-x-big5", "Big5-HKSCS"},
      {"cn-big5", "Big5-HKSCS"},
      {"csbig5", "Big5-HKSCS"},
      {"shift_jis", "windows-31j"},
      {"shift-jis", "windows-31j"},
      {"sjis", "windows-31j"},
      {"ms_kanji", "windows-31j"},
      {"x-sjis", "windows-31j"},
      {"iso-8859-1", "windows-1252"},
      {"latin1", "windows-1252"},
      {"l1", "windows-1252"},
      {"us-ascii", "windows-1252"},
      {"ascii", "windows-1252"},
  }};
  std::string lower = lowercase_trimmed(label);
  for (const auto& [alias, name] : kAliases) {
    if (lower == alias) return std::string(name);
  }
  return lower;
}

Converter open_converter(const std::string& name) {
  UErrorCode status = U_ZERO_ERROR;
  Converter converter(ucnv_open(name.c_str(), &status));
  if (U_FAILURE(status)) return nullptr;
  return converter;
}

// Substitutes like ICU's default callback and remembers that it had to.
void U_CALLCONV substitute_and_flag(const void* context, UConverterToUnicodeArgs* args,
                                    const char* code_units, int32_t length, UConverterCallbackReason reason,
                                    UErrorCode* error) {
  if (reason == UCNV_UNASSIGNED || reason == UCNV_ILLEGAL || reason == UCNV_IRREGULAR) {
    *static_cast<bool*>(const_cast<void*>(context)) = true;
  }
  UCNV_TO_U_CALLBACK_SUBSTITUTE(nullptr, args, code_units, length, reason, error);
}

std::optional<DecodedText> convert(std::string_view bytes, const std::string& name, CharsetSource source) {
  Converter converter = open_converter(name);
  if (!converter) return std::nullopt;
  DecodedText out;
  out.source = source;
  UErrorCode status = U_ZERO_ERROR;
  out.charset = ucnv_getName(converter.get(), &status);
  if (ucnv_getType(converter.get()) == UCNV_UTF8 && is_valid_utf8(bytes)) {
    out.utf8.assign(bytes);
    return out;
  }
  bool had_errors = false;
  status = U_ZERO_ERROR;
  ucnv_setToUCallBack(converter.get(), substitute_and_flag, &had_errors, nullptr, nullptr, &status);
  if (bytes.size() > static_cast<size_t>(INT32_MAX / 2)) bytes = bytes.substr(0, INT32_MAX / 2);
  status = U_ZERO_ERROR;
  icu::UnicodeString text(bytes.data(), static_cast<int32_t>(bytes.size()), converter.get(), status);
  if (U_FAILURE(status)) return std::nullopt;
  text.toUTF8String(out.utf8);
  out.had_errors = had_errors;
  return out;
}

std::optional<std::string> bom_charset(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") return "UTF-8";
  if (bytes.substr(0, 2) == "\xFF\xFE") return "UTF-16LE";
  if (bytes.substr(0, 2) == "\xFE\xFF") return "UTF-16BE";
  return std::nullopt;
}

std::optional<std::string> detect(std::string_view bytes) {
  UErrorCode status = U_ZERO_ERROR;
  Detector detector(ucsdet_open(&status));
  if (U_FAILURE(status)) return std::nullopt;
  std::string_view sample = bytes.substr(0, kDetectBytes);
  ucsdet_enableInputFilter(detector.get(), true);  // ignore markup, judge the text
  ucsdet_setText(detector.get(), sample.data(), static_cast<int32_t>(sample.size()), &status);
  const UCharsetMatch* match = ucsdet_detect(detector.get(), &status);
  if (U_FAILURE(status) || match == nullptr) return std::nullopt;
  if (ucsdet_getConfidence(match, &status) < kMinDetectConfidence) return std::nullopt;
  const char* name = ucsdet_getName(match, &status);
  if (U_FAILURE(status) || name == nullptr) return std::nullopt;
  return std::string(name);
}

}  // namespace

std::string_view to_string(CharsetSource source) {
  switch (source) {
    case CharsetSource::kHeader:
      return "header";
    case CharsetSource::kMeta:
      return "meta";
    case CharsetSource::kUtf8Valid:
      return "utf-8 valid";
    case CharsetSource::kDetected:
      return "detected";
    case CharsetSource::kFallback:
      return "fallback";
  }
  return "unknown";
}

std::optional<std::string> charset_from_content_type(std::string_view content_type) {
  std::string charset;
  if (!re2::RE2::PartialMatch(content_type, content_type_charset_re(), &charset)) return std::nullopt;
  return charset;
}

std::optional<std::string> charset_from_meta(std::string_view html) {
  std::string charset;
  if (!re2::RE2::PartialMatch(html.substr(0, kMetaPrescanBytes), meta_charset_re(), &charset)) {
    return std::nullopt;
  }
  return charset;
}

std::optional<DecodedText> convert_to_utf8(std::string_view bytes, std::string_view label) {
  return convert(bytes, icu_name(label), CharsetSource::kHeader);
}

DecodedText decode_to_utf8(std::string_view body, std::string_view content_type) {
  // A byte order mark outranks every declaration (HTML standard, "BOM sniffing").
  if (auto bom = bom_charset(body)) {
    size_t bom_size = *bom == "UTF-8" ? 3 : 2;
    if (auto decoded = convert(body.substr(bom_size), *bom, CharsetSource::kHeader))
      return std::move(*decoded);
  }
  if (auto label = charset_from_content_type(content_type)) {
    if (auto decoded = convert(body, icu_name(*label), CharsetSource::kHeader)) return std::move(*decoded);
  }
  if (auto label = charset_from_meta(body)) {
    std::string name = icu_name(*label);
    // A <meta> in bytes we can read as ASCII cannot truly be UTF-16.
    if (name.rfind("utf-16", 0) == 0) name = "UTF-8";
    if (auto decoded = convert(body, name, CharsetSource::kMeta)) return std::move(*decoded);
  }
  if (is_valid_utf8(body)) return DecodedText{std::string(body), "UTF-8", CharsetSource::kUtf8Valid, false};
  if (auto guess = detect(body)) {
    if (auto decoded = convert(body, icu_name(*guess), CharsetSource::kDetected)) return std::move(*decoded);
  }
  if (auto decoded = convert(body, "windows-1252", CharsetSource::kFallback)) return std::move(*decoded);
  // Unreachable with a complete ICU data file; keep the contract anyway.
  return *convert(body, "UTF-8", CharsetSource::kFallback);
}

}  // namespace leakwatch::crawler
