// `leakwatch doctor` from the user's side: the real binary against a real
// PostgreSQL and the fixture market behind its SOCKS5 proxy (playing Tor).
// Each check is shown passing and failing, with the exit status (0 all ok,
// 1 warnings, 2 failures) and the one line that tells what to do.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pqxx/pqxx>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

// A loopback port nothing listens on: bound, then closed.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The line of `check` in doctor's text output ("" when absent).
std::string line_of(const std::string& out, const std::string& check) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.size() > 6 && line.compare(6, check.size() + 1, check + ":") == 0) return line;
  }
  return "";
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct DoctorSetup {
  TestDatabase db;
  TempDir dir;
  FixtureMarket market{dir.path()};
  std::filesystem::path key = write_key_file(dir);
  std::map<std::string, std::string> env;

  DoctorSetup() {
    write_config();
    auto r = run_cli({"db", "migrate"}, "", env);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }

  // The config doctor is pointed at: the database, the key, [crawl] with
  // `proxy`, then `sources` (default: the three markets, the shop with its
  // cookie and a members-only page to check it on).
  void write_config(const std::string& sources = "", const std::string& proxy = "") {
    std::string text =
        "[database]\nurl = \"" + db.url() + "\"\n\n[hashing]\nkey_file = \"" + key.string() +
        "\"\n\n[crawl]\nproxy = \"" + (proxy.empty() ? market.proxy() : proxy) +
        "\"\ntimeout_s = 10\nconnect_timeout_s = 5\n\n" +
        (sources.empty() ? shop("cookies = \"session=demo\"\n") + source("forum") + source("paste")
                         : sources);
    env["LEAKWATCH_CONFIG"] = dir.write("leakwatch.toml", text).string();
  }

  static std::string source(const std::string& name, const std::string& extra = "") {
    return "[[source]]\nname = \"" + name + "\"\nseeds = [\"http://" + name +
           ".onion/\"]\nallow_private = true\nrate = 50\n" + extra + "\n";
  }
  static std::string shop(const std::string& extra) {
    return source("shop", extra + "login_check = \"http://shop.onion/listing/1\"\n");
  }

  void import_customers() {
    auto r = run_cli({"customers", "import", "-"}, "customer_id,email\nc1,li.na@qq.com\n", env);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }

  CliResult doctor(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"doctor", "--min-free-mb", "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args, "", env);
  }
};

}  // namespace

TEST_CASE("doctor: a working setup passes every check, exit 0, and says so in JSON too") {
  DoctorSetup s;
  s.import_customers();
  auto r = s.doctor();
  CHECK_MESSAGE(r.exit_code == 0, (r.out + r.err));
  for (const char* check : {"config", "database", "migrations", "rights", "key", "key fingerprint", "proxy",
                            "source shop", "source forum", "source paste", "disk"}) {
    CAPTURE(check);
    CHECK(line_of(r.out, check).starts_with("ok    "));
  }
  CHECK(has(line_of(r.out, "config"), "(" + std::string("$LEAKWATCH_CONFIG") + ") parses; 3 source(s)"));
  CHECK(has(line_of(r.out, "proxy"), "it resolved shop.onion itself"));
  CHECK(has(line_of(r.out, "source shop"), "the login cookie is accepted (http://shop.onion/listing/1)"));
  CHECK(has(line_of(r.out, "key"), "mode 0600"));
  CHECK(has(r.out, "doctor: 11 ok, 0 warning(s), 0 failure(s)"));

  auto j = s.doctor({"--json"});
  CHECK(j.exit_code == 0);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["status"] == "ok");
  CHECK(doc["exit_code"] == 0);
  CHECK(doc["checks"].size() == 11);
  for (const auto& c : doc["checks"]) CHECK(c["status"] == "ok");

  auto quiet = s.doctor({"--quiet"});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.out.empty());
}

