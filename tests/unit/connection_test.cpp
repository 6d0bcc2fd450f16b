#include "db/connection.h"

#include <doctest/doctest.h>

#include "core/errors.h"

using leakwatch::ConfigError;
using leakwatch::db::connect;
using leakwatch::db::describe_failure;
using leakwatch::db::redact_secrets;
using leakwatch::db::redact_url;

namespace {

// The message connect() fails with for a string it refuses before any
// network traffic (it does not parse, or it is ambiguous).
std::string refusal(const std::string& url) {
  try {
    connect(url, "--database");
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("connect(" << url << ") did not refuse the string");
  return "";
}

}  // namespace

TEST_CASE("db: an unencoded '/' in a URI password is refused as ambiguous, the password never shown") {
  const std::string url = "postgresql://pwuser:pa/ss-SECRET@host/db";
  CHECK(redact_url(url) == "postgresql://pwuser:***@host/db");
  std::string message = refusal(url);
  CHECK(message.find("SECRET") == std::string::npos);
  CHECK(message.find("pa/ss") == std::string::npos);
  CHECK(
      message ==
      "cannot connect to database postgresql://pwuser:***@host/db: the connection string from --database is "
      "ambiguous: an '@' or '/' in a user name or password must be percent-encoded (%40, %2F)");
}

TEST_CASE("db: an unencoded '@' in a URI password is refused as ambiguous, no part of it shown") {
  const std::string url = "postgresql://u:S3cret@Wrong@host/db";
  CHECK(redact_url(url) == "postgresql://u:***@host/db");
  std::string message = refusal(url);
  CHECK(message.find("S3cret") == std::string::npos);
  CHECK(message.find("Wrong") == std::string::npos);
  CHECK(message.starts_with("cannot connect to database postgresql://u:***@host/db: "));
}

TEST_CASE("db: a URI libpq cannot parse names the fault without quoting the password") {
  const std::string url = "postgresql://u:p%zzSECRET@host/db";
  std::string message = refusal(url);
  CHECK(message.find("SECRET") == std::string::npos);
  CHECK(message.find("%zz") == std::string::npos);
  CHECK(message ==
        "cannot connect to database postgresql://u:***@host/db: the connection string from --database does "
        "not parse (invalid percent-encoded token: ...)");
  // A bad token in the query: the query is never shown.
  message = refusal("postgresql://u@host/db?password=x%zzSECRET");
  CHECK(message.find("SECRET") == std::string::npos);
  CHECK(message.starts_with("cannot connect to database postgresql://u@host/db: "));
}

TEST_CASE("db: key=value strings are shown rebuilt from what libpq parsed, password as ***") {
  // libpq reads 'ab\' SECRET-TAIL' as one quoted value: ab' SECRET-TAIL.
  CHECK(redact_url(R"(host=127.0.0.1 password='ab\' SECRET-TAIL' dbname=d)") ==
        "host=127.0.0.1 dbname=d password=***");
  CHECK(redact_url("host=h password=xyz user=u") == "host=h user=u password=***");
  CHECK(redact_url("dbname='my db' port=5433") == "port=5433 dbname='my db'");
  CHECK(redact_secrets("auth failed for ab' SECRET-TAIL", R"(password='ab\' SECRET-TAIL')") ==
        "auth failed for ***");
}

TEST_CASE("db: a key=value string libpq cannot parse is not shown at all") {
  std::string unterminated = refusal("host=h password='xyz SECRET");
  CHECK(unterminated.find("SECRET") == std::string::npos);
  CHECK(unterminated ==
        "cannot connect to database: the connection string from --database does not parse (unterminated "
        "quoted string in connection info string); it is not shown, as it may hold a password");
  // An unquoted password with a space: libpq quotes the tail in its reason.
  std::string unquoted = refusal("password=ab SECRET host=h");
  CHECK(unquoted.find("SECRET") == std::string::npos);
  CHECK(unquoted.find("does not parse (missing \"=\" after ...)") != std::string::npos);
  CHECK(redact_url("host=h password='xyz SECRET") == "(connection string not shown: it does not parse)");
}

TEST_CASE("db: well-formed URIs are shown with user, host, port and database, never the password") {
  CHECK(redact_url("postgresql://leakwatch:s3cret@127.0.0.1:1/nowhere?connect_timeout=3") ==
        "postgresql://leakwatch:***@127.0.0.1:1/nowhere");
  CHECK(redact_url("postgresql://u:p%40ss-SECRET@127.0.0.1:5432/db") ==
        "postgresql://u:***@127.0.0.1:5432/db");
  CHECK(redact_url("postgres://u@h/db?password=SECRET&sslmode=disable") == "postgres://u:***@h/db");
  CHECK(redact_url("postgresql://leakwatch@127.0.0.1:5432/leakwatch") ==
        "postgresql://leakwatch@127.0.0.1:5432/leakwatch");
  CHECK(redact_url("postgresql://h1:5432,h2:5433/db") == "postgresql://h1:5432,h2:5433/db");
  CHECK(redact_url("postgresql://[::1]:5432/db") == "postgresql://[::1]:5432/db");
  CHECK(redact_url("postgresql:///db?host=/var/run/postgresql") ==
        "postgresql:///db?host=/var/run/postgresql");
  // '@' in the query is no userinfo: nothing ambiguous.
  CHECK(redact_url("postgresql://h/db?application_name=a@b") == "postgresql://h/db");
  CHECK(redact_url("") == "(from PG* environment)");
  // libpq decodes %40: both spellings are secrets.
  CHECK(redact_secrets("p%40ss-SECRET and p@ss-SECRET", "postgresql://u:p%40ss-SECRET@h/db") ==
        "*** and ***");
}

TEST_CASE("db: a lost connection is said in words, on one line, whatever libpq's text") {
  const std::string server = "127.0.0.1:5432";
  CHECK(describe_failure(
            "server closed the connection unexpectedly\n\tThis probably means the server terminated "
            "abnormally\n\tbefore or while processing the request.\n",
            true, server) ==
        "lost the connection to the database at 127.0.0.1:5432 (the server closed the connection)");
  CHECK(describe_failure("FATAL:  terminating connection due to administrator command\nserver closed the "
                         "connection unexpectedly\n",
                         true, server) ==
        "lost the connection to the database at 127.0.0.1:5432 (the server shut down)");
  CHECK(describe_failure("Could not obtain client encoding: not connected.", true, server) ==
        "lost the connection to the database at 127.0.0.1:5432 (the connection was closed)");
  CHECK(describe_failure("", true, server) ==
        "lost the connection to the database at 127.0.0.1:5432 (the connection was closed)");
  // pqxx reconnects on the next transaction, and says why that failed.
  CHECK(describe_failure(
            "connection to server at \"127.0.0.1\", port 5432 failed: Connection refused\n\tIs the "
            "server running on that host and accepting TCP/IP connections?\n",
            true, server) ==
        "lost the connection to the database at 127.0.0.1:5432 (reconnecting failed: Connection refused)");
  // Described once: a message that already says so is left alone.
  CHECK(
      describe_failure("run 7: cannot record the run: lost the connection to the database at 127.0.0.1:5432 "
                       "(the connection was closed)",
                       true, server) ==
      "run 7: cannot record the run: lost the connection to the database at 127.0.0.1:5432 (the connection "
      "was closed)");
  CHECK(
      describe_failure("could not receive data from server: Connection reset by peer\n", true, server) ==
      "lost the connection to the database at 127.0.0.1:5432 (could not receive data from server: Connection "
      "reset by peer)");
  // A connection still open: libpq's message itself, on one line, never blank.
  CHECK(describe_failure("ERROR:  relation \"x\" does not exist\nLINE 1: SELECT 1 FROM x\n", false, server) ==
        "ERROR:  relation \"x\" does not exist LINE 1: SELECT 1 FROM x");
  CHECK(describe_failure("\n", false, server) == "unknown error");
}
