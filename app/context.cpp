#include "app/context.h"

#include <cstdlib>

#include "core/errors.h"
#include "db/connection.h"
#include "db/store_error.h"
#include "db/run_lock.h"
#include "extract/mask_text.h"

namespace leakwatch::app {

const Config& Context::config() {
  if (!config_) config_ = load_config(options_.config_path);
  return *config_;
}

std::string Context::config_origin() {
  if (config().file.empty()) return "";
  if (options_.config_path) return "--config";
  if (const char* env = std::getenv("LEAKWATCH_CONFIG"); env != nullptr && *env != '\0') {
    return "$LEAKWATCH_CONFIG";
  }
  return "./leakwatch.toml";
}

std::string Context::database_url() {
  if (options_.database_url) return *options_.database_url;
  if (const char* env = std::getenv("LEAKWATCH_DATABASE_URL"); env != nullptr && *env != '\0') return env;
  return config().database_url;
}

std::string Context::database_origin() {
  if (options_.database_url) return "--database";
  if (const char* env = std::getenv("LEAKWATCH_DATABASE_URL"); env != nullptr && *env != '\0') {
    return "$LEAKWATCH_DATABASE_URL";
  }
  if (!config().database_url.empty()) return config().file.string() + " [database] url";
  return "";
}

db::Connection& Context::database() {
  if (!database_) {
    url_ = database_url();
    // Every connection of the process, the crawl's writer's too.
    db::set_default_session_limits({.lock_timeout_ms = int64_t{config().lock_timeout_s} * 1000,
                                    .statement_timeout_ms = int64_t{config().statement_timeout_s} * 1000,
                                    .application_name = application_name_});
    try {
      database_ = db::connect(url_, database_origin());
    } catch (const RuntimeError& e) {
      // Nothing said where the database is: libpq's defaults were tried. Say
      // why, before the user goes looking at the server.
      if (!url_.empty() || !config().file.empty()) throw;
      throw RuntimeError(std::string(e.what()) +
                         "; no config file was found (--config FILE, $LEAKWATCH_CONFIG or ./leakwatch.toml) "
                         "and no --database or $LEAKWATCH_DATABASE_URL was given, so libpq's defaults were "
                         "tried (`leakwatch doctor` checks the set-up)");
    }
    server_ = db::server_address(*database_);
  }
  return *database_;
}

std::string Context::describe_failure(const std::exception& e) {
  // pqxx reports a lost connection in many ways (broken_connection, an
  // sql_error, "Could not obtain client encoding: not connected." from the
  // next transaction, or wrapped by a stage); the connection's state says
  // what happened whatever the message.
  bool lost = connection_lost(e);
  std::string line;
  if (const auto* store = dynamic_cast<const db::StoreError*>(&e)) {
    line = store->doing() + ": " + db::describe_failure(store->cause(), lost, server_);
  } else {
    line = db::describe_failure(e.what(), lost, server_);
  }
  // The server's words name the setting, not where it comes from; the
  // statement it quotes ("LINE 1: SELECT ...") helps no one here.
  const bool timeout = line.find("canceling statement due to") != std::string::npos;
  if (timeout && line.find(" LINE ") != std::string::npos) line.erase(line.find(" LINE "));
  if (line.find("canceling statement due to lock timeout") != std::string::npos) {
    line = "gave up waiting for a lock after " + std::to_string(config().lock_timeout_s) +
           " s ([database] lock_timeout_s): another session holds a lock on a table this needs (" + line +
           ")";
  } else if (line.find("canceling statement due to statement timeout") != std::string::npos) {
    line = "a statement ran longer than " + std::to_string(config().statement_timeout_s) +
           " s ([database] statement_timeout_s) and was cancelled (" + line + ")";
  }
  return mask(db::redact_secrets(std::move(line), url_));
}

std::string Context::mask(std::string_view text) {
  if (!masker_) {
    extract::ExtractorOptions options;
    try {
      options.default_region = config().default_region;
      masker_ = std::make_unique<extract::Extractor>(options);
    } catch (const std::exception&) {
      options.default_region = "CN";
      masker_ = std::make_unique<extract::Extractor>(options);
    }
  }
  return extract::mask_identifiers(*masker_, text);
}

const db::ListingPrivacy& Context::listing_privacy() {
  if (privacy_) return *privacy_;
  const identity::HashKey& key = hash_key();
  mask("");  // builds the masker
  // Derived, not a second key file: the data key is as well kept as the HMAC
  // key because it is the HMAC key's, and there is one secret to guard.
  privacy_.emplace(key.derive_key(db::kDataKeyPurpose), key.derive_key(db::kTagKeyPurpose),
                   [this](std::string_view text) { return extract::mask_identifiers(*masker_, text); });
  return *privacy_;
}

std::optional<std::filesystem::path> Context::key_file_path() {
  if (const char* env = std::getenv("LEAKWATCH_HMAC_KEY_FILE"); env != nullptr && *env != '\0') {
    return std::filesystem::path(env);
  }
  return config().key_file;
}

const identity::HashKey& Context::hash_key() {
  if (key_) return *key_;
  auto path = key_file_path();
  if (!path) {
    throw ConfigError(
        "no HMAC key: set [hashing] key_file in the config or $LEAKWATCH_HMAC_KEY_FILE "
        "(create one with: openssl rand -hex 32 > leakwatch.key && chmod 600 leakwatch.key)");
  }
  try {
    key_ = identity::HashKey::load(*path);
  } catch (const std::exception& e) {
    throw ConfigError(e.what());
  }
  key_ = key_->with_version(config().key_version);
  return *key_;
}

}  // namespace leakwatch::app
