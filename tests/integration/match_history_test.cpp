// Incremental matching (issue #18 part 2) against the full join, on random
// histories: two databases live through the same random interleaving of
// crawls (new listings, revisits with the same or a changed text),
// extractions, imports and re-imports of customers, purges and reports that
// mark exposures notified; at each match one runs `match` (incremental) and
// the other `match --full`, and their exposures must be the same, row for
// row. Timestamps are made deterministic after each step so that the two
// databases can be compared.
#include <doctest/doctest.h>

#include <unistd.h>
#include <functional>
#include <random>

#include <pqxx/pqxx>

#include "fixture_market.h"
#include "harness.h"
#include "listing_store.h"

using namespace leakwatch::testing;

namespace {

struct Person {
  std::string id, name, email, phone;
};

std::vector<Person> people() {
  std::vector<Person> out;
  const char* surnames[] = {"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang"};
  for (int i = 0; i < 24; ++i) {
    Person p;
    p.id = "c" + std::to_string(i);
    p.name = std::string(surnames[i % 8]) + " " + (i < 8 ? "Wei" : i < 16 ? "Na" : "Fang");
    p.email = "user" + std::to_string(i) + "@qq.com";
    p.phone = "+86 139 " + std::to_string(1000 + i) + " " + std::to_string(5000 + i);
    out.push_back(p);
  }
  return out;
}

// One database living through the history, with the key both share.
struct Side {
  TestDatabase db;
  std::map<std::string, std::string> env;
  Side(const std::filesystem::path& key) {
    env = {{"LEAKWATCH_HMAC_KEY_FILE", key.string()}, {"LEAKWATCH_DATABASE_URL", db.url()}};
    auto r = run_cli({"db", "migrate"}, "", env);
    if (r.exit_code != 0) throw std::runtime_error(r.err);
  }
  CliResult cli(const std::vector<std::string>& args, const std::string& in = "") {
    auto r = run_cli(args, in, env);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  }
  void exec(const std::string& sql) {
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    tx.exec(sql);
  }
  // Every exposure, as the report would tell it.
  std::string exposures() {
    return db.query_value(
        "SELECT coalesce(string_agg(x, E'\\n' ORDER BY x), '') FROM (SELECT concat_ws(' ', e.customer_id,"
        " e.kind, e.key_version, e.masked, p.url, e.first_seen, e.last_seen, e.confidence,"
        " e.notified_at IS NOT NULL) AS x FROM exposures e JOIN pages p ON p.id = e.page_id) t");
  }
};

struct History {
  TempDir dir;
  std::filesystem::path key = write_key_file(dir);
  Side incremental{key}, full{key};
  std::mt19937 rng;
  std::vector<Person> crowd = people();
  int step = 0;

  explicit History(unsigned seed) : rng(seed) {}
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
  bool chance(int percent) { return pick(100) < percent; }

  void both(const std::function<void(Side&)>& f) {
    f(incremental);
    f(full);
  }
  // Times set by the step, not the clock, so both sides agree.
  void settle() {
    const std::string t = "'2026-01-01'::timestamptz + interval '1 hour' * " + std::to_string(step);
    both([&](Side& s) {
      s.exec("UPDATE pages SET fetched_at = " + t +
             " WHERE fetched_at > '2026-06-01';"
             "UPDATE page_urls SET last_seen = " +
             t +
             " WHERE last_seen > '2026-06-01';"
             "UPDATE page_urls SET first_seen = " +
             t + " WHERE first_seen > '2026-06-01'");
    });
  }
  std::string listing_text() {
    std::string text = "fresh records, price on request\nname | email | phone\n";
    int records = 1 + pick(6);
    for (int r = 0; r < records; ++r) {
      const Person& p = crowd[pick(static_cast<int>(crowd.size()))];
      std::string line = chance(60) ? p.name : "anon";
      line += " | " + (chance(80) ? p.email : std::string("-"));
      line += " | " + (chance(60) ? p.phone : std::string("-"));
      text += line + "\n";
    }
    return text;
  }
  void crawl() {
    Listing l;
    l.url = "http://shop.onion/listing/" + std::to_string(pick(8));
    l.text = listing_text();
    both([&](Side& s) { store_listing(s.db.url(), key, l); });
    settle();
  }
  void import() {
    std::string csv = "customer_id,email,phone,name\n";
    int rows = 1 + pick(6);
    for (int r = 0; r < rows; ++r) {
      const Person& p = crowd[pick(static_cast<int>(crowd.size()))];
      bool email = chance(70), phone = !email || chance(50);
      csv += p.id + "," + (email ? p.email : "") + "," + (phone ? p.phone : "") + "," +
             (chance(50) ? p.name : "") + "\n";
    }
    both([&](Side& s) { s.cli({"customers", "import", "-"}, csv); });
  }
  void match() {
    incremental.cli({"match"});
    full.cli({"match", "--full"});
    INFO("seed step " << step);
    REQUIRE(incremental.exposures() == full.exposures());
  }
  void run(int steps) {
    for (step = 1; step <= steps; ++step) {
      int op = pick(100);
      if (op < 30) {
        crawl();
      } else if (op < 50) {
        both([](Side& s) { s.cli({"extract"}); });
      } else if (op < 65) {
        import();
      } else if (op < 70) {
        both([](Side& s) { s.cli({"purge", "--days", "0"}); });
      } else if (op < 75) {
        both([&](Side& s) {
          s.cli({"report", "--mark-notified", "--format", "json", "-o", (dir.path() / "r.json").string()});
        });
      } else {
        match();
      }
    }
    both([](Side& s) { s.cli({"extract"}); });
    match();
  }
};

}  // namespace

