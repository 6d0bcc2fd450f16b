// What every command may need, built lazily so that each command builds only
// what it uses (`scan --all` opens no database, `db status` loads no key).
// Not thread-safe: owned by main() and used by one command.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "app/config.h"
#include "db/connection.h"
#include "db/listing_privacy.h"
#include "extract/extractor.h"
#include "identity/keyed_hash.h"

namespace leakwatch::app {

struct GlobalOptions {
  std::optional<std::filesystem::path> config_path;  // --config
  std::optional<std::string> database_url;           // --database
};

class Context {
 public:
  // `options` is filled by the command-line parser and must outlive the context.
  explicit Context(const GlobalOptions& options) : options_(options) {}

  const Config& config();
  // Where config() comes from: "--config", "$LEAKWATCH_CONFIG",
  // "./leakwatch.toml", or "" when no config file was found.
  std::string config_origin();
  // --database, else $LEAKWATCH_DATABASE_URL, else [database] url, else ""
  // (libpq then reads PG* variables).
  std::string database_url();
  // Where database_url() comes from, for messages: "--database",
  // "$LEAKWATCH_DATABASE_URL", "FILE [database] url", or "" (PG* variables).
  std::string database_origin();
  // Connects on first use, with the session's lock and statement timeouts
  // from [database]; throws RuntimeError naming the (redacted) URL, or
  // ConfigError for a connection string that does not parse.
  db::Connection& database();
  // How the session is named in pg_stat_activity (before database() connects).
  void set_application_name(std::string name) { application_name_ = std::move(name); }
  // One line for the failure `e` of a command or stage: "lost the connection
  // to the database at HOST:PORT (...)" when the connection is gone, else
  // e.what() on one line; never the database password.
  std::string describe_failure(const std::exception& e);
  // True when the failure `e` came from a lost database session: database()'s
  // is gone (until pqxx reconnects at the next transaction), or `e` says so
  // (the crawl's writer has a connection of its own).
  bool connection_lost(const std::exception& e) const {
    return (database_ != nullptr && !database_->is_open()) || db::is_connection_loss(e);
  }
  // $LEAKWATCH_HMAC_KEY_FILE, else [hashing] key_file. No key is a
  // ConfigError, never a default key; so is a key file HashKey::load refuses
  // (missing, malformed, or open to group or others).
  const identity::HashKey& hash_key();
  // `text` with its identifiers masked (extract::mask_identifiers), for
  // every message that may hold listing text or URLs. Never throws for a
  // bad config: the masker then reads numbers as [identity]'s default, CN.
  std::string mask(std::string_view text);
  // Masking and sealing for what the stages store (db/listing_privacy.h),
  // with keys derived from hash_key(): throws as hash_key() does.
  const db::ListingPrivacy& listing_privacy();
  // Where hash_key() reads the key: $LEAKWATCH_HMAC_KEY_FILE, else [hashing]
  // key_file; nullopt when neither is set.
  std::optional<std::filesystem::path> key_file_path();

  int exit_code = 0;
  // Exit status of a thrown runtime failure (`scan` follows grep: 2).
  int failure_exit_code = 1;

 private:
  const GlobalOptions& options_;
  std::optional<Config> config_;
  std::unique_ptr<db::Connection> database_;
  std::string url_;     // the connection string of database_
  std::string server_;  // "host:port" of database_, read while it was connected
  std::string application_name_ = "leakwatch";
  std::optional<identity::HashKey> key_;
  std::unique_ptr<extract::Extractor> masker_;
  std::optional<db::ListingPrivacy> privacy_;
};

}  // namespace leakwatch::app
