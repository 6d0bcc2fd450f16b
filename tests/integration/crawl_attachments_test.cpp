// Attachments (issue #17 part 2): a listing on the fixture market links a
// zip, a 7z and a raw .txt holding customers who appear nowhere else. The
// crawl streams them through the archive reader and the extractor; match
// and report point each exposure at the listing and the member and line.
// From the user's side: the real binary, a real PostgreSQL, the market's
// own request log.
#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

struct AttachmentSetup {
  TestDatabase db;
  TempDir dir;
  std::filesystem::path key = write_key_file(dir);
  FixtureMarket market{dir.path(), MarketOptions{.pages = 4, .rate_limit = 0}};
  nlohmann::json files = market.manifest().at("attachments");
  std::map<std::string, std::string> env{{"LEAKWATCH_DATABASE_URL", db.url()},
                                         {"LEAKWATCH_HMAC_KEY_FILE", key.string()}};

  // The shop only, its attachments under `crawl_extra` / `source_extra`.
  // `seed`: where the crawl starts; the customers are those of the files
  // the manifest lists under `section` ("" for /dump's, "bare" for the
  // listing whose file links have no extension).
  explicit AttachmentSetup(const std::string& crawl_extra = "", const std::string& source_extra = "",
                           const std::string& seed = "/", const std::string& section = "") {
    if (!section.empty()) files = nlohmann::json(files.at(section));
    auto config = dir.write("leakwatch.toml",
                            "[crawl]\nproxy = \"" + market.proxy() +
                                "\"\nconcurrency = 4\ntimeout_s = 10\nretry_base_ms = 100\n" + crawl_extra +
                                "\n[[source]]\nname = \"shop\"\nseeds = [\"http://shop.onion" + seed +
                                "\"]\n"
                                "cookies = \"session=demo\"\nallow_private = true\nrate = 100\n"
                                "fields = { price = \"span.price\", seller = \"span.seller\" }\n" +
                                source_extra);
    env["LEAKWATCH_CONFIG"] = config.string();
    REQUIRE(cli({"db", "migrate"}).exit_code == 0);
    // The files' customers, and nobody else.
    std::string csv = "customer_id,email,phone\n";
    int n = 0;
    for (const auto& c : files.at("customers")) {
      csv += "a" + std::to_string(++n) + "," + c.at("email").get<std::string>() + "," +
             c.at("phone").get<std::string>() + "\n";
    }
    REQUIRE(n == (section.empty() ? 8 : 4));
    REQUIRE(cli({"customers", "import", "-"}, csv).exit_code == 0);
  }

  CliResult cli(const std::vector<std::string>& args, const std::string& in = "") {
    auto r = run_cli(args, in, env);
    INFO(args[0] << ": " << r.err);
    CHECK(r.exit_code == 0);
    return r;
  }

  long count(const std::string& sql) { return std::stol(db.query_value(sql)); }

  // The market's answers to `path`, by status ("200" -> count): as routed
  // ("statuses": a 200 that then goes out as a 304 counts as 200) or as
  // sent ("answered").
  std::map<std::string, int> statuses(const std::string& path, const char* field = "statuses") {
    std::map<std::string, int> out;
    for (const auto& e : market.requests()) {
      if (e["host"] == "shop.onion" && e["path"] == path) {
        for (const auto& [status, n] : e[field].items()) out[status] += n.get<int>();
      }
    }
    return out;
  }
  // The market's log of `path`: how many requests were conditional, and the
  // body bytes it sent.
  std::pair<int, long> conditional_and_bytes(const std::string& path) {
    std::pair<int, long> out{0, 0};
    for (const auto& e : market.requests()) {
      if (e["host"] == "shop.onion" && e["path"] == path) {
        out.first += e["conditional"].get<int>();
        out.second += e["bytes"].get<long>();
      }
    }
    return out;
  }
};

// "customers.zip!users/part2.csv", "leak.txt": how reports name a file's member.
std::string chain_name(const nlohmann::json& customer) {
  std::string member = customer.at("member");
  return customer.at("file").get<std::string>() + (member.empty() ? "" : "!" + member);
}

}  // namespace

