#include "db/key_fingerprints.h"

#include "db/store_error.h"

namespace leakwatch::db {
namespace {

constexpr const char* kRecord =
    "INSERT INTO key_fingerprints (key_version, fingerprint) VALUES ($1, $2) ON CONFLICT DO NOTHING";
constexpr const char* kRead = "SELECT fingerprint FROM key_fingerprints WHERE key_version = $1";

}  // namespace

std::string record_key_fingerprint(pqxx::connection& conn, int key_version, const std::string& fingerprint) {
  return store_call("recording the key fingerprint", [&] {
    pqxx::work tx(conn, "key fingerprint");
    tx.exec_params0(kRecord, key_version, fingerprint);
    std::string stored = tx.exec_params1(kRead, key_version)[0].as<std::string>();
    tx.commit();
    return stored;
  });
}

std::optional<std::string> stored_key_fingerprint(pqxx::connection& conn, int key_version) {
  return store_call("reading the key fingerprint", [&]() -> std::optional<std::string> {
    pqxx::read_transaction tx(conn, "key fingerprint");
    pqxx::result r = tx.exec_params(kRead, key_version);
    if (r.empty()) return std::nullopt;
    return r[0][0].as<std::string>();
  });
}

}  // namespace leakwatch::db
