// Lowercase hexadecimal text of bytes ("\x01\xab" -> "01ab").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace leakwatch {

inline std::string to_hex(const void* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xf]);
  }
  return out;
}

inline std::string to_hex(std::string_view bytes) { return to_hex(bytes.data(), bytes.size()); }

}  // namespace leakwatch
