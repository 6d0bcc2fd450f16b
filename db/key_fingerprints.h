// The `key_fingerprints` table (schema/0031_create_key_fingerprints.sql): the
// fingerprint of the HMAC key that hashed the customer set, per key_version.
//
// Not thread-safe; the connection must outlive each call. Errors are
// leakwatch::RuntimeError with the server's message.
#pragma once

#include <optional>
#include <string>

#include <pqxx/pqxx>

namespace leakwatch::db {

// Records `fingerprint` for `key_version` unless one is stored already, and
// returns the stored one (the new one, or the one that was there).
std::string record_key_fingerprint(pqxx::connection& conn, int key_version, const std::string& fingerprint);

// The stored fingerprint of `key_version`; nullopt when none is stored.
std::optional<std::string> stored_key_fingerprint(pqxx::connection& conn, int key_version);

}  // namespace leakwatch::db