TEST_CASE(
    "crawl: attachments of a listing (zip, 7z, raw .txt) stream through the extractor; exposures point to "
    "the members") {
  AttachmentSetup t;
  auto crawl = t.cli({"crawl"});
  CHECK(crawl.err.find("attachments linked") != std::string::npos);
  // Files are attachments of the page that linked them, never pages of their own.
  CHECK(t.count("SELECT count(*) FROM frontier WHERE url LIKE '%/dump/files/%'") == 0);
  CHECK(t.count("SELECT count(*) FROM attachments a JOIN pages p ON p.id = a.page_id"
                " WHERE p.url = 'http://shop.onion/dump' AND a.complete") == 3);
  for (const auto& [name, file] : t.files.at("files").items()) {
    INFO(name);
    CHECK(t.statuses(file.at("path")) == std::map<std::string, int>{{"200", 1}});
  }
  t.cli({"extract"});
  auto match = t.cli({"match"});

  auto report = nlohmann::json::parse(t.cli({"report", "--all", "--format", "json"}).out);
  std::map<std::string, nlohmann::json> by_masked;
  int found = 0;
  for (const auto& e : report) {
    INFO(e.dump());
    // The listing whose page linked the file is the exposure's listing.
    CHECK(e.at("url") == "http://shop.onion/dump");
    CHECK(e.at("title") == t.files.at("title"));
    CHECK(e.at("price") == t.files.at("price"));
    CHECK(e.at("seller") == t.files.at("seller"));
    REQUIRE(e.contains("attachment"));
    ++found;
  }
  // Each customer's email and phone: 8 customers, 16 exposures.
  CHECK(found == 16);
  int n = 0;
  for (const auto& c : t.files.at("customers")) {
    std::string id = "a" + std::to_string(++n);
    INFO(id << " " << chain_name(c));
    int seen = 0;
    for (const auto& e : report) {
      if (e.at("customer_id") != id) continue;
      ++seen;
      CHECK(e.at("attachment").at("file") == chain_name(c));
      CHECK(e.at("attachment").at("line") == c.at("line"));
      CHECK(e.at("attachment")
                .at("url")
                .get<std::string>()
                .ends_with(
                    t.files.at("files").at(c.at("file").get<std::string>()).at("path").get<std::string>()));
      // Email and phone in one line of the file: confirmed.
      CHECK(e.at("confidence") == "confirmed");
    }
    CHECK(seen == 2);
  }
  auto csv = t.cli({"report", "--all", "--format", "csv"}).out;
  CHECK(csv.find(",attachment_url,attachment,attachment_line\r\n") != std::string::npos);
  CHECK(csv.find(",customers.zip!users/part2.csv,") != std::string::npos);
  auto html = t.cli({"report", "--all", "--format", "html"}).out;
  const auto& seven = t.files.at("customers")[4];
  CHECK(html.find("part3.7z!part3.csv line " + std::to_string(seven.at("line").get<int>())) !=
        std::string::npos);
}

TEST_CASE(
    "crawl: an unchanged attachment is not downloaded again (conditional request), a changed listing keeps "
    "it") {
  AttachmentSetup t("revisit_hours = 0\n");
  t.cli({"crawl"});
  t.cli({"extract"});
  t.cli({"match"});
  long exposures = t.count("SELECT count(*) FROM exposures");
  REQUIRE(exposures == 16);
  // The listing page comes back whole (as when its text changed), so its
  // links are read again; the files have not changed.
  REQUIRE(t.count("SELECT count(*) FROM frontier WHERE url = 'http://shop.onion/dump'") == 1);
  t.db.query_value(
      "WITH u AS (UPDATE frontier SET etag = NULL, last_modified = NULL RETURNING 1) SELECT count(*) FROM u");
  auto again = t.cli({"crawl"});
  // Asked again with the file's validators, answered 304, and no byte of
  // any file came: the market sent each file's body once, on the first crawl.
  CHECK(again.err.find(" 0 fetched and scanned (0 B, 0 identifiers and names)") != std::string::npos);
  CHECK(again.err.find("0 skipped, 0 failed") != std::string::npos);
  CHECK(t.statuses("/dump").at("200") == 2);
  CHECK(t.statuses("/dump", "answered") == std::map<std::string, int>{{"200", 2}});
  for (const auto& [name, file] : t.files.at("files").items()) {
    INFO(name << ": " << again.err);
    const std::string path = file.at("path");
    CHECK(t.statuses(path, "answered") == std::map<std::string, int>{{"200", 1}, {"304", 1}});
    const auto [conditional, sent] = t.conditional_and_bytes(path);
    CHECK(conditional == 1);
    CHECK(sent == file.at("bytes").get<long>());
  }
  CHECK(t.count(
            "SELECT count(*) FROM attachments WHERE url LIKE '%/dump/files/%' AND complete AND bytes > 0") ==
        3);
  // What the first download found stays: the exposures are still there.
  t.cli({"extract"});
  t.cli({"match"});
  CHECK(t.count("SELECT count(*) FROM exposures") == exposures);
  CHECK(t.count("SELECT count(*) FROM attachment_sightings") > 0);
}

