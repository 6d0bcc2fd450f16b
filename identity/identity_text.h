// The steps of identity normalization (identity.h), exposed so that the
// extractor can run them on candidates it has already cut out of a page
// without repeating work. Callers outside identity/ and extract/ use identity.h.
// Thread-safe: pure functions.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "identity/identity.h"

namespace leakwatch::identity::detail {

// A byte-class table: true for ASCII letters, digits and the bytes of
// `extra` (the address scanners ask one for every byte they walk).
constexpr std::array<bool, 256> alnum_and(std::string_view extra) {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
  for (char c : extra) table[static_cast<unsigned char>(c)] = true;
  return table;
}

// NFKC of well-formed UTF-8 (ASCII is returned as is); nullopt for invalid
// UTF-8 or input over 1 MiB.
std::optional<std::string> nfkc_utf8(std::string_view text);
// Trims, drops "mailto:", rewrites "[at]"/"(at)"/"&#64;"/"%40"/" at " to '@'
// and "[dot]"/" dot " to '.'. Expects NFKC text. Does not validate.
std::string deobfuscate_email(std::string_view nfkc_text);
// Lowercases and validates a de-obfuscated address (see normalize_email).
tl::expected<std::string, Rejection> validate_email(std::string_view deobfuscated);
// Which of the deliberate refusals an address met (`scan --stats` counts
// them): a reserved or documentation domain (example.com, .test, .invalid,
// .localhost, .onion, ...), or a file name where the top-level domain would
// be (logo@2x.png); kOther for every other reason.
enum class EmailSkip { kNone, kReservedDomain, kFileName, kOther };
// As validate_email, without the reason (none is built): for callers that
// try many candidates and only keep addresses (the extractor). `skip`, when
// given, says which class of refusal it was.
std::optional<std::string> email_if_valid(std::string_view deobfuscated, EmailSkip* skip = nullptr);
// Strips "tel:", separators and invisible characters; returns the digits with
// an optional leading '+'. Rejects letters and other characters.
tl::expected<std::string, Rejection> phone_digits(std::string_view nfkc_text);
// Parses the output of phone_digits with libphonenumber ("00" read as an
// international prefix; a national number in each of split_regions(
// default_region) in turn, see normalize_phone) and returns E.164.
tl::expected<std::string, Rejection> parse_phone_digits(const std::string& digits,
                                                        std::string_view default_region);

}  // namespace leakwatch::identity::detail
