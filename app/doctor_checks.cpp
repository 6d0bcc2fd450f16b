#include "app/doctor_checks.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <string_view>

#include "app/crawl_config.h"
#include "app/doctor_network.h"
#include "core/errors.h"
#include "db/connection.h"
#include "db/health.h"
#include "db/key_fingerprints.h"
#include "db/migrations.h"

namespace leakwatch::app {
namespace {

constexpr const char* kKeyCommand = "(umask 077; openssl rand -hex 32 > FILE)";

struct Checks {
  Context& ctx;
  const DoctorOptions& options;
  std::vector<CheckResult> results;
  db::Connection* conn = nullptr;  // set when the database answered
  bool schema_current = false;

  void add(std::string check, CheckStatus status, std::string message, std::string fix = {}) {
    results.push_back({std::move(check), status, std::move(message), std::move(fix)});
  }
};

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) value /= 1024, ++unit;
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return text;
}

// False when the config does not parse: every other check needs it.
bool check_config(Checks& c) {
  const std::string fix =
      "correct that line of the file (unknown keys are typos: the message lists the known ones); the other "
      "checks need a config that parses";
  const Config* config = nullptr;
  try {
    config = &c.ctx.config();
  } catch (const ConfigError& e) {
    c.add("config", CheckStatus::kFail, e.what(), fix);
    return false;
  }
  if (config->file.empty()) {
    c.add("config", CheckStatus::kWarn,
          "no config file found (--config, $LEAKWATCH_CONFIG, ./leakwatch.toml): defaults and the "
          "environment only, no sources",
          "export LEAKWATCH_CONFIG=/etc/leakwatch/leakwatch.toml (or pass --config FILE)");
    return true;
  }
  std::string found = config->file.string() + " (" + c.ctx.config_origin() + ") parses";
  try {
    // Reading the crawl options checks [crawl] and every [[source]] too.
    auto crawl = read_crawl_options(*config, {});
    std::string names;
    for (const auto& s : crawl.sources) names += (names.empty() ? "" : ", ") + s.name;
    c.add("config", CheckStatus::kOk,
          found + "; " + std::to_string(crawl.sources.size()) + " source(s): " + names);
    return true;
  } catch (const ConfigError& e) {
    // Without a [[source]], read_crawl_options says so last, after checking [crawl].
    if (config->table.get("source") == nullptr &&
        std::string_view(e.what()).ends_with("no [[source]] to crawl")) {
      c.add("config", CheckStatus::kWarn, found + ", but holds no [[source]]: `run` has nothing to crawl",
            "add a [[source]] table with name and seeds (see the commented example leakwatch.toml)");
      return true;
    }
    c.add("config", CheckStatus::kFail, e.what(), fix);
    return false;
  }
}

void check_database(Checks& c) {
  std::string origin = c.ctx.database_origin();
  try {
    c.conn = &c.ctx.database();
  } catch (const ConfigError& e) {
    c.add("database", CheckStatus::kFail, c.ctx.describe_failure(e),
          "correct the connection string in " + (origin.empty() ? "the PG* variables" : origin));
    return;
  } catch (const std::exception& e) {
    c.add("database", CheckStatus::kFail, c.ctx.describe_failure(e),
          "start PostgreSQL (systemctl start postgresql) or correct " +
              (origin.empty() ? std::string("the PG* variables (or set [database] url)") : origin));
    return;
  }
  c.add("database", CheckStatus::kOk,
        "connected to " + db::redact_url(c.ctx.database_url()) + " (" + db::server_address(*c.conn) + ")");
  try {
    auto states = db::migration_status(*c.conn);
    std::string pending;
    for (const auto& s : states) {
      if (!s.applied_at) pending += (pending.empty() ? "" : ", ") + s.name;
    }
    c.schema_current = pending.empty();
    if (c.schema_current) {
      c.add("migrations", CheckStatus::kOk,
            "all " + std::to_string(states.size()) + " migrations applied (latest " +
                (states.empty() ? std::string("none") : states.back().name) + ")");
    } else {
      c.add("migrations", CheckStatus::kFail, "not applied: " + pending, "leakwatch db migrate");
    }
    auto rights = db::role_rights(*c.conn, !c.schema_current);
    if (rights.missing.empty()) {
      c.add("rights", CheckStatus::kOk, "role " + rights.role + " may read and write every leakwatch table");
    } else {
      std::string list;
      for (const auto& m : rights.missing) list += (list.empty() ? "" : "; ") + m;
      c.add("rights", CheckStatus::kFail, "role " + rights.role + " lacks " + list,
            "as the tables' owner: GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " +
                rights.role + "; GRANT TEMPORARY ON DATABASE <db> TO " + rights.role +
                " (and CREATE ON SCHEMA public for `db migrate`)");
    }
  } catch (const std::exception& e) {
    c.add("migrations", CheckStatus::kFail, c.ctx.describe_failure(e), "see the database's log");
  }
}

std::string mode_text(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "?";
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return text;
}

std::string key_fix(identity::KeyFileError::Reason reason, const std::string& file) {
  using Reason = identity::KeyFileError::Reason;
  std::string create = kKeyCommand;
  create.replace(create.find("FILE"), 4, file);
  switch (reason) {
    case Reason::kMissing:
      return "point [hashing] key_file at the key the customers were imported with, or create a new one: " +
             create + " (a new key matches none of the customers imported before)";
    case Reason::kOpenMode:
      return "chmod 600 " + file;
    case Reason::kUnreadable:
      return "make it a file the user leakwatch runs as can read: chown THAT_USER " + file + "; chmod 600 " +
             file;
    case Reason::kMalformed:
      return "the file holds the key as at least 64 hex digits; a new one: " + create;
  }
  return {};
}

