// `leakwatch crawl` against the fixture market (scripts/fixture_market/),
// through the SOCKS5 test proxy that plays Tor, from the user's side: the
// real binary, a real PostgreSQL, and the market's own request log.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include <re2/re2.h>
#include <pqxx/pqxx>

#include "crawler/parse/url.h"
#include "fixture_market.h"
#include "harness.h"
#include "listing_store.h"

using namespace leakwatch::testing;

namespace {

struct CrawlSetup {
  TestDatabase db;
  TempDir dir;
  std::filesystem::path key = write_key_file(dir);  // stored pages are sealed with a key derived from it
  FixtureMarket market;
  std::map<std::string, std::string> env{{"LEAKWATCH_DATABASE_URL", db.url()},
                                         {"LEAKWATCH_HMAC_KEY_FILE", key.string()}};

  explicit CrawlSetup(const MarketOptions& options = {}) : market(dir.path(), options) {
    auto r = run_cli({"db", "migrate"}, "", env);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }

  // [crawl] with fast retries and small pages (each "key = value" line of
  // `crawl_extra` replaces or adds one), then `sources`.
  std::filesystem::path config(const std::string& sources, const std::string& crawl_extra = "",
                               const std::string& proxy = "") {
    std::vector<std::pair<std::string, std::string>> keys{
        {"proxy", "\"" + (proxy.empty() ? market.proxy() : proxy) + "\""},
        {"concurrency", "8"},
        {"per_host_concurrency", "4"},
        {"timeout_s", "10"},
        {"connect_timeout_s", "5"},
        {"retry_base_ms", "100"},
        {"max_page_bytes", "1048576"},
        {"max_depth", "8"},
        {"lease_s", "60"}};
    std::istringstream extra(crawl_extra);
    for (std::string line; std::getline(extra, line);) {
      auto eq = line.find(" = ");
      if (eq == std::string::npos) continue;
      std::string key = line.substr(0, eq), value = line.substr(eq + 3);
      auto it = std::find_if(keys.begin(), keys.end(), [&](const auto& kv) { return kv.first == key; });
      if (it != keys.end()) {
        it->second = value;
      } else {
        keys.emplace_back(key, value);
      }
    }
    std::ostringstream s;
    s << "[crawl]\n";
    for (const auto& [k, v] : keys) s << k << " = " << v << "\n";
    s << "\n" << sources;
    auto path = dir.write("leakwatch.toml", s.str());
    env["LEAKWATCH_CONFIG"] = path.string();
    return path;
  }

  static std::string source(const std::string& name, const std::string& extra = "") {
    return "[[source]]\nname = \"" + name + "\"\nseeds = [\"http://" + name +
           ".onion/\"]\nallow_private = true\nrate = 100\n" + extra + "\n";
  }

  std::string all_markets(const std::string& shop_extra = "cookies = \"session=demo\"\n") {
    return source("shop", shop_extra) + source("forum") + source("paste");
  }

  CliResult crawl(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"crawl"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args, "", env);
  }

  std::unique_ptr<ChildProcess> crawl_in_background(const std::string& tag) {
    return std::make_unique<ChildProcess>(std::vector<std::string>{LEAKWATCH_BINARY, "crawl"}, env,
                                          dir.path() / (tag + ".out"), dir.path() / (tag + ".err"));
  }

  std::set<std::string> frontier_urls(const std::string& state) {
    std::string urls = db.query_value(
        "SELECT coalesce(string_agg(url, ' '), '') FROM frontier WHERE state = '" + state + "'");
    std::set<std::string> out;
    std::istringstream in(urls);
    for (std::string u; in >> u;) out.insert(u);
    return out;
  }

  long count(const std::string& sql) { return std::stol(db.query_value(sql)); }

  // The text stored for the listing at `url`, opened with the test's key.
  std::string page_text(const std::string& url) {
    pqxx::connection conn(db.url());
    pqxx::read_transaction tx(conn);
    auto r = tx.exec_params("SELECT text_sealed FROM pages WHERE url = $1 AND text_sealed IS NOT NULL", url);
    if (r.empty()) return "";
    pqxx::binarystring sealed(r[0][0]);
    return privacy_for(key).open(std::string_view(sealed.get(), sealed.size())).value_or("");
  }

