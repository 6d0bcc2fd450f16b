#include "identity/keyed_hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "core/hex.h"

namespace leakwatch::identity {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& cause,
                       KeyFileError::Reason reason = KeyFileError::Reason::kMalformed) {
  throw KeyFileError(reason, "HMAC key file " + path.string() + ": " + cause);
}

}  // namespace

HashKey HashKey::load(const std::filesystem::path& path) {
  using Reason = KeyFileError::Reason;
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) fail(path, "not found", Reason::kMissing);
  if (std::filesystem::is_directory(status)) fail(path, "is a directory", Reason::kUnreadable);
  using std::filesystem::perms;
  if ((status.permissions() & (perms::group_all | perms::others_all)) != perms::none) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.permissions() & perms::mask));
    fail(path,
         std::string("has mode ") + mode + ": it must not be accessible by group or others; fix: chmod 600 " +
             path.string(),
         Reason::kOpenMode);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot be read: ") + std::strerror(errno), Reason::kUnreadable);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail(path, "read error", Reason::kUnreadable);
  std::string text = buffer.str();

  // Errors say where the file went wrong, never what the key bytes are.
  std::vector<std::uint8_t> bytes;
  int high = -1;
  size_t digits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (is_space(c)) continue;
    int v = hex_value(c);
    if (v < 0) {
      OPENSSL_cleanse(text.data(), text.size());
      fail(path, "not hex text (a non-hex character at byte " + std::to_string(i + 1) + ")");
    }
    ++digits;
    if (high < 0) {
      high = v;
    } else {
      bytes.push_back(static_cast<std::uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  OPENSSL_cleanse(text.data(), text.size());
  if (digits == 0) fail(path, "empty (expected at least 64 hex digits)");
  if (high >= 0) fail(path, "odd number of hex digits");
  if (digits < 64) {
    fail(path, "key too short: " + std::to_string(digits) + " hex digits, at least 64 needed (32 bytes)");
  }
  return HashKey(std::move(bytes));
}

HashKey::HashKey(std::vector<std::uint8_t> bytes, int version) : bytes_(std::move(bytes)), version_(version) {
  if (bytes_.size() < 32) throw std::invalid_argument("HMAC key shorter than 32 bytes");
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) throw std::runtime_error("HMAC unavailable (OpenSSL EVP_MAC_fetch)");
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);  // the context keeps its own reference
  if (ctx == nullptr) throw std::runtime_error("HMAC context allocation failed (OpenSSL)");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx, bytes_.data(), bytes_.size(), params) != 1) {
    EVP_MAC_CTX_free(ctx);
    throw std::runtime_error("HMAC-SHA256 key setup failed (OpenSSL)");
  }
  static std::atomic<std::uint64_t> next_serial{1};
  serial_ = next_serial.fetch_add(1);
  keyed_ = std::shared_ptr<const EVP_MAC_CTX>(
      ctx, [](const EVP_MAC_CTX* c) noexcept { EVP_MAC_CTX_free(const_cast<EVP_MAC_CTX*>(c)); });
}

KeyedHash HashKey::hash(Kind kind, std::string_view normalized) const {
  // kind and value are fed as one message, "kind:value", so an email and a
  // phone with the same text never share a hash.
  // Each thread keeps its own copy of the keyed context and re-arms it with
  // EVP_MAC_init(ctx, NULL key): HMAC then restarts from the stored key state
  // without allocating. The copy is tagged with the key's serial number.
  struct ThreadContext {
    std::uint64_t serial = 0;
    EVP_MAC_CTX* ctx = nullptr;
    ~ThreadContext() { EVP_MAC_CTX_free(ctx); }
  };
  thread_local ThreadContext local;
  if (local.serial != serial_ || local.ctx == nullptr) {
    EVP_MAC_CTX_free(local.ctx);
    local.ctx = EVP_MAC_CTX_dup(keyed_.get());
    local.serial = serial_;
  }
  EVP_MAC_CTX* ctx = local.ctx;
  // One update of "kind:value" (each update is a provider call); a value too
  // long for the buffer goes in three.
  std::string_view name = kind_name(kind);
  std::array<unsigned char, 320> message;
  const std::size_t length = name.size() + 1 + normalized.size();
  auto update = [&] {
    if (length <= message.size()) {
      std::memcpy(message.data(), name.data(), name.size());
      message[name.size()] = ':';
      std::memcpy(message.data() + name.size() + 1, normalized.data(), normalized.size());
      return EVP_MAC_update(ctx, message.data(), length) == 1;
    }
    return EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(name.data()), name.size()) == 1 &&
           EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(":"), 1) == 1 &&
           EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(normalized.data()),
                          normalized.size()) == 1;
  };
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t digest_len = 0;
  if (ctx == nullptr || EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 || !update() ||
      EVP_MAC_final(ctx, digest, &digest_len, sizeof digest) != 1 || digest_len < 16) {
    throw std::runtime_error("HMAC-SHA256 failed (OpenSSL)");
  }
  // The message holds the plaintext identifier: wipe it. (The digest is the
  // stored hash itself, nothing to hide.)
  OPENSSL_cleanse(message.data(), std::min(length, message.size()));
  KeyedHash out;
  std::memcpy(out.data(), digest, out.size());
  return out;
}

std::array<std::uint8_t, 32> HashKey::derive_key(std::string_view purpose) const {
  // The "kind:" prefix of hash() never starts with this label, so a derived
  // key is never a stored identifier hash.
  const std::string message = "leakwatch key derivation:" + std::string(purpose);
  std::array<std::uint8_t, 32> out{};
  size_t out_len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, bytes_.data(), bytes_.size(),
                reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(),
                out.size(), &out_len) == nullptr ||
      out_len != out.size()) {
    throw std::runtime_error("key derivation failed (OpenSSL HMAC-SHA256)");
  }
  return out;
}

std::string HashKey::fingerprint() const {
  // No identifier's message starts like this one ("email:", "phone:", "name:").
  static constexpr std::string_view kMessage = "leakwatch key fingerprint v1";
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(keyed_.get());
  if (ctx == nullptr) throw std::runtime_error("HMAC context copy failed (OpenSSL)");
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t digest_len = 0;
  bool ok =
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(kMessage.data()), kMessage.size()) == 1 &&
      EVP_MAC_final(ctx, digest, &digest_len, sizeof digest) == 1 && digest_len >= 16;
  EVP_MAC_CTX_free(ctx);
  if (!ok) throw std::runtime_error("HMAC-SHA256 failed (OpenSSL)");
  return leakwatch::to_hex(digest, 16);
}

std::string to_hex(const KeyedHash& hash) { return leakwatch::to_hex(hash.data(), hash.size()); }

bool parse_hex(std::string_view text, KeyedHash* out) {
  KeyedHash result{};
  size_t n = 0;
  int high = -1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '-') {
      // uuid form: dashes only after hex digit 8, 12, 16 and 20.
      size_t digits = n * 2 + (high >= 0 ? 1 : 0);
      if (high >= 0 || (digits != 8 && digits != 12 && digits != 16 && digits != 20)) return false;
      continue;
    }
    int v = hex_value(c);
    if (v < 0 || n >= result.size()) return false;
    if (high < 0) {
      high = v;
    } else {
      result[n++] = static_cast<std::uint8_t>(high * 16 + v);
      high = -1;
    }
  }
  if (n != result.size() || high >= 0) return false;
  if (out != nullptr) *out = result;
  return true;
}

}  // namespace leakwatch::identity
