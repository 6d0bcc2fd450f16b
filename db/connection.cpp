#include "db/connection.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <vector>

#include "core/errors.h"
#include "core/one_line.h"
#include "db/run_lock.h"
#include "db/store_error.h"

namespace leakwatch::db {
namespace {

struct ConninfoDeleter {
  void operator()(PQconninfoOption* options) const noexcept { PQconninfoFree(options); }
};
struct PqMemDeleter {
  void operator()(char* p) const noexcept { PQfreemem(p); }
};

constexpr std::string_view kUriSchemes[] = {"postgresql://", "postgres://"};
constexpr std::string_view kShownKeys[] = {"host", "hostaddr", "port", "dbname", "user"};

// A connection string as libpq parses it, reduced to what messages may show
// and the secrets they must not.
struct Parsed {
  bool parsed = false;
  std::string error;                         // why libpq could not parse it, nothing quoted
  std::string_view scheme;                   // "postgresql://" for a URI, else empty (key=value)
  bool ambiguous = false;                    // a URI whose '@' libpq and a person read differently
  std::string intended;                      // an ambiguous URI as a person meant it, password hidden
  std::map<std::string, std::string> shown;  // kShownKeys libpq found
  bool has_password = false;
  std::vector<std::string> secrets;  // every spelling of every secret
};

// libpq's parse errors quote the part of the string at fault, which may be
// the password ("invalid percent-encoded token: "p%zz...""): keep libpq's own
// words and its one-character literals ("=", "]"), drop everything from the
// first quote of user text on.
std::string unquoted_reason(std::string_view message) {
  std::string out;
  for (size_t i = 0; i < message.size() && message[i] != '\n'; ++i) {
    if (message[i] == '"') {
      bool literal = i + 2 < message.size() && message[i + 2] == '"' &&
                     std::string_view("=]:/").find(message[i + 1]) != std::string_view::npos;
      if (!literal) {
        out += "...";
        break;
      }
      out.append(message.substr(i, 3));
      i += 2;
      continue;
    }
    out += message[i];
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ':')) out.pop_back();
  return out.empty() ? "malformed" : out;
}

// The URI's user information as a person writes it: everything before the
// last '@' of the part before the query. libpq instead ends it at the first
// '@' or '/', so an unencoded '@' or '/' in a password makes the two differ
// and libpq takes the password's tail for a host, port or database name.
void read_uri_userinfo(std::string_view rest, Parsed* p) {
  std::string_view head = rest.substr(0, rest.find('?'));
  size_t at = head.rfind('@');
  if (at == std::string_view::npos) return;
  size_t libpq_separator = rest.find_first_of("@/");
  bool libpq_userinfo = libpq_separator != std::string_view::npos && rest[libpq_separator] == '@';
  p->ambiguous = std::count(head.begin(), head.end(), '@') > (libpq_userinfo ? 1 : 0);
  std::string_view userinfo = head.substr(0, at);
  size_t colon = userinfo.find(':');
  if (colon != std::string_view::npos && colon + 1 < userinfo.size()) {
    p->secrets.emplace_back(userinfo.substr(colon + 1));
  }
  p->intended = std::string(p->scheme) + std::string(userinfo.substr(0, colon)) +
                (colon != std::string_view::npos ? ":***" : "") + "@" + std::string(head.substr(at + 1));
}

Parsed parse(std::string_view url) {
  Parsed p;
  for (auto scheme : kUriSchemes) {
    if (url.starts_with(scheme)) p.scheme = scheme;
  }
  if (!p.scheme.empty()) read_uri_userinfo(url.substr(p.scheme.size()), &p);
  if (const char* env = std::getenv("PGPASSWORD"); env != nullptr && *env != '\0')
    p.secrets.emplace_back(env);

  const std::string text(url);
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoDeleter> options(PQconninfoParse(text.c_str(), &error));
  std::unique_ptr<char, PqMemDeleter> error_owner(error);
  if (!options) {
    p.error = error != nullptr ? unquoted_reason(error) : "out of memory";
    return p;
  }
  p.parsed = true;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    std::string_view keyword = o->keyword;
    // libpq marks secret options ("password", "sslpassword") for display as '*'.
    if (o->dispchar != nullptr && std::strchr(o->dispchar, '*') != nullptr) {
      if (*o->val != '\0') p.secrets.emplace_back(o->val);
      if (keyword == "password") p.has_password = true;
      continue;
    }
    if (std::find(std::begin(kShownKeys), std::end(kShownKeys), keyword) != std::end(kShownKeys)) {
      p.shown.emplace(std::string(keyword), o->val);
    }
  }
  return p;
}