  // Every listing of shop, forum and paste, and every trap page that must be
  // reached, canonicalized as the frontier stores them.
  std::set<std::string> must_reach() {
    auto m = market.manifest();
    std::set<std::string> out;
    // at(): a key the manifest lacks is an error, not an empty list that checks nothing.
    for (const char* name : {"shop", "forum", "paste"}) {
      const auto& urls = m.at("markets").at(name).at("listing_urls");
      REQUIRE_MESSAGE(!urls.empty(), name << " lists no listing");
      for (const auto& u : urls)
        out.insert(leakwatch::crawler::canonicalize_url(u.get<std::string>()).value());
    }
    const auto& traps = m.at("traps").at("must_reach");
    REQUIRE(!traps.empty());
    for (const auto& p : traps) out.insert("http://shop.onion" + p.get<std::string>());
    return out;
  }
};

std::vector<std::string> missing(const std::set<std::string>& want, const std::set<std::string>& have) {
  std::vector<std::string> out;
  for (const auto& u : want) {
    if (!have.count(u)) out.push_back(u);
  }
  return out;
}

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + " ";
  return out;
}

}  // namespace

TEST_CASE("crawl: through socks5h:// reaches every listing and trap page, and nothing out of scope") {
  CrawlSetup t(MarketOptions{.pages = 20, .rate_limit = 0});
  t.config(t.all_markets());
  auto r = t.crawl();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("crawl: ") != std::string::npos);
  CHECK(r.err.find("pages fetched") != std::string::npos);

  auto done = t.frontier_urls("done");
  auto lost = missing(t.must_reach(), done);
  CHECK_MESSAGE(lost.empty(), "not reached: " << join(lost));

  // Only the markets' own hosts, never a login/logout page, each page once.
  for (const auto& entry : t.market.requests()) {
    std::string host = entry["host"], path = entry["path"];
    INFO(host << path);
    CHECK((host == "shop.onion" || host == "forum.onion" || host == "paste.onion"));
    CHECK(path.find("login") == std::string::npos);
    CHECK(path.find("logout") == std::string::npos);
    CHECK(entry["statuses"].value("200", 0) <= 1);
  }
  // Names went to the proxy, which resolved them; nothing else left.
  auto log = t.market.proxy_log();
  CHECK(!log.empty());
  for (const auto& e : log) {
    std::string destination = e["destination"];
    INFO(e.dump());
    CHECK(destination.ends_with(".onion"));
  }

  // Not text: never stored. Redirect loop: failed with the reason.
  CHECK(t.db.query_value("SELECT state FROM frontier WHERE url = 'http://shop.onion/img/logo.jpg'") ==
        "skipped");
  // A file a page links is that page's attachment, not a page (issue #17).
  CHECK(t.count("SELECT count(*) FROM frontier WHERE url = 'http://shop.onion/files/sample.zip'") == 0);
  CHECK(t.count("SELECT count(*) FROM attachments WHERE url = 'http://shop.onion/files/sample.zip'") == 1);
  CHECK(t.db.query_value("SELECT last_error FROM frontier WHERE url = 'http://shop.onion/loop/a'")
            .find("redirect loop") != std::string::npos);
  // Same bytes under two URLs: one page, both URLs.
  CHECK(t.count("SELECT count(DISTINCT page_id) FROM page_urls WHERE url IN "
                "('http://shop.onion/dup-a', 'http://shop.onion/dup-b')") == 1);
  CHECK(t.count("SELECT count(*) FROM page_urls WHERE url IN "
                "('http://shop.onion/dup-a', 'http://shop.onion/dup-b')") == 2);
  // The cap applies to decoded bytes; what came is kept.
  CHECK(t.db.query_value(
            "SELECT truncated::text || ' ' || bytes FROM pages WHERE url = 'http://shop.onion/huge'") ==
        "true 1048576");
  // GBK pages arrive as UTF-8, whether the charset was in the header or the <meta>.
  CHECK(t.db.query_value("SELECT charset FROM pages WHERE url = 'http://shop.onion/gbk-header'") ==
        "gb18030");
  CHECK(t.db.query_value("SELECT charset FROM pages WHERE url = 'http://shop.onion/gbk-meta'") == "gb18030");
  for (const char* url : {"http://shop.onion/gbk-header", "http://shop.onion/gbk-meta"}) {
    CHECK_MESSAGE(RE2::PartialMatch(t.page_text(url), "[一-龥]"), url);
  }
  // The extraction stage finds pages with text and title.
  CHECK(
      t.count(
          "SELECT count(*) FROM pages WHERE url LIKE 'http://shop.onion/listing/%' AND extracted_version = 0"
          " AND text_sealed IS NOT NULL AND title <> ''") == 20);
  CHECK(t.count("SELECT count(*) FROM frontier WHERE state = 'leased'") == 0);
  CHECK(t.count("SELECT count(*) FROM login_walls") == 0);

  // A second pass within revisit_hours has nothing to do.
  http_get(t.market.port(), "/__requests?reset=1");
  auto again = t.crawl();
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(t.market.requests().empty());

  // A revisit is conditional, and a 304 costs nothing downstream.
  long pages = t.count("SELECT count(*) FROM pages");
  t.config(t.all_markets(), "revisit_hours = 0");
  auto revisit = t.crawl();
  INFO(revisit.err);
  CHECK(revisit.exit_code == 0);
  CHECK(revisit.err.find(" 0 not modified") == std::string::npos);
  CHECK(t.count("SELECT count(*) FROM pages") == pages);
}