void check_fingerprint(Checks& c, const identity::HashKey& key) {
  if (c.conn == nullptr || !c.schema_current) {
    c.add("key fingerprint", CheckStatus::kSkip, "needs the database with every migration applied");
    return;
  }
  const int version = c.ctx.config().key_version;
  std::string mine = key.fingerprint();
  try {
    auto stored = db::stored_key_fingerprint(*c.conn, version);
    if (!stored) {
      c.add("key fingerprint", CheckStatus::kWarn,
            "none stored for key_version " + std::to_string(version) +
                ": nothing says which key hashed the customer set",
            "`leakwatch customers import FILE` with the customers' file records it (a re-import adds "
            "nothing else)");
    } else if (*stored == mine) {
      c.add("key fingerprint", CheckStatus::kOk,
            mine.substr(0, 12) + "... matches the customer set's (key_version " + std::to_string(version) +
                ")");
    } else {
      c.add("key fingerprint", CheckStatus::kFail,
            "the key file's fingerprint " + mine.substr(0, 12) + "... is not the customer set's " +
                stored->substr(0, 12) + "... (key_version " + std::to_string(version) +
                "): this key matches no customer",
            "point [hashing] key_file at the key the customers were imported with (or set a new "
            "key_version and import the customers again)");
    }
  } catch (const std::exception& e) {
    c.add("key fingerprint", CheckStatus::kFail, c.ctx.describe_failure(e), "see the database's log");
  }
}

void check_key(Checks& c) {
  auto path = c.ctx.key_file_path();
  if (!path) {
    std::string create = kKeyCommand;
    create.replace(create.find("FILE"), 4, "/etc/leakwatch/leakwatch.key");
    c.add("key", CheckStatus::kFail,
          "no HMAC key file: [hashing] key_file and $LEAKWATCH_HMAC_KEY_FILE unset",
          create + ", then key_file = \"leakwatch.key\" under [hashing]");
    return;
  }
  const std::string file = path->string();
  try {
    auto key = identity::HashKey::load(*path);
    c.add("key", CheckStatus::kOk, file + ": mode " + mode_text(*path) + ", " + "readable, well-formed");
    check_fingerprint(c, key);
  } catch (const identity::KeyFileError& e) {
    c.add("key", CheckStatus::kFail, e.what(), key_fix(e.reason, file));
  }
}

bool is_local_server(std::string_view address) {
  if (address.starts_with("/")) return true;  // a Unix-socket directory
  std::string_view host = address.substr(0, address.rfind(':'));
  return host == "localhost" || host.starts_with("127.") || host == "::1" || host == "[::1]";
}

void check_disk(Checks& c) {
  if (c.conn == nullptr) {
    c.add("disk", CheckStatus::kSkip, "needs the database");
    return;
  }
  try {
    auto storage = db::database_storage(*c.conn);
    std::string size = "database " + human_bytes(static_cast<uint64_t>(storage.database_bytes));
    std::string server = db::server_address(*c.conn);
    if (!storage.data_directory) {
      c.add("disk", CheckStatus::kSkip,
            size + "; the role may not see the server's data directory, so its free space is unknown",
            "watch the database server's disk, or GRANT pg_read_all_settings TO the role");
      return;
    }
    std::error_code ec;
    std::filesystem::space_info space = std::filesystem::space(*storage.data_directory, ec);
    if (ec || !is_local_server(server)) {
      c.add("disk", CheckStatus::kSkip,
            size + "; its data directory " + *storage.data_directory + " is on " + server +
                ", not readable from here",
            "watch that machine's disk");
      return;
    }
    const uint64_t min_free = static_cast<uint64_t>(c.options.min_free_mb) * 1024 * 1024;
    CheckStatus status = judge_free_space(space.available, storage.database_bytes, min_free);
    std::string message = human_bytes(space.available) + " free of " + human_bytes(space.capacity) + " at " +
                          *storage.data_directory + "; " + size;
    std::string fix;
    if (status != CheckStatus::kOk) {
      fix =
          "free space on that file system (`leakwatch purge` drops raw page text past [retention] days); "
          "below " +
          human_bytes(min_free) + " (--min-free-mb) is a failure";
    }
    c.add("disk", status, message, fix);
  } catch (const std::exception& e) {
    c.add("disk", CheckStatus::kFail, c.ctx.describe_failure(e), "see the database's log");
  }
}

}  // namespace

std::string_view to_string(CheckStatus status) {
  switch (status) {
    case CheckStatus::kOk:
      return "ok";
    case CheckStatus::kSkip:
      return "skip";
    case CheckStatus::kWarn:
      return "warn";
    case CheckStatus::kFail:
      return "fail";
  }
  return "fail";
}

CheckStatus judge_free_space(uint64_t available, int64_t database_bytes, uint64_t min_free) {
  if (available < min_free) return CheckStatus::kFail;
  if (available < 4 * min_free || available < static_cast<uint64_t>(std::max<int64_t>(database_bytes, 0))) {
    return CheckStatus::kWarn;
  }
  return CheckStatus::kOk;
}

std::vector<CheckResult> run_doctor_checks(Context& ctx, const DoctorOptions& options) {
  Checks c{ctx, options, {}};
  if (!check_config(c)) return std::move(c.results);
  check_database(c);
  check_key(c);
  for (auto& r : check_network(ctx)) c.results.push_back(std::move(r));
  check_disk(c);
  return std::move(c.results);
}

int doctor_exit_code(const std::vector<CheckResult>& results) {
  int code = 0;
  for (const auto& r : results) {
    if (r.status == CheckStatus::kFail) code = 2;
    if (r.status == CheckStatus::kWarn) code = std::max(code, 1);
  }
  return code;
}

}  // namespace leakwatch::app
