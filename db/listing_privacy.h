// What keeps listing text out of the database in the clear (DESIGN.md
// "Privacy"): identifiers masked in every title, URL and message stored, and
// the raw page text sealed (libsodium secretbox, XChaCha20-Poly1305) with a
// data key that lives beside the HMAC key, never in the database.
//
// A URL that carries an identifier ("/contact/zhou@163.com") is stored as its
// masked form plus a keyed tag ("/contact/z***@163.com#lw-<tag>"): the tag
// keeps two such URLs apart (they may mask alike) and is the same every time,
// so the stored form still serves as the URL's identity (frontier.url,
// pages.url). The frontier, which must fetch it, also keeps it sealed.
//
// Thread-safe: immutable after construction. The masker must be safe to call
// from the threads that use this object.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace leakwatch::db {

// What the two keys are derived for (identity::HashKey::derive_key): the
// names are part of the keys, never to be changed.
inline constexpr std::string_view kDataKeyPurpose = "page text v1";
inline constexpr std::string_view kTagKeyPurpose = "listing tags v1";

class ListingPrivacy {
 public:
  using Key = std::array<std::uint8_t, 32>;
  // Returns `text` with its identifiers masked (extract::mask_identifiers).
  using Masker = std::function<std::string(std::string_view)>;

  // `data_key` seals page text and URLs; `tag_key` keys the URL tags and
  // listing dedupe hashes. Both derived from the HMAC key by the caller.
  ListingPrivacy(const Key& data_key, const Key& tag_key, Masker mask);

  std::string mask(std::string_view text) const { return mask_(text); }
  // How a canonical URL is stored: itself when it carries no identifier,
  // else its masked form + "#lw-" + 32 hex digits of a keyed hash.
  std::string stored_url(std::string_view url) const;
  // A 16-byte keyed hash (BLAKE2b keyed with the tag key) as 32 hex digits.
  std::string tag(std::string_view text) const;
  // nonce (24 bytes) || secretbox ciphertext of `plaintext`.
  std::string seal(std::string_view plaintext) const;
  // The plaintext of seal()'s output; nullopt when it was sealed under
  // another key or altered.
  std::optional<std::string> open(std::string_view sealed) const;

 private:
  Key data_key_;
  Key tag_key_;
  Masker mask_;
};

}  // namespace leakwatch::db