TEST_CASE("crawl: a login wall is recorded once per source and not stored as content") {
  CrawlSetup t(MarketOptions{.pages = 10, .rate_limit = 0});
  t.config(CrawlSetup::source("shop"));  // no session cookie
  auto r = t.crawl();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(occurrences(r.err, "login wall: shop") == 1);
  CHECK(r.err.find("1 login walls") != std::string::npos);
  CHECK(t.count("SELECT count(*) FROM login_walls WHERE source = 'shop'") == 1);
  CHECK(t.count("SELECT hits FROM login_walls WHERE source = 'shop'") == 10);
  CHECK(t.count("SELECT count(*) FROM frontier WHERE state = 'login_wall'") == 10);
  CHECK(t.count("SELECT count(*) FROM pages WHERE url LIKE '%/listing/%'") == 0);

  SUBCASE("an expired session (wrong cookie) is a login wall too") {
    t.config(CrawlSetup::source("shop", "cookies = \"session=stale\"\nrevisit_hours = 0\n"));
    auto again = t.crawl();
    INFO(again.err);
    CHECK(again.exit_code == 0);
    CHECK(t.count("SELECT count(*) FROM login_walls") == 1);
    CHECK(t.count("SELECT count(*) FROM pages WHERE url LIKE '%/listing/%'") == 0);
    CHECK(t.count("SELECT count(*) FROM frontier WHERE state = 'login_wall'") == 10);
  }
  SUBCASE("with the right cookie, the next revisit gets the listings") {
    t.config(CrawlSetup::source("shop", "cookies = \"session=demo\"\nrevisit_hours = 0\n"));
    auto again = t.crawl();
    INFO(again.err);
    CHECK(again.exit_code == 0);
    CHECK(again.err.find("0 login walls") != std::string::npos);
    CHECK(t.count("SELECT count(*) FROM pages WHERE url LIKE '%/listing/%'") == 10);
    CHECK(t.count("SELECT count(*) FROM frontier WHERE state = 'login_wall'") == 0);
  }
}

