#include "db/listing_privacy.h"

#include <sodium.h>

#include <stdexcept>

#include "core/hex.h"

namespace leakwatch::db {
namespace {

void init_sodium() {
  // sodium_init() is thread-safe and idempotent; it fails only without a
  // source of randomness.
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium could not be initialised (no randomness source)");
}

}  // namespace

ListingPrivacy::ListingPrivacy(const Key& data_key, const Key& tag_key, Masker mask)
    : data_key_(data_key), tag_key_(tag_key), mask_(std::move(mask)) {
  static_assert(sizeof(Key) == crypto_secretbox_xchacha20poly1305_KEYBYTES);
  init_sodium();
}

std::string ListingPrivacy::tag(std::string_view text) const {
  unsigned char out[16];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                     tag_key_.data(), tag_key_.size());
  return to_hex(out, sizeof out);
}

std::string ListingPrivacy::stored_url(std::string_view url) const {
  std::string masked = mask_(url);
  if (masked == url) return masked;
  return masked + "#lw-" + tag(url);
}

std::string ListingPrivacy::seal(std::string_view plaintext) const {
  constexpr std::size_t kNonce = crypto_secretbox_xchacha20poly1305_NONCEBYTES;
  constexpr std::size_t kMac = crypto_secretbox_xchacha20poly1305_MACBYTES;
  std::string out(kNonce + kMac + plaintext.size(), '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(bytes, kNonce);
  crypto_secretbox_xchacha20poly1305_easy(bytes + kNonce,
                                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                                          plaintext.size(), bytes, data_key_.data());
  return out;
}

std::optional<std::string> ListingPrivacy::open(std::string_view sealed) const {
  constexpr std::size_t kNonce = crypto_secretbox_xchacha20poly1305_NONCEBYTES;
  constexpr std::size_t kMac = crypto_secretbox_xchacha20poly1305_MACBYTES;
  if (sealed.size() < kNonce + kMac) return std::nullopt;
  std::string out(sealed.size() - kNonce - kMac, '\0');
  const auto* bytes = reinterpret_cast<const unsigned char*>(sealed.data());
  if (crypto_secretbox_xchacha20poly1305_open_easy(reinterpret_cast<unsigned char*>(out.data()),
                                                   bytes + kNonce, sealed.size() - kNonce, bytes,
                                                   data_key_.data()) != 0) {
    return std::nullopt;
  }
  return out;
}

}  // namespace leakwatch::db
