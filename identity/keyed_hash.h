// Keyed hashing of normalized identifiers (DESIGN.md "Identity").
//
// hash = first 16 bytes of HMAC-SHA256(key, kind + ":" + normalized value).
// The key never lives in the database; `key_version` is stored next to each
// hash so keys can be rotated. Thread-safe: a HashKey is immutable after load
// and hash() keeps no shared state.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "identity/identity.h"

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX

namespace leakwatch::identity {

using KeyedHash = std::array<std::uint8_t, 16>;

// Why a key file was refused; what() names the file and the fix, never the
// key bytes.
class KeyFileError : public std::runtime_error {
 public:
  enum class Reason { kMissing, kOpenMode, kUnreadable, kMalformed };
  KeyFileError(Reason reason, const std::string& message) : std::runtime_error(message), reason(reason) {}
  Reason reason;
};

class HashKey {
 public:
  // Reads a key file holding the key as hex text (>= 64 hex digits; surrounding
  // whitespace ignored). Throws KeyFileError naming the file when it is
  // missing, a directory, unreadable or malformed, and (before reading it, as
  // ssh refuses an open private key) when group or others may read, write or
  // execute it: a key others can read lets them hash guesses and undo the
  // pseudonymization.
  static HashKey load(const std::filesystem::path& path);
  // From raw key bytes (tests, benchmarks). At least 32 bytes.
  explicit HashKey(std::vector<std::uint8_t> bytes, int version = 1);

  int version() const { return version_; }
  // The same key bytes under another version number ([hashing] key_version).
  HashKey with_version(int version) const {
    HashKey copy = *this;
    copy.version_ = version;
    return copy;
  }
  KeyedHash hash(Kind kind, std::string_view normalized) const;
  // A 32-byte key for another use, derived from this key and `purpose`
  // (HMAC-SHA256(key, "leakwatch key derivation:" + purpose)), e.g. the
  // data key that seals stored page text. Different purposes give
  // independent keys; none reveals this key. Throws std::runtime_error if
  // OpenSSL fails.
  std::array<std::uint8_t, 32> derive_key(std::string_view purpose) const;
  // 32 hex digits that identify the key without revealing it: the keyed hash
  // of a fixed message that no identifier's "kind:value" can equal. Stored
  // with the customer set so a run with another key is caught (`doctor`).
  std::string fingerprint() const;

 private:
  std::vector<std::uint8_t> bytes_;
  int version_;
  // HMAC-SHA256 keyed once with bytes_; hash() duplicates it, so no
  // algorithm fetch (and no OpenSSL lock) happens per identifier.
  std::shared_ptr<const evp_mac_ctx_st> keyed_;
  std::uint64_t serial_ = 0;  // identifies keyed_ in per-thread copies
};

// 32 lowercase hex digits, the form PostgreSQL accepts for `uuid`.
std::string to_hex(const KeyedHash& hash);
// Parses 32 hex digits, with or without uuid dashes; false if malformed.
bool parse_hex(std::string_view text, KeyedHash* out);

}  // namespace leakwatch::identity