TEST_CASE("crawl: 429 answers with Retry-After slow the crawl down instead of failing it") {
  CrawlSetup t(MarketOptions{.pages = 10, .rate_limit = 8});
  t.config(CrawlSetup::source("shop", "cookies = \"session=demo\"\nmax_depth = 3\n"));
  auto r = t.crawl();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  long rejected = 0;
  for (const auto& entry : t.market.requests()) rejected += entry["statuses"].value("429", 0);
  CHECK(rejected > 0);
  CHECK(r.err.find("HTTP 429") != std::string::npos);  // counted as retries
  auto done = t.frontier_urls("done");
  for (int i = 1; i <= 10; ++i) CHECK(done.count("http://shop.onion/listing/" + std::to_string(i)) == 1);
  CHECK(t.count("SELECT count(*) FROM frontier WHERE last_error LIKE '%429%'") == 0);
}

TEST_CASE("crawl: kill -9 mid-crawl, then the next crawl resumes and reaches the same set") {
  CrawlSetup t(MarketOptions{.pages = 60, .latency_ms = 150, .rate_limit = 0});
  t.config(t.all_markets(), "lease_s = 600\nconcurrency = 4");
  auto first = t.crawl_in_background("first");
  for (int i = 0; i < 300 && t.count("SELECT count(*) FROM pages") < 25; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(first->running());
  first->kill_now();
  first->wait();
  long kept = t.count("SELECT count(*) FROM pages");
  CHECK(kept >= 25);
  CHECK(t.count("SELECT count(*) FROM frontier WHERE state = 'leased'") > 0);

  // The leases of a dead crawl are taken back at once, not after lease_s.
  auto start = std::chrono::steady_clock::now();
  auto r = t.crawl();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
  CHECK(r.err.find("took back the leases") != std::string::npos);
  auto lost = missing(t.must_reach(), t.frontier_urls("done"));
  CHECK_MESSAGE(lost.empty(), "not reached: " << join(lost));
  CHECK(t.count("SELECT count(*) FROM frontier WHERE state IN ('leased', 'queued')") == 0);
  CHECK(t.count("SELECT count(*) FROM pages") >= kept);
}

TEST_CASE("crawl: two concurrent crawls split the frontier and fetch each URL once") {
  CrawlSetup t(MarketOptions{.pages = 40, .latency_ms = 30, .rate_limit = 0});
  t.config(t.all_markets());
  auto a = t.crawl_in_background("a");
  auto b = t.crawl_in_background("b");
  int code_a = a->wait(), code_b = b->wait();
  std::string err_a = read_file(t.dir.path() / "a.err"), err_b = read_file(t.dir.path() / "b.err");
  INFO(err_a);
  INFO(err_b);
  CHECK(code_a == 0);
  CHECK(code_b == 0);
  auto lost = missing(t.must_reach(), t.frontier_urls("done"));
  CHECK_MESSAGE(lost.empty(), "not reached: " << join(lost));
  for (const auto& entry : t.market.requests()) {
    std::string path = entry["path"];
    INFO(entry.dump());
    if (path == "/flaky") continue;  // 503 once, then 200: two requests by design
    CHECK(entry["count"].get<int>() == 1);
  }
}

TEST_CASE("crawl: socks5:// (names resolved locally) fails clearly on .onion hosts") {
  CrawlSetup t(MarketOptions{.pages = 5, .rate_limit = 0});
  t.config(CrawlSetup::source("forum"), "", t.market.proxy("socks5"));
  auto r = t.crawl();
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("socks5h://") != std::string::npos);
  CHECK(t.market.requests().empty());
  for (const auto& e : t.market.proxy_log())
    CHECK(std::string(e["destination"]).find("onion") == std::string::npos);
}

TEST_CASE("crawl: a proxy that is down gives one clear error naming it") {
  CrawlSetup t(MarketOptions{.pages = 5, .rate_limit = 0});
  std::string proxy = "socks5h://127.0.0.1:" + std::to_string(unused_port());
  t.config(t.all_markets(), "", proxy);
  auto r = t.crawl();
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(occurrences(r.err, "leakwatch: error: ") == 1);
  CHECK(r.err.find("proxy " + proxy + " is not reachable") != std::string::npos);
  CHECK(t.count("SELECT count(*) FROM frontier WHERE state = 'leased'") == 0);
}