TEST_CASE("doctor: config: none found is a warning; an unknown key is a failure naming it and its line") {
  DoctorSetup s;
  s.import_customers();
  auto env = s.env;
  env.erase("LEAKWATCH_CONFIG");
  env["LEAKWATCH_DATABASE_URL"] = s.db.url();
  env["LEAKWATCH_HMAC_KEY_FILE"] = s.key.string();
  TempDir elsewhere;  // no leakwatch.toml here
  auto none = run_cli({"doctor", "--min-free-mb", "1"}, "", env, elsewhere.path());
  CHECK_MESSAGE(none.exit_code == 1, none.out);
  CHECK(line_of(none.out, "config").starts_with("warn  config: no config file found"));
  CHECK(has(line_of(none.out, "config"), "fix: export LEAKWATCH_CONFIG="));
  CHECK(line_of(none.out, "database").starts_with("ok"));

  auto path = s.dir.write("typo.toml", "[crawl]\nproxy = \"socks5h://127.0.0.1:9050\"\nconcurrncy = 4\n");
  auto typo = run_cli({"--config", path.string(), "doctor"}, "", env);
  CHECK(typo.exit_code == 2);
  std::string line = line_of(typo.out, "config");
  CHECK(line.starts_with("fail  config: " + path.string() + ":3: "));
  CHECK(has(line, "concurrncy"));
  CHECK(has(line, "unknown key"));
  CHECK(has(line, "fix: "));
  CHECK(line_of(typo.out, "database").empty());  // the rest needs a config that parses
}

