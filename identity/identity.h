// Identity: what a customer identifier is, and its one normalized form.
//
// Every identifier that is stored, hashed, matched or shown passes through
// these functions, so a customer imported from a CSV and the same person seen
// in a leaked listing end up with the same bytes, hence the same keyed hash.
// Thread-safe: all functions are pure; libphonenumber's PhoneNumberUtil is a
// process-wide singleton.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace leakwatch::identity {

enum class Kind { kEmail, kPhone, kName };

// "email", "phone", "name": the spelling used in the database, CSV and JSON.
std::string_view kind_name(Kind kind);
// Inverse of kind_name; nullopt for anything else.
std::optional<Kind> parse_kind(std::string_view name);

// A normalized identifier: `value` is the canonical text (lowercase email,
// E.164 phone, folded name). Plaintext: never store or log it.
struct Identifier {
  Kind kind;
  std::string value;
};

// Why an input was not accepted, in words fit for an error message. Never
// contains the input itself.
struct Rejection {
  std::string reason;
};

// NFKC, trim, de-obfuscate ("[at]", "(at)", " at ", "[dot]", "&#64;", "%40"),
// lowercase; then validate: one '@', local part 1..64 bytes, domain <= 253 with
// a real TLD (not an image/file extension like "png"), no reserved/example
// domain, no "localhost". Input may be any bytes; invalid UTF-8 is a Rejection.
tl::expected<std::string, Rejection> normalize_email(std::string_view text);

// The regions of a `default_region` setting: one ISO 3166 alpha-2 code
// ("CN") or several separated by commas or spaces ("US,CA"), uppercased, in
// order, empty entries dropped. Does not check that they exist.
std::vector<std::string> split_regions(std::string_view default_region);

// NFKC, strip separators, parse with libphonenumber unless the text carries
// a country code ("+", "00"), require a valid number, return E.164
// ("+8613812345678"). `default_region` is split_regions' list: a national
// number is read in each region in order and the first region in which it
// is a valid number settles it ("US,CA": 604 555 0100 is Canadian because
// it is not a valid US number; a number valid in both is the first's).
tl::expected<std::string, Rejection> normalize_phone(std::string_view text, std::string_view default_region);

// NFKC, Unicode case fold, whitespace runs collapsed to one space, trimmed.
// Empty or over 256 bytes after folding is a Rejection.
tl::expected<std::string, Rejection> normalize_name(std::string_view text);

// An Apple ID is an email or a phone number: classifies and normalizes it.
tl::expected<Identifier, Rejection> normalize_apple_id(std::string_view text,
                                                       std::string_view default_region);

}  // namespace leakwatch::identity