TEST_CASE("crawl: a market by path, without a proxy, needs allow_private for 127.0.0.1") {
  CrawlSetup t(MarketOptions{.pages = 5, .rate_limit = 0});
  std::string seed = "http://127.0.0.1:" + std::to_string(t.market.port()) + "/m/paste/";
  std::string source = "[[source]]\nname = \"paste\"\nseeds = [\"" + seed + "\"]\n";
  t.config(source + "allow_private = true\n", "", "none");
  auto r = t.crawl();
  INFO(r.err);
  CHECK(r.exit_code == 0);
  auto m = t.market.manifest();
  auto done = t.frontier_urls("done");
  const auto& by_path = m.at("markets").at("paste").at("path_listing_urls");
  REQUIRE(!by_path.empty());
  for (const auto& u : by_path) {
    CHECK(done.count(leakwatch::crawler::canonicalize_url(u.get<std::string>()).value()) == 1);
  }

  t.config(source, "", "none");
  auto refused = t.crawl();
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("paste") != std::string::npos);
  CHECK(refused.err.find("private") != std::string::npos);
}

TEST_CASE("crawl: config errors name the file and line, and exit 2") {
  CrawlSetup t(MarketOptions{.pages = 5, .rate_limit = 0});
  auto path = t.config(CrawlSetup::source("shop", "max_dept = 3\n"));
  auto r = t.crawl();
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(path.string() + ":") != std::string::npos);
  CHECK(r.err.find("max_dept") != std::string::npos);

  t.config(CrawlSetup::source("shop"));
  auto unknown = t.crawl({"--source", "nope"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("nope") != std::string::npos);

  t.config(CrawlSetup::source("shop"), "proxy = \"tor://x\"");
  auto bad_proxy = t.crawl();
  CHECK(bad_proxy.exit_code == 2);
  CHECK(bad_proxy.err.find("proxy") != std::string::npos);
}

