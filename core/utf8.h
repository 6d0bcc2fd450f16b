// UTF-8 well-formedness, the one check every module uses (charset decoding,
// identifier normalization, customer import). ICU's header-only U8_NEXT
// decides (no surrogates, no overlongs); it works on int32_t offsets, so long
// inputs are walked in windows.
#pragma once

#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace leakwatch {

inline bool is_valid_utf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const std::int64_t length = static_cast<std::int64_t>(bytes.size());
  std::int64_t i = 0;
  while (i < length) {
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    std::int32_t offset = 0;
    const auto window = static_cast<std::int32_t>(std::min<std::int64_t>(length - i, 1 << 30));
    UChar32 c = 0;
    U8_NEXT(s + i, offset, window, c);
    if (c < 0) return false;
    i += offset;
  }
  return true;
}

}  // namespace leakwatch
