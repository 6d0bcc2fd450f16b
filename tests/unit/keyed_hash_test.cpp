#include <doctest/doctest.h>

#include <sys/stat.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "identity/keyed_hash.h"

using leakwatch::identity::HashKey;
using leakwatch::identity::KeyedHash;
using leakwatch::identity::Kind;
using leakwatch::identity::parse_hex;
using leakwatch::identity::to_hex;

namespace {

// 32 bytes 00 01 02 ... 1f.
constexpr const char* kTestKeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

std::vector<std::uint8_t> test_key_bytes() {
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 32; ++i) bytes.push_back(static_cast<std::uint8_t>(i));
  return bytes;
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "leakwatch-key-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::filesystem::path write(const std::string& name, const std::string& content, mode_t mode = 0600) {
    auto p = path / name;
    std::ofstream(p, std::ios::binary) << content;
    chmod(p.c_str(), mode);
    return p;
  }
};

std::string load_error(const std::filesystem::path& p) {
  try {
    HashKey::load(p);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("keyed_hash: HMAC-SHA256 truncated to 16 bytes matches an independent computation") {
  // Expected values computed once with OpenSSL's command line:
  //   printf 'email:zhang.wei@icloud.com' | openssl dgst -sha256 -mac HMAC
  //     -macopt hexkey:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
  //   (one command line)
  //   = a4f5eac6b64424e1bcfabfce3db7fcbd45fc1f1b1c19602dd0aeae364d480908
  //   printf 'phone:+8613812345678' | openssl dgst ... (same key)
  //   = 100734b86085832f905a084532ef846c767ae47449c853bb4473fc1ee9ee212c
  HashKey key(test_key_bytes());
  CHECK(to_hex(key.hash(Kind::kEmail, "zhang.wei@icloud.com")) == "a4f5eac6b64424e1bcfabfce3db7fcbd");
  CHECK(to_hex(key.hash(Kind::kPhone, "+8613812345678")) == "100734b86085832f905a084532ef846c");
  // A message longer than hash()'s one-update buffer (330 'a's + "@qq.com"):
  //   printf 'email:aaa...a@qq.com' | openssl dgst ... (same key)
  //   = 15b764fb1db5d737230b67477ec738da524c30b2af5eef679130d35ae62634ac
  CHECK(to_hex(key.hash(Kind::kEmail, std::string(330, 'a') + "@qq.com")) ==
        "15b764fb1db5d737230b67477ec738da");
}

TEST_CASE("keyed_hash: the kind is part of the message") {
  HashKey key(test_key_bytes());
  CHECK(key.hash(Kind::kEmail, "x") != key.hash(Kind::kName, "x"));
}

TEST_CASE("keyed_hash: a different key gives a different hash") {
  auto bytes = test_key_bytes();
  bytes[0] ^= 1;
  CHECK(HashKey(bytes).hash(Kind::kPhone, "+8613812345678") !=
        HashKey(test_key_bytes()).hash(Kind::kPhone, "+8613812345678"));
}

TEST_CASE("keyed_hash: keys shorter than 32 bytes are refused") {
  CHECK_THROWS_AS(HashKey(std::vector<std::uint8_t>(31, 7)), std::invalid_argument);
}

TEST_CASE("keyed_hash: with_version keeps the key bytes") {
  HashKey key(test_key_bytes());
  HashKey v2 = key.with_version(2);
  CHECK(key.version() == 1);
  CHECK(v2.version() == 2);
  CHECK(v2.hash(Kind::kEmail, "a@qq.com") == key.hash(Kind::kEmail, "a@qq.com"));
}

TEST_CASE("keyed_hash: key file with hex and surrounding whitespace loads") {
  TempDir dir;
  HashKey key = HashKey::load(dir.write("key", std::string("\n  ") + kTestKeyHex + "\n"));
  CHECK(to_hex(key.hash(Kind::kEmail, "zhang.wei@icloud.com")) == "a4f5eac6b64424e1bcfabfce3db7fcbd");
}

TEST_CASE("keyed_hash: key file in upper case, split over lines, loads the same key") {
  TempDir dir;
  std::string hex = kTestKeyHex;
  for (char& c : hex) c = static_cast<char>(toupper(c));
  hex.insert(32, "\n");
  HashKey key = HashKey::load(dir.write("key", hex));
  CHECK(to_hex(key.hash(Kind::kEmail, "zhang.wei@icloud.com")) == "a4f5eac6b64424e1bcfabfce3db7fcbd");
}

TEST_CASE("keyed_hash: a key file group or others may access is refused before it is read") {
  TempDir dir;
  for (mode_t mode : {0644, 0640, 0604, 0660, 0601, 0610}) {
    CAPTURE(mode);
    auto p = dir.write("key" + std::to_string(mode), kTestKeyHex, mode);
    try {
      HashKey::load(p);
      FAIL("loaded a key file of mode " << mode);
    } catch (const leakwatch::identity::KeyFileError& e) {
      CHECK(e.reason == leakwatch::identity::KeyFileError::Reason::kOpenMode);
      std::string what = e.what();
      CHECK(what.find(p.string()) != std::string::npos);
      CHECK(what.find("chmod 600 " + p.string()) != std::string::npos);
      CHECK(what.find(kTestKeyHex) == std::string::npos);
    }
  }
  CHECK_NOTHROW(HashKey::load(dir.write("key-0400", kTestKeyHex, 0400)));
  CHECK_NOTHROW(HashKey::load(dir.write("key-0600", kTestKeyHex, 0600)));
}

TEST_CASE("keyed_hash: the fingerprint names the key without being any identifier's hash") {
  HashKey key(test_key_bytes());
  std::string fp = key.fingerprint();
  CHECK(fp.size() == 32);
  CHECK(fp == key.with_version(7).fingerprint());  // the key bytes, not the version
  auto other_bytes = test_key_bytes();
  other_bytes[0] ^= 1;
  CHECK(HashKey(other_bytes).fingerprint() != fp);
  CHECK(fp.find("000102030405") == std::string::npos);
  for (Kind kind : {Kind::kEmail, Kind::kPhone}) {
    CHECK(to_hex(key.hash(kind, "leakwatch key fingerprint v1")) != fp);
  }
}

TEST_CASE("keyed_hash: key file errors name the file and never show key bytes") {
  TempDir dir;
  SUBCASE("missing") {
    auto p = dir.path / "absent";
    std::string e = load_error(p);
    CHECK(e.find(p.string()) != std::string::npos);
    CHECK(e.find("not found") != std::string::npos);
  }
  SUBCASE("empty") {
    auto p = dir.write("empty", "  \n");
    std::string e = load_error(p);
    CHECK(e.find(p.string()) != std::string::npos);
    CHECK(e.find("empty") != std::string::npos);
  }
  SUBCASE("too short") {
    auto p = dir.write("short", std::string(kTestKeyHex).substr(0, 62));
    std::string e = load_error(p);
    CHECK(e.find(p.string()) != std::string::npos);
    CHECK(e.find("too short") != std::string::npos);
    CHECK(e.find("0001020304") == std::string::npos);
  }
  SUBCASE("odd digit count") {
    auto p = dir.write("odd", std::string(kTestKeyHex) + "a");
    CHECK(load_error(p).find(p.string()) != std::string::npos);
  }
  SUBCASE("not hex") {
    std::string content = std::string(kTestKeyHex) + "zz";
    auto p = dir.write("nothex", content);
    std::string e = load_error(p);
    CHECK(e.find(p.string()) != std::string::npos);
    CHECK(e.find("hex") != std::string::npos);
    CHECK(e.find("0001020304") == std::string::npos);
  }
  SUBCASE("a directory") {
    std::string e = load_error(dir.path);
    CHECK(e.find(dir.path.string()) != std::string::npos);
  }
}

TEST_CASE("keyed_hash: to_hex and parse_hex round-trip, with or without uuid dashes") {
  KeyedHash h{};
  for (size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(i * 17);
  std::string hex = to_hex(h);
  CHECK(hex.size() == 32);
  KeyedHash back{};
  REQUIRE(parse_hex(hex, &back));
  CHECK(back == h);
  std::string uuid = hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
                     hex.substr(16, 4) + "-" + hex.substr(20);
  KeyedHash from_uuid{};
  REQUIRE(parse_hex(uuid, &from_uuid));
  CHECK(from_uuid == h);
  CHECK(parse_hex("A4F5EAC6B64424E1BCFABFCE3DB7FCBD", nullptr));
  CHECK_FALSE(parse_hex(hex.substr(0, 31), &back));
  CHECK_FALSE(parse_hex(hex + "00", &back));
  CHECK_FALSE(parse_hex(std::string("g").append(hex, 1), &back));
  CHECK_FALSE(parse_hex("", &back));
  CHECK_FALSE(parse_hex("-" + hex, &back));
}