TEST_CASE("crawl: --max-pages stops the pass after N fetches, and --source picks sources") {
  CrawlSetup t(MarketOptions{.pages = 20, .rate_limit = 0});
  t.config(t.all_markets());
  auto r = t.crawl({"--max-pages", "7", "--source", "shop"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(t.count("SELECT count(*) FROM frontier WHERE fetched_at IS NOT NULL") == 7);
  CHECK(t.count("SELECT count(*) FROM frontier WHERE source <> 'shop'") == 0);
  CHECK(t.count("SELECT count(*) FROM frontier WHERE state = 'leased'") == 0);
  CHECK(t.count("SELECT count(*) FROM frontier WHERE state = 'queued'") > 0);
}

TEST_CASE("crawl: SIGTERM stops a crawl cleanly: what was fetched is committed, leases are given back") {
  CrawlSetup t(MarketOptions{.pages = 60, .latency_ms = 150, .rate_limit = 0});
  t.config(t.all_markets(), "concurrency = 4");
  auto crawl = t.crawl_in_background("term");
  for (int i = 0; i < 300 && t.count("SELECT count(*) FROM pages") < 10; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(crawl->running());
  ::kill(crawl->pid(), SIGTERM);
  int code = crawl->wait();
  std::string err = read_file(t.dir.path() / "term.err");
  INFO(err);
  CHECK(code == 0);
  CHECK(err.find("stopped by a signal") != std::string::npos);
  CHECK(t.count("SELECT count(*) FROM frontier WHERE state = 'leased'") == 0);
  CHECK(t.count("SELECT count(*) FROM frontier WHERE state = 'queued'") > 0);
  CHECK(t.count("SELECT count(*) FROM page_urls") ==
        t.count("SELECT count(*) FROM frontier WHERE state = 'done'"));
}

TEST_CASE("crawl: cookie_file (Netscape format), headers, user agent and listing field selectors") {
  CrawlSetup t(MarketOptions{.pages = 5, .rate_limit = 0});
  t.dir.write("cookies.txt", "# Netscape HTTP Cookie File\nshop.onion\tFALSE\t/\tFALSE\t0\tsession\tdemo\n");
  t.config(CrawlSetup::source(
      "shop",
      "cookie_file = \"cookies.txt\"\n"
      "headers = { Accept-Language = \"zh-CN\" }\n"
      "user_agent = \"leakwatch-test\"\n"
      "max_depth = 2\n"
      "fields = { title = \"h1.title\", price = \"span.price\", seller = \".seller\" }\n"));
  auto r = t.crawl();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(t.count("SELECT count(*) FROM login_walls") == 0);
  CHECK(t.count("SELECT count(*) FROM pages WHERE url LIKE 'http://shop.onion/listing/%'") == 5);
  CHECK(t.count("SELECT count(*) FROM pages WHERE url LIKE 'http://shop.onion/listing/%'"
                " AND listing_title <> '' AND price <> '' AND seller <> ''") == 5);
  CHECK(t.db.query_value("SELECT price FROM pages WHERE url = 'http://shop.onion/listing/1'").find("$") !=
        std::string::npos);
}

TEST_CASE(
    "crawl: a host name that resolves to a private address is refused before connecting, with no proxy and "
    "through socks5://, socks4:// and http:// proxies") {
  // This machine's own name resolves to loopback on the test machines
  // (Debian's installer puts "127.0.1.1 NAME" in /etc/hosts; others 127.0.0.1).
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  addrinfo* found = nullptr;
  bool loopback = ::getaddrinfo(host, nullptr, nullptr, &found) == 0 && found != nullptr &&
                  found->ai_family == AF_INET &&
                  (ntohl(reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr.s_addr) >> 24) == 127;
  char address[INET_ADDRSTRLEN] = "127.0.0.1";
  if (loopback) {
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr, address, sizeof address);
  }
  if (found != nullptr) ::freeaddrinfo(found);
  // Not a silent pass: without such a name this test cannot check the guard.
  REQUIRE_MESSAGE(loopback,
                  "cannot check the guard: this machine's name " << host << " does not resolve to 127.x");
  // Every proxy mode where the name is resolved on this machine: none,
  // socks5:// and socks4:// (libcurl resolves, the proxy gets the address),
  // and http:// (the proxy resolves it, on this machine: the test proxy
  // forwards a name that resolves to loopback, so a missing guard shows up
  // in both logs). A fresh database each: a refused URL is not fetched again
  // in the next pass.
  for (const std::string& scheme :
       {std::string("none"), std::string("socks5"), std::string("socks4"), std::string("http")}) {
    CrawlSetup t(MarketOptions{.pages = 5, .rate_limit = 0});
    std::string seed = "http://" + std::string(host) + ":" + std::to_string(t.market.port()) + "/m/paste/";
    std::string source = "[[source]]\nname = \"paste\"\nseeds = [\"" + seed + "\"]\n";
    std::string proxy = scheme == "none" ? scheme : t.market.proxy(scheme);
    INFO("proxy = " << proxy);
    t.config(source, "", proxy);
    auto refused = t.crawl();
    INFO(refused.err);
    CHECK(refused.exit_code == 1);
    CHECK(refused.err.find("private address") != std::string::npos);
    CHECK(t.market.requests().empty());
    CHECK(t.market.proxy_log().empty());
  }

  // Allowed, the crawl reaches the market where the name points: the market
  // listens on that address.
  CrawlSetup t(MarketOptions{.pages = 5, .rate_limit = 0, .bind = address});
  std::string seed = "http://" + std::string(host) + ":" + std::to_string(t.market.port()) + "/m/paste/";
  std::string source = "[[source]]\nname = \"paste\"\nseeds = [\"" + seed + "\"]\n";
  t.config(source + "allow_private = true\nrevisit_hours = 0\n", "", "none");
  auto allowed = t.crawl();
  INFO(allowed.err);
  CHECK(allowed.exit_code == 0);
  CHECK(!t.market.requests().empty());
}
