// Masking identifiers inside free text: what every title, URL, message and
// report field derived from listing text passes through before it is stored
// or printed (DESIGN.md "Privacy").
#pragma once

#include <string>
#include <string_view>

#include "extract/extractor.h"

namespace leakwatch::extract {

// `text` with every identifier the extractor finds in it (emails, phones,
// and names next to them) replaced by its masked form ("listing for
// z***@163.com"). URL text is read with "%40" as '@' and "%2B" as '+', so an
// address percent-encoded in a path or query is masked too (the result then
// holds the decoded characters). Text without identifiers comes back
// unchanged. `extractor` must have been built with masks on (the default).
// Thread-safe as Extractor::scan is.
std::string mask_identifiers(const Extractor& extractor, std::string_view text);

}  // namespace leakwatch::extract