std::vector<std::string_view> split_commas(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t comma; (comma = s.find(',', start)) != std::string_view::npos; start = comma + 1) {
    parts.push_back(s.substr(start, comma - start));
  }
  parts.push_back(s.substr(start));
  return parts;
}

// "h1:p1,h2:p2" for libpq's parallel host and port lists.
std::string hosts_and_ports(std::string_view hosts, std::string_view ports) {
  auto h = split_commas(hosts);
  auto p = split_commas(ports);
  if (ports.empty()) p.clear();
  std::string out;
  for (size_t i = 0; i < h.size(); ++i) {
    if (i > 0) out += ",";
    bool ipv6 = h[i].find(':') != std::string_view::npos;
    out += ipv6 ? "[" + std::string(h[i]) + "]" : std::string(h[i]);
    std::string_view port = p.size() == h.size() ? p[i] : (p.size() == 1 ? p[0] : std::string_view{});
    if (!port.empty()) out += ":" + std::string(port);
  }
  return out;
}

std::string kv_quoted(const std::string& value) {
  if (!value.empty() && value.find_first_of(" '\\") == std::string::npos) return value;
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string shown_form(const Parsed& p) {
  auto get = [&](const char* key) {
    auto it = p.shown.find(key);
    return it == p.shown.end() ? std::string() : it->second;
  };
  if (p.scheme.empty()) {
    std::string out;
    for (auto key : kShownKeys) {
      auto it = p.shown.find(std::string(key));
      if (it == p.shown.end()) continue;
      out += (out.empty() ? "" : " ") + std::string(key) + "=" + kv_quoted(it->second);
    }
    if (p.has_password) out += std::string(out.empty() ? "" : " ") + "password=***";
    return out.empty() ? "(libpq defaults)" : out;
  }
  std::string host = get("host").empty() ? get("hostaddr") : get("host");
  std::string out(p.scheme);
  if (!get("user").empty() || p.has_password) out += get("user") + (p.has_password ? ":***" : "") + "@";
  bool socket = host.starts_with('/');
  if (!socket) out += hosts_and_ports(host, get("port"));
  out += "/" + get("dbname");
  if (socket) out += "?host=" + host + (get("port").empty() ? "" : "&port=" + get("port"));
  return out;
}

// Empty for a key=value string libpq cannot parse: nothing of it is shown.
std::string shown(const Parsed& p, std::string_view url) {
  if (url.empty()) return "(from PG* environment)";
  if (!p.parsed || p.ambiguous) return p.intended;
  return shown_form(p);
}

std::string redact_all(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t pos = 0; (pos = text.find(secret, pos)) != std::string::npos; pos += 3) {
      text.replace(pos, secret.size(), "***");
    }
  }
  return text;
}

}  // namespace

std::string redact_url(std::string_view url) {
  Parsed p = parse(url);
  std::string target = shown(p, url);
  if (target.empty()) return "(connection string not shown: it does not parse)";
  return redact_all(std::move(target), p.secrets);
}

std::string redact_secrets(std::string text, std::string_view url) {
  return redact_all(std::move(text), parse(url).secrets);
}

std::map<std::string, std::string> conninfo_options(const std::string& url) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoDeleter> options(PQconninfoParse(url.c_str(), &error));
  std::unique_ptr<char, PqMemDeleter> error_owner(error);
  std::map<std::string, std::string> out;
  if (!options) return out;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr && *o->val != '\0') out.emplace(o->keyword, o->val);
  }
  return out;
}

