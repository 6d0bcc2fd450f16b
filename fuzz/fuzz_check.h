// What the fuzz targets share: a check that stops the run with a message
// libFuzzer shows next to the reproducer, and equality of two found
// identifiers. Fuzz inputs are synthetic, so values are printed in full.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "extract/extractor.h"

namespace leakwatch::fuzz {

inline void print_found(const extract::FoundIdentifier& f) {
  std::fprintf(stderr, "  %s value=\"%s\" masked=\"%s\" offset=%zu length=%zu record=%zu\n",
               std::string(identity::kind_name(f.identifier.kind)).c_str(), f.identifier.value.c_str(),
               f.masked.c_str(), f.offset, f.length, f.record);
}

// Aborts (libFuzzer saves the input as crash-*) when `ok` is false.
inline void require(bool ok, const char* invariant, const extract::FoundIdentifier* found = nullptr) {
  if (ok) return;
  std::fprintf(stderr, "leakwatch fuzz: invariant broken: %s\n", invariant);
  if (found != nullptr) print_found(*found);
  std::abort();
}

inline bool same(const extract::FoundIdentifier& a, const extract::FoundIdentifier& b) {
  return a.identifier.kind == b.identifier.kind && a.identifier.value == b.identifier.value &&
         a.offset == b.offset && a.length == b.length && a.record == b.record && a.masked == b.masked &&
         a.hash == b.hash;
}

// Requires `got` to equal `want` identifier for identifier; prints the first
// difference.
inline void require_same(const std::vector<extract::FoundIdentifier>& want,
                         const std::vector<extract::FoundIdentifier>& got, const char* invariant) {
  std::size_t n = std::min(want.size(), got.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (same(want[i], got[i])) continue;
    std::fprintf(stderr, "leakwatch fuzz: invariant broken: %s; identifier %zu differs:\n", invariant, i);
    print_found(want[i]);
    print_found(got[i]);
    std::abort();
  }
  if (want.size() != got.size()) {
    std::fprintf(stderr, "leakwatch fuzz: invariant broken: %s; %zu identifiers, then %zu; first extra:\n",
                 invariant, want.size(), got.size());
    print_found(want.size() > n ? want[n] : got[n]);
    std::abort();
  }
}

}  // namespace leakwatch::fuzz