TEST_CASE("doctor: database: unreachable, migrations pending, and a role without rights fail with the fix") {
  DoctorSetup s;
  SUBCASE("unreachable, and the password never shown") {
    s.env["LEAKWATCH_DATABASE_URL"] =
        "postgresql://leakwatch:s3cret-pw@127.0.0.1:" + std::to_string(closed_port()) + "/leakwatch";
    auto r = s.doctor();
    CHECK(r.exit_code == 2);
    std::string line = line_of(r.out, "database");
    CHECK(line.starts_with("fail  database: cannot connect to database"));
    CHECK(has(line, "fix: start PostgreSQL"));
    CHECK(has(line, "$LEAKWATCH_DATABASE_URL"));
    CHECK_FALSE(has(r.out + r.err, "s3cret-pw"));
    CHECK(line_of(r.out, "key fingerprint").starts_with("skip"));
    CHECK(line_of(r.out, "disk").starts_with("skip"));
  }
  SUBCASE("migrations pending") {
    TestDatabase empty;
    s.env["LEAKWATCH_DATABASE_URL"] = empty.url();
    auto r = s.doctor();
    CHECK(r.exit_code == 2);
    std::string line = line_of(r.out, "migrations");
    CHECK(line.starts_with("fail  migrations: not applied: 0001_create_customer_identifiers"));
    CHECK(has(line, "fix: leakwatch db migrate"));
    CHECK(line_of(r.out, "database").starts_with("ok"));
  }
  SUBCASE("a role that may only read") {
    std::string role = s.db.name() + "_ro";
    {
      pqxx::connection conn(s.db.url());
      pqxx::nontransaction tx(conn);
      tx.exec0("CREATE ROLE " + role + " LOGIN");
      tx.exec0("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + role);
    }
    std::string url = s.db.url();
    s.env["LEAKWATCH_DATABASE_URL"] = "postgresql://" + role + url.substr(url.find('@'));
    auto r = s.doctor();
    CHECK(r.exit_code == 2);
    std::string line = line_of(r.out, "rights");
    CHECK(line.starts_with("fail  rights: role " + role + " lacks "));
    CHECK(has(line, "exposures: INSERT, UPDATE, DELETE"));
    CHECK(has(line, "fix: as the tables' owner: GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES"));
    pqxx::connection conn(s.db.url());
    pqxx::nontransaction tx(conn);
    tx.exec0("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM " + role);
    tx.exec0("DROP OWNED BY " + role);
    tx.exec0("DROP ROLE " + role);
  }
}

TEST_CASE("doctor: key file: missing, open to others, not the customer set's key, or no fingerprint yet") {
  DoctorSetup s;
  SUBCASE("no fingerprint stored yet is a warning") {
    auto r = s.doctor();
    CHECK(r.exit_code == 1);
    CHECK(line_of(r.out, "key").starts_with("ok"));
    CHECK(line_of(r.out, "key fingerprint")
              .starts_with("warn  key fingerprint: none stored for key_version 1"));
    CHECK(has(line_of(r.out, "key fingerprint"), "fix: `leakwatch customers import FILE`"));
  }
  SUBCASE("missing") {
    std::filesystem::remove(s.key);
    auto r = s.doctor();
    CHECK(r.exit_code == 2);
    std::string line = line_of(r.out, "key");
    CHECK(line.starts_with("fail  key: HMAC key file " + s.key.string() + ": not found"));
    CHECK(has(line, "openssl rand -hex 32 > " + s.key.string()));
  }
  SUBCASE("readable by group or others") {
    ::chmod(s.key.c_str(), 0644);
    auto r = s.doctor();
    CHECK(r.exit_code == 2);
    std::string line = line_of(r.out, "key");
    CHECK(line.starts_with("fail  key: HMAC key file " + s.key.string() + ": has mode 0644"));
    CHECK(has(line, "-- fix: chmod 600 " + s.key.string()));
  }
  SUBCASE("another key than the customers were imported with") {
    s.import_customers();
    std::filesystem::remove(s.key);
    write_key_file(s.dir, s.key.filename().string());
    auto r = s.doctor();
    CHECK(r.exit_code == 2);
    std::string line = line_of(r.out, "key fingerprint");
    CHECK(line.starts_with("fail  key fingerprint: the key file's fingerprint "));
    CHECK(has(line, "this key matches no customer"));
    // And the import refuses to mix hashes of the two keys.
    auto import = run_cli({"customers", "import", "-"}, "customer_id,email\nc2,wang.fang@163.com\n", s.env);
    CHECK(import.exit_code == 2);
    CHECK(has(import.err, "fingerprint differs from the one stored with the customer set"));
    CHECK(s.db.query_value("SELECT count(*) FROM customer_identifiers") == "1");
  }
}

TEST_CASE("doctor: proxy: unreachable, or resolving names locally for .onion seeds, fails") {
  DoctorSetup s;
  s.import_customers();
  SUBCASE("nothing listens") {
    std::string proxy = "socks5h://127.0.0.1:" + std::to_string(closed_port());
    s.write_config("", proxy);
    auto r = s.doctor();
    CHECK(r.exit_code == 2);
    std::string line = line_of(r.out, "proxy");
    CHECK(line.starts_with("fail  proxy: cannot connect to " + proxy));
    CHECK(has(line, "fix: start Tor"));
    CHECK(line_of(r.out, "source shop").starts_with("fail"));
  }
  SUBCASE("socks5:// for .onion hosts") {
    s.write_config("", s.market.proxy("socks5"));
    auto r = s.doctor();
    CHECK(r.exit_code == 2);
    std::string line = line_of(r.out, "proxy");
    CHECK(line.starts_with("fail  proxy: " + s.market.proxy("socks5") + " resolves names here"));
    CHECK(has(line, "fix: write " + s.market.proxy("socks5h")));
  }
}

TEST_CASE("doctor: sources: an expired or missing login cookie and a host that does not answer fail") {
  DoctorSetup s;
  s.import_customers();
  SUBCASE("expired cookie") {
    s.write_config(DoctorSetup::shop("cookies = \"session=expired\"\n"));
    auto r = s.doctor();
    CHECK(r.exit_code == 2);
    std::string line = line_of(r.out, "source shop");
    CHECK(
        line.starts_with("fail  source shop: http://shop.onion/listing/1 shows a login form: the login "
                         "cookie is not accepted"));
    CHECK(has(line, "fix: the session has expired: log in with Tor Browser"));
    CHECK(line_of(r.out, "proxy").starts_with("ok"));
  }
  SUBCASE("no cookie") {
    s.write_config(DoctorSetup::shop(""));
    auto r = s.doctor();
    CHECK(r.exit_code == 2);
    std::string line = line_of(r.out, "source shop");
    CHECK(line.starts_with("fail  source shop: http://shop.onion/listing/1 redirects to the login page"));
    CHECK(has(line, "it asks for a login"));
  }
  SUBCASE("a host the proxy cannot reach") {
    s.write_config("[[source]]\nname = \"gone\"\nseeds = [\"http://gone.example.net/\"]\n" +
                   DoctorSetup::source("forum"));
    auto r = s.doctor();
    CHECK(r.exit_code == 2);
    CHECK(line_of(r.out, "source gone").starts_with("fail  source gone: "));
    CHECK(has(line_of(r.out, "source gone"), "fix: "));
    CHECK(line_of(r.out, "source forum").starts_with("ok"));
  }
}

TEST_CASE("doctor: disk: less free space than --min-free-mb where the database lives fails") {
  DoctorSetup s;
  s.import_customers();
  auto r = run_cli({"doctor", "--min-free-mb", "1000000000"}, "", s.env);
  CHECK(r.exit_code == 2);
  std::string line = line_of(r.out, "disk");
  CHECK(line.starts_with("fail  disk: "));
  CHECK(has(line, " free of "));
  CHECK(has(line, "fix: free space"));
}
