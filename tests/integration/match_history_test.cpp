// Incremental matching (issue #18 part 2) against the full join, on random
// histories: two databases live through the same random interleaving of
// crawls (new listings, revisits with the same or a changed text),
// extractions, files linked from listings (attachments: new, changed, moved
// to another listing), imports and re-imports of customers, purges and
// reports that mark exposures notified; at each match one runs `match` (incremental) and
// the other `match --full`, and their exposures must be the same, row for
// row; the incremental side takes each plan of the listings' join in turn.
// Timestamps are made deterministic after each step so that the two
// databases can be compared.
#include <doctest/doctest.h>

#include <unistd.h>
#include <functional>
#include <random>

#include <pqxx/pqxx>

#include "db/attachment_store.h"
#include "fixture_market.h"
#include "harness.h"
#include "listing_store.h"
#include "matcher/match_stage.h"

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
  int matches = 0;

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
             t +
             " WHERE first_seen > '2026-06-01';"
             "UPDATE attachment_sightings SET seen_at = " +
             t + " WHERE seen_at > '2026-06-01'");
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
  // A file (one of 4) linked from a listing (one of 8; nothing is stored
  // when the listing is not): new, changed, or moved to another listing.
  void attach() {
    const std::string listing = "http://shop.onion/listing/" + std::to_string(pick(8));
    const std::string file = "http://shop.onion/files/" + std::to_string(pick(4)) + ".csv";
    const std::string text = listing_text();
    both([&](Side& s) { store_attachment_text(s.db.url(), key, listing, file, text); });
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
  // The incremental side alternates the plans of match_stage.cpp's
  // match_pages: `match` probes the customers' key for the few listings a
  // step makes; run_match with max_probed_pages 0 takes the hash join of
  // unnested sightings that many listings get.
  void match() {
    if (++matches % 2 == 0) {
      incremental.cli({"match"});
    } else {
      pqxx::connection conn(incremental.db.url());
      leakwatch::matcher::run_match(conn, leakwatch::matcher::MatchMode::kIncremental, {0});
    }
    full.cli({"match", "--full"});
    INFO("seed step " << step);
    REQUIRE(incremental.exposures() == full.exposures());
  }
  void run(int steps) {
    for (step = 1; step <= steps; ++step) {
      int op = pick(100);
      if (op < 25) {
        crawl();
      } else if (op < 33) {
        attach();
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
    // Some exposures come from files the listings link.
    CHECK(h.incremental.db.query_value(
              "SELECT count(*) > 0 FROM exposures e JOIN attachments a ON a.page_id = e.page_id"
              " JOIN attachment_sightings s ON s.attachment_id = a.id AND s.hash = e.hash") == "t");
  }
}

TEST_CASE("match: with nothing new no listing is matched again; a new page is matched alone") {
  CliFixture f;
  auto cli = [&](const std::vector<std::string>& args, const std::string& in = "") { return f.ok(args, in); };
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

TEST_CASE("match: attachments are matched incrementally; later customers are found in stored files") {
  CliFixture f;
  auto cli = [&](const std::vector<std::string>& args, const std::string& in = "") { return f.ok(args, in); };
  auto exposures_of = [&](const std::string& customer) {
    return f.db.query_value("SELECT count(*) FROM exposures WHERE customer_id = '" + customer + "'");
  };
  cli({"customers", "import", "-"}, "customer_id,email\nc1,a.li@qq.com\n");
  cli({"match"});  // the first match after migrating joins everything
  for (int i = 0; i < 3; ++i) {
    Listing l;
    l.url = "http://shop.onion/" + std::to_string(i);
    l.text = "dump " + std::to_string(i) + " for sale, see the sample";
    store_listing(f.db.url(), f.key, l);
    REQUIRE(store_attachment_text(f.db.url(), f.key, l.url, "http://shop.onion/files/" + std::to_string(i),
                                  "email\na.li@qq.com\nc.he@qq.com\nx" + std::to_string(i) + "@163.com\n"));
  }
  cli({"extract"});
  auto r = cli({"match"});
  CHECK_MESSAGE(r.err.find("match: 3 new exposures") != std::string::npos, r.err);
  CHECK_MESSAGE(r.err.find("3 listings' attachments matched again") != std::string::npos, r.err);
  CHECK(exposures_of("c1") == "3");
  // Nothing new: no listing's attachments are joined again.
  r = cli({"match"});
  CHECK_MESSAGE(r.err.find("match: 0 new exposures, 0 updated") != std::string::npos, r.err);
  CHECK_MESSAGE(r.err.find("0 listings' attachments matched again") != std::string::npos, r.err);
  // A file changed on one listing: that listing's attachments alone.
  REQUIRE(store_attachment_text(f.db.url(), f.key, "http://shop.onion/1", "http://shop.onion/files/1",
                                "b.wu@qq.com\n"));
  r = cli({"match"});
  CHECK_MESSAGE(r.err.find("1 listings' attachments matched again") != std::string::npos, r.err);
  // A customer imported later is found in the files stored before (0 and 2
  // still hold c.he@qq.com; 1 no longer does), through the hash alone.
  cli({"customers", "import", "-"}, "customer_id,email\nc3,c.he@qq.com\n");
  r = cli({"match"});
  CHECK_MESSAGE(r.err.find("match: 2 new exposures") != std::string::npos, r.err);
  CHECK_MESSAGE(r.err.find("2 listings' attachments matched again") != std::string::npos, r.err);
  CHECK(exposures_of("c3") == "2");
  CHECK(f.db.query_value("SELECT count(*) FROM match_queue_attachments") == "0");
  // A revisit finds file 0 unchanged (not downloaded again), now linked from
  // another listing: its sightings count there.
  Listing moved;
  moved.url = "http://shop.onion/3";
  moved.text = "dump 3, the sample moved here";
  store_listing(f.db.url(), f.key, moved);
  leakwatch::db::AttachmentRecord again;
  again.source = "shop";
  again.url = "http://shop.onion/files/0";
  again.listing_url = moved.url;
  again.not_modified = true;
  {
    pqxx::connection conn(f.db.url());
    REQUIRE(leakwatch::db::store_attachment(conn, privacy_for(f.key), again));
  }
  r = cli({"match"});
  CHECK_MESSAGE(r.err.find("match: 2 new exposures") != std::string::npos, r.err);
  CHECK_MESSAGE(r.err.find("1 listings' attachments matched again") != std::string::npos, r.err);
  r = cli({"match", "--full"});
  CHECK_MESSAGE(r.err.find("match: 0 new exposures, 0 updated, 7 in all") != std::string::npos, r.err);
}

TEST_CASE("match: a match killed before it commits leaves its queues; the next one finds the exposures") {
  CliFixture f;
  auto cli = [&](const std::vector<std::string>& args, const std::string& in = "") { return f.ok(args, in); };
  cli({"customers", "import", "-"}, "customer_id,email\nc1,a.li@qq.com\n");
  cli({"match"});  // the first match after migrating joins everything; the next ones do not
  Listing l;
  l.url = "http://shop.onion/1";
  l.text = "a.li@qq.com\n";
  store_listing(f.db.url(), f.key, l);
  REQUIRE(store_attachment_text(f.db.url(), f.key, l.url, "http://shop.onion/files/1", "a.li@qq.com\n"));
  Listing other;
  other.url = "http://shop.onion/2";
  other.text = "see the file";
  store_listing(f.db.url(), f.key, other);
  REQUIRE(store_attachment_text(f.db.url(), f.key, other.url, "http://shop.onion/files/2", "a.li@qq.com\n"));
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
  CHECK(f.db.query_value("SELECT count(*) FROM match_queue_attachments") != "0");
  // The listing's page and its file are one exposure; the other listing's file another.
  auto r = cli({"match"});
  CHECK_MESSAGE(r.err.find("match: 2 new exposures") != std::string::npos, r.err);
  CHECK_MESSAGE(r.err.find("2 listings' attachments matched again") != std::string::npos, r.err);
}

TEST_CASE("match: after many listings, a new one, a revisit and a new file are matched alone") {
  CliFixture f;
  auto cli = [&](const std::vector<std::string>& args, const std::string& in = "") { return f.ok(args, in); };
  cli({"customers", "import", "-"}, "customer_id,email\nc1,a.li@qq.com\nc2,b.wu@qq.com\nc3,c.he@qq.com\n");
  auto listing = [&](const std::string& path, const std::string& text) {
    Listing l;
    l.url = "http://shop.onion/" + path;
    l.text = text;
    store_listing(f.db.url(), f.key, l);
  };
  for (int i = 0; i < 30; ++i)
    listing(std::to_string(i), "dump\na.li@qq.com\nx" + std::to_string(i) + "@163.com\n");
  listing("empty", "no customer here: y@163.com\n");
  cli({"extract"});
  auto r = cli({"match"});
  CHECK_MESSAGE(r.err.find("match: 30 new exposures, 0 updated, 30 in all") != std::string::npos, r.err);
  r = cli({"match"});
  CHECK_MESSAGE(
      r.err.find("match: 0 new exposures, 0 updated, 30 in all; 0 listings matched again, 0 new "
                 "customer identifiers, 0 listings' attachments matched again") != std::string::npos,
      r.err);
  // The exposures so far were last seen a day ago (page_urls are left as
  // they are: a change there queues its pages as seen again).
  {
    pqxx::connection conn(f.db.url());
    pqxx::nontransaction tx(conn);
    tx.exec("UPDATE exposures SET last_seen = last_seen - interval '1 day'");
  }
  // One new listing (c2), listing 0 and the empty one seen again with the
  // same text, and a file on listing 5 that names c3.
  listing("new", "b.wu@qq.com\n");
  listing("0", "dump\na.li@qq.com\nx0@163.com\n");
  listing("empty", "no customer here: y@163.com\n");
  REQUIRE(store_attachment_text(f.db.url(), f.key, "http://shop.onion/5", "http://shop.onion/files/5",
                                "email\nc.he@qq.com\n"));
  cli({"extract"});
  r = cli({"match"});
  // The new listing and listing 0 (whose exposure's last_seen moves); the
  // empty listing, seen again, has no exposure to move and is not joined.
  CHECK_MESSAGE(
      r.err.find("match: 2 new exposures, 1 updated, 32 in all; 2 listings matched again, 0 new "
                 "customer identifiers, 1 listings' attachments matched again") != std::string::npos,
      r.err);
  CHECK(f.db.query_value(
            "SELECT string_agg(customer_id || ' ' || p.url, ',' ORDER BY customer_id) FROM exposures e"
            " JOIN pages p ON p.id = e.page_id WHERE e.last_seen > now() - interval '1 hour'") ==
        "c1 http://shop.onion/0,c2 http://shop.onion/new,c3 http://shop.onion/5");
  // And then nothing is new again.
  r = cli({"match"});
  CHECK_MESSAGE(r.err.find("match: 0 new exposures, 0 updated, 32 in all; 0 listings matched again") !=
                    std::string::npos,
                r.err);
}

TEST_CASE("match: on a new listing, a name confirms only its own customer's identifier in the same record") {
  CliFixture f;
  auto cli = [&](const std::vector<std::string>& args, const std::string& in = "") { return f.ok(args, in); };
  // c1 and c2 share a name; c3's name stands next to c2's address; c4's
  // name stands alone.
  cli({"customers", "import", "-"},
      "customer_id,email,phone,name\n"
      "c1,a.li@qq.com,,Wang Wei\nc2,b.wu@qq.com,,Wang Wei\nc3,,+86 139 1000 5000,Li Na\n"
      "c4,d.he@qq.com,,Zhang Fang\n");
  cli({"match"});
  Listing l;
  l.url = "http://shop.onion/names";
  l.text =
      "fresh records\nname | email | phone\n"
      "Wang Wei | a.li@qq.com | -\n"
      "Li Na | b.wu@qq.com | -\n"
      "anon | - | +86 139 1000 5000\n"
      "Zhang Fang | - | -\n";
  store_listing(f.db.url(), f.key, l);
  cli({"extract"});
  // The listing alone, through the probes of match_stage.cpp's
  // LW_MATCH_PROBED: identifiers first, then the names of their customers.
  auto r = cli({"match"});
  CHECK_MESSAGE(r.err.find("match: 3 new exposures, 0 updated, 3 in all; 1 listings matched again") !=
                    std::string::npos,
                r.err);
  CHECK(f.db.query_value("SELECT string_agg(customer_id || ' ' || confidence, ',' ORDER BY customer_id)"
                         " FROM exposures") == "c1 confirmed,c2 single,c3 single");
  // The full join finds the same: nothing to insert or raise.
  r = cli({"match", "--full"});
  CHECK_MESSAGE(r.err.find("match: 0 new exposures, 0 updated, 3 in all") != std::string::npos, r.err);
}
