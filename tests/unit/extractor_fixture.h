// What the extractor's unit tests share: one Extractor with the default
// options, and what it finds in a text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "extract/extractor.h"
#include "identity/identity.h"

using leakwatch::extract::Extractor;
using leakwatch::extract::ExtractorOptions;
using leakwatch::extract::FoundIdentifier;
using leakwatch::identity::Kind;
using leakwatch::identity::kind_name;

inline const Extractor& extractor() {
  static const Extractor e{ExtractorOptions{}};
  return e;
}

inline std::vector<FoundIdentifier> scan_all(std::string_view text) {
  std::vector<FoundIdentifier> out;
  extractor().scan(text, [&](const FoundIdentifier& f) { out.push_back(f); });
  return out;
}

// "kind:value" of every email and phone found, in order (names left out).
inline std::vector<std::string> ids(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& f : scan_all(text)) {
    if (f.identifier.kind == Kind::kName) continue;
    out.push_back(std::string(kind_name(f.identifier.kind)) + ":" + f.identifier.value);
  }
  return out;
}

using V = std::vector<std::string>;
inline const V kNone{};
inline const std::string kMobile = "phone:+8613812345678";
