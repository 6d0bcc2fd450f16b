// Masked forms of identifiers, the only form that may appear in logs, errors
// and reports: enough for a person to recognise their own address, not enough
// to harvest it. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "identity/identity.h"

namespace leakwatch::identity {

// "zhang.wei@icloud.com" -> "z***@icloud.com" (first character of the local
// part, then "***", then the domain). Expects a normalized email.
std::string mask_email(std::string_view email);
// "+8613812345678" -> "+86138****5678": country code and the first three
// national digits, then '*' for the middle, then the last four digits.
// Expects E.164.
std::string mask_phone(std::string_view e164);
// "Zhang Wei" -> "Z*** W***"; never more than the first character of a word.
std::string mask_name(std::string_view name);
std::string mask(Kind kind, std::string_view normalized);

}  // namespace leakwatch::identity