TEST_CASE("match: incremental matching gives the full join's exposures on random histories") {
  for (unsigned seed : {1u, 2u, 3u}) {
    CAPTURE(seed);
    History h(seed);
    h.run(40);
    CHECK(h.incremental.exposures() != "");
  }
}

TEST_CASE("match: with nothing new no listing is matched again; a new page is matched alone") {
  CliFixture f;
  auto cli = [&](const std::vector<std::string>& args, const std::string& in = "") {
    auto r = run_cli(args, in, f.env);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  };
  cli({"customers", "import", "-"}, "customer_id,email\nc1,a.li@qq.com\nc2,b.wu@qq.com\n");
  for (int i = 0; i < 5; ++i) {
    Listing l;
    l.url = "http://shop.onion/" + std::to_string(i);
    l.text = "dump\na.li@qq.com\nx" + std::to_string(i) + "@163.com\n";  // five listings
    store_listing(f.db.url(), f.key, l);
  }
  cli({"extract"});
  auto first = cli({"match"});
  CHECK_MESSAGE(first.err.find("match: 5 new exposures") != std::string::npos, first.err);
  CHECK(cli({"match"}).err.find("0 listings matched again, 0 new customer identifiers") != std::string::npos);
  Listing l;
  l.url = "http://shop.onion/new";
  l.text = "b.wu@qq.com\n";
  store_listing(f.db.url(), f.key, l);
  cli({"extract"});
  auto r = cli({"match"});
  CHECK_MESSAGE(r.err.find("match: 1 new exposures, 0 updated, 6 in all; 1 listings matched again") !=
                    std::string::npos,
                r.err);
  // A customer imported later is matched against the stored sightings, by hash.
  cli({"customers", "import", "-"}, "customer_id,email\nc3,c.he@qq.com\n");
  Listing late;
  late.url = "http://shop.onion/0";
  late.text = "dump\na.li@qq.com\nx0@163.com\nc.he@qq.com\n";
  store_listing(f.db.url(), f.key, late);
  cli({"extract"});
  r = cli({"match"});
  CHECK(r.err.find("match: 1 new exposures") != std::string::npos);
  CHECK(f.db.query_value("SELECT count(*) FROM match_queue_pages") == "0");
  CHECK(f.db.query_value("SELECT count(*) FROM match_queue_imports") == "0");
}

TEST_CASE("match: a match killed before it commits leaves its queues; the next one finds the exposures") {
  CliFixture f;
  auto cli = [&](const std::vector<std::string>& args, const std::string& in = "") {
    auto r = run_cli(args, in, f.env);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  };
  cli({"customers", "import", "-"}, "customer_id,email\nc1,a.li@qq.com\n");
  Listing l;
  l.url = "http://shop.onion/1";
  l.text = "a.li@qq.com\n";
  store_listing(f.db.url(), f.key, l);
  cli({"extract"});
  {
    // Holds the match at its write into exposures, after it took the queues.
    pqxx::connection blocker(f.db.url());
    pqxx::work hold(blocker);
    hold.exec("LOCK TABLE exposures IN SHARE MODE");
    ChildProcess match({LEAKWATCH_BINARY, "match"}, f.env, f.dir.path() / "m.out", f.dir.path() / "m.err");
    pqxx::connection watch(f.db.url());
    bool waiting = false;
    for (int i = 0; i < 600 && !waiting; ++i) {
      pqxx::nontransaction q(watch);
      waiting = q.exec1(
                     "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                     " AND datname = current_database()")[0]
                    .as<int>() > 0;
      if (!waiting) usleep(50'000);
    }
    REQUIRE(waiting);
    match.kill_now();
    match.wait();
    hold.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND datname = current_database()");
  }
  CHECK(f.db.query_value("SELECT count(*) FROM exposures") == "0");
  CHECK(cli({"match"}).err.find("match: 1 new exposures") != std::string::npos);
}
