// The pipeline's end: the tables a crawl fills with what it kept — pages
// (one row per distinct content, with its raw text until `purge`),
// page_urls (every URL a content was seen under) and login_walls (one per
// source) — and the retention purge of page text. Created by
// schema/0010_create_frontier.sql; this file holds every write to them.
//
// Not thread-safe; the transaction or connection must outlive each call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace leakwatch::crawler {

// A page worth keeping (text, in scope, not a login wall).
struct FetchedPage {
  std::string url;        // the frontier URL
  std::string final_url;  // after redirects
  int status = 200;
  std::string content_type;
  std::string charset;
  std::string title;
  std::string listing_title;
  std::string price;
  std::string seller;
  std::string text;          // visible text lines, UTF-8
  std::string content_hash;  // 32 raw bytes (SHA-256 of title + "\n" + text)
  int64_t bytes = 0;
  bool truncated = false;
};

struct PageToStore {
  const std::string* source;
  const FetchedPage* page;
};

struct StoredPages {
  int pages_new = 0;        // distinct contents stored for the first time
  int pages_duplicate = 0;  // contents already stored (under another URL, or earlier in the batch)
};

// Stores a batch of pages in `tx`: one row per new content (a content
// already stored keeps its row), and each page's URL pointed at its content.
StoredPages store_pages(pqxx::work& tx, const std::vector<PageToStore>& pages);

// Records that `source` met a login wall at `url`; true the first time for
// this source (later calls count hits).
bool record_login_wall(pqxx::work& tx, const std::string& source, const std::string& url,
                       const std::string& reason);

struct PurgedText {
  int64_t purged = 0;  // pages whose raw text was dropped
  int64_t kept = 0;    // pages past the window kept because extraction has not read them
};

// Drops the raw text of pages fetched more than `days` ago that extraction
// has read, keeping their metadata (DESIGN.md "Privacy"). Throws
// leakwatch::RuntimeError on a database failure.
PurgedText purge_page_text(pqxx::connection& conn, int days);

}  // namespace leakwatch::crawler