TEST_CASE("crawl: attachment_max_bytes refuses a larger file before its body, with a clear message") {
  AttachmentSetup t("attachment_max_bytes = 1024\n");
  auto crawl = t.cli({"crawl"});
  const long txt = t.files.at("files").at("leak.txt").at("bytes");
  REQUIRE(txt > 1024);
  CHECK(crawl.err.find("leak.txt: not fetched: larger (" + std::to_string(txt) +
                       " bytes) than attachment_max_bytes (1024 bytes)") != std::string::npos);
  CHECK(t.count("SELECT count(*) FROM attachments WHERE url LIKE '%/dump/files/%'") == 2);
  t.cli({"extract"});
  t.cli({"match"});
  // The zip's and the 7z's customers (4 + 2), not the .txt's.
  CHECK(t.count("SELECT count(DISTINCT customer_id) FROM exposures") == 6);
}

TEST_CASE("crawl: attachment_budget_bytes stops a source's downloads for the run, with a clear message") {
  AttachmentSetup t("", "attachment_budget_bytes = 800\n");
  const long zip = t.files.at("files").at("customers.zip").at("bytes");
  REQUIRE(zip <= 800);
  auto crawl = t.cli({"crawl"});
  CHECK(crawl.err.find("what is left of the source's attachment_budget_bytes") != std::string::npos);
  t.cli({"extract"});
  t.cli({"match"});
  // The zip came first and fit; nothing else did.
  CHECK(t.count("SELECT count(DISTINCT customer_id) FROM exposures") == 4);
  CHECK(t.count("SELECT coalesce(sum(bytes), 0) FROM attachments") <= 800);
}

TEST_CASE(
    "crawl: links without a file extension that answer with an archive type, or a generic type and an "
    "archive's first bytes, are crawled as attachments of their listing, not as pages") {
  AttachmentSetup t("", "", "/dump-by-id", "bare");
  const std::string listing = "http://shop.onion" + t.files.at("listing").get<std::string>();
  auto crawl = t.cli({"crawl"});
  INFO(crawl.err);
  // Asked once as a page (the body refused after the headers said a file),
  // then fetched whole as the listing's attachment.
  CHECK(t.count("SELECT count(*) FROM attachments a JOIN pages p ON p.id = a.page_id WHERE p.url = '" +
                listing + "' AND a.complete") == 2);
  CHECK(t.count("SELECT count(*) FROM pages WHERE url LIKE '%/download/%'") == 0);
  for (const auto& [name, file] : t.files.at("files").items()) {
    INFO(name);
    CHECK(t.statuses(file.at("path")) == std::map<std::string, int>{{"200", 2}});
  }
  t.cli({"extract"});
  t.cli({"match"});
  auto report = nlohmann::json::parse(t.cli({"report", "--all", "--format", "json"}).out);
  CHECK(report.size() == 8);  // 4 customers, email and phone each
  int n = 0;
  for (const auto& c : t.files.at("customers")) {
    const std::string id = "a" + std::to_string(++n);
    INFO(id << " " << chain_name(c));
    int seen = 0;
    for (const auto& e : report) {
      if (e.at("customer_id") != id) continue;
      ++seen;
      CHECK(e.at("url") == listing);
      CHECK(e.at("title") == t.files.at("title"));
      CHECK(e.at("attachment").at("file") == chain_name(c));
      CHECK(e.at("attachment").at("line") == c.at("line"));
    }
    CHECK(seen == 2);
  }
}