std::unique_ptr<pqxx::connection> connect(const std::string& url, std::string_view origin) {
  Parsed p = parse(url);
  const std::string from = origin.empty() ? "" : " from " + std::string(origin);
  if (!url.empty() && !p.parsed) {
    std::string target = shown(p, url);
    throw ConfigError(redact_all("cannot connect to database" + (target.empty() ? "" : " " + target) +
                                     ": the connection string" + from + " does not parse (" + p.error + ")" +
                                     (target.empty() ? "; it is not shown, as it may hold a password" : ""),
                                 p.secrets));
  }
  if (p.ambiguous) {
    throw ConfigError(redact_all("cannot connect to database " + shown(p, url) + ": the connection string" +
                                     from +
                                     " is ambiguous: an '@' or '/' in a user name or password must be "
                                     "percent-encoded (%40, %2F)",
                                 p.secrets));
  }
  try {
    auto conn = std::make_unique<pqxx::connection>(url);
    apply_default_session_limits(*conn);
    return conn;
  } catch (const std::exception& e) {
    throw RuntimeError(
        redact_all("cannot connect to database " + shown(p, url) + ": " + one_line(e.what()), p.secrets));
  }
}

std::string server_address(pqxx::connection& conn) {
  const char* host = conn.hostname();
  const char* port = conn.port();
  std::string h = host != nullptr && *host != '\0' ? host : "localhost";
  if (h.find(':') != std::string::npos && !h.starts_with('/')) h = "[" + h + "]";
  return h + ":" + (port != nullptr && *port != '\0' ? port : "5432");
}

bool is_connection_loss(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
  const std::string_view what = e.what();
  for (std::string_view words :
       {"server closed the connection unexpectedly", "terminating connection due to administrator command",
        "no connection to the server", "Could not obtain client encoding: not connected",
        "lost the connection to the database at "}) {
    if (what.find(words) != std::string_view::npos) return true;
  }
  return false;
}

std::string describe_failure(std::string_view what, bool connection_lost, std::string_view server) {
  std::string line = one_line(what);
  constexpr std::string_view kLost = "lost the connection to the database at ";
  if (!connection_lost || line.find(kLost) != std::string::npos) return line.empty() ? "unknown error" : line;
  std::string_view first = what.substr(0, what.find('\n'));
  std::string cause;
  if (line.find("terminating connection due to administrator command") != std::string::npos) {
    cause = "the server shut down";
  } else if (line.find("server closed the connection unexpectedly") != std::string::npos) {
    cause = "the server closed the connection";
  } else if (line.find("not connected") != std::string::npos ||
             line.find("no connection to the server") != std::string::npos || line.empty()) {
    // pqxx's "Could not obtain client encoding: not connected." from the
    // next transaction: libpq's reason went with the first failure.
    cause = "the connection was closed";
  } else if (size_t failed = first.find(" failed: ");
             first.starts_with("connection to server") && failed != std::string_view::npos) {
    // pqxx reconnects on the next transaction; that failed too.
    cause = "reconnecting failed: " + one_line(first.substr(failed + 9));
  } else {
    cause = one_line(first);
  }
  return std::string(kLost) + std::string(server) + " (" + cause + ")";
}

AdvisoryLock AdvisoryLock::acquire(pqxx::connection& conn, long long key) {
  // Waiting is what the caller asked for (`run --wait`, a second migrator):
  // the session's lock and statement timeouts do not apply to this wait. A
  // session-level advisory lock outlives the transaction that took it.
  store_call("waiting for an advisory lock", [&] {
    pqxx::work tx(conn, "advisory lock");
    tx.exec("SET LOCAL lock_timeout = 0");
    tx.exec("SET LOCAL statement_timeout = 0");
    tx.exec("SELECT pg_advisory_lock(" + std::to_string(key) + ")");
    tx.commit();
  });
  return AdvisoryLock(&conn, key);
}

AdvisoryLock AdvisoryLock::try_acquire(pqxx::connection& conn, long long key) {
  bool got = store_call("taking an advisory lock", [&] {
    pqxx::nontransaction tx(conn);
    return tx.exec("SELECT pg_try_advisory_lock(" + std::to_string(key) + ")")[0][0].as<bool>();
  });
  return AdvisoryLock(got ? &conn : nullptr, key);
}

AdvisoryLock::AdvisoryLock(AdvisoryLock&& other) noexcept : conn_(other.conn_), key_(other.key_) {
  other.conn_ = nullptr;
}

AdvisoryLock::~AdvisoryLock() {
  if (conn_ == nullptr) return;
  try {
    pqxx::nontransaction tx(*conn_);
    tx.exec("SELECT pg_advisory_unlock(" + std::to_string(key_) + ")");
  } catch (...) {
    // The lock dies with the session anyway.
  }
}

}  // namespace leakwatch::db
