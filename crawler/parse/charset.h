// Turns a fetched body into UTF-8 text: finds the charset (Content-Type
// header, else <meta charset> / <meta http-equiv> in the first 2 KB, else
// valid UTF-8, else ICU's detector) and converts with ICU converters. Markets
// in China serve GBK/GB18030/Big5; Japanese ones Shift_JIS; old ones latin1.
//
// Thread-safe: pure functions; each call opens its own ICU converter and
// detector. Labels follow the WHATWG Encoding Standard where it differs from
// ICU: gb2312/gbk -> GB18030, iso-8859-1/latin1/us-ascii -> windows-1252,
// a <meta> claiming UTF-16 -> UTF-8.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace leakwatch::crawler {

enum class CharsetSource { kHeader, kMeta, kUtf8Valid, kDetected, kFallback };

// "header", "meta", "utf-8 valid", "detected", "fallback".
std::string_view to_string(CharsetSource source);

struct DecodedText {
  std::string utf8;     // always valid UTF-8
  std::string charset;  // ICU's name of the converter used: "UTF-8", "gb18030", ...
  CharsetSource source = CharsetSource::kFallback;
  bool had_errors = false;  // some bytes were not valid in `charset` and became U+FFFD
};

// The charset parameter of a Content-Type value ("text/html; charset=GBK" ->
// "GBK", quotes removed), or nullopt.
std::optional<std::string> charset_from_content_type(std::string_view content_type);

// The charset named by <meta charset=...> or <meta http-equiv="Content-Type"
// content="...; charset=..."> within the first 2048 bytes of `html`, or
// nullopt. This is the HTML standard's pre-scan, not a parser: it runs on
// bytes that are not decoded yet.
std::optional<std::string> charset_from_meta(std::string_view html);

// Converts `body` to UTF-8. `content_type` is the response header (may be
// empty). A declared label that ICU does not know is ignored (the next rule
// applies). Invalid sequences become U+FFFD; never throws on bad input.
DecodedText decode_to_utf8(std::string_view body, std::string_view content_type);

// Converts `bytes` from the charset `label` to UTF-8, invalid sequences as
// U+FFFD. Returns nullopt when ICU has no converter for `label`.
std::optional<DecodedText> convert_to_utf8(std::string_view bytes, std::string_view label);

}  // namespace leakwatch::crawler
