#include "crawler/page_store.h"

#include "core/errors.h"
#include "core/hex.h"
#include "db/pg_array.h"

namespace leakwatch::crawler {
namespace {

using db::to_pg_array;

// A batch's fetched pages go in as arrays: one statement per table rather than
// three round trips per page, which left the fetcher idle while a batch was
// committed. Pages are inserted in content-hash order, so that two workers
// storing the same contents take the unique index's locks in the same order.
constexpr const char* kInsertPages =
    "INSERT INTO pages (content_hash, url, final_url, source, status, content_type, charset, title,"
    " listing_title, price, seller, text, bytes, truncated)"
    " SELECT decode(h, 'hex'), u, fu, s, st, ct, NULLIF(cs, ''), NULLIF(ti, ''), NULLIF(lt, ''),"
    " NULLIF(pr, ''), NULLIF(se, ''), tx, b, tr"
    " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[],"
    " $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::boolean[])"
    " AS t(h, u, fu, s, st, ct, cs, ti, lt, pr, se, tx, b, tr) ORDER BY h"
    " ON CONFLICT (content_hash) DO NOTHING";

// Every URL under which a content was seen, new or duplicate.
constexpr const char* kUpsertPageUrls =
    "INSERT INTO page_urls (url, page_id, source)"
    " SELECT t.u, p.id, t.s FROM unnest($1::text[], $2::text[], $3::text[]) AS t(u, h, s)"
    " JOIN pages p ON p.content_hash = decode(t.h, 'hex') ORDER BY t.u"
    " ON CONFLICT (url) DO UPDATE SET page_id = EXCLUDED.page_id, last_seen = now()";

constexpr const char* kUpsertLoginWall =
    "INSERT INTO login_walls (source, url, reason) VALUES ($1, $2, $3)"
    " ON CONFLICT (source) DO UPDATE SET hits = login_walls.hits + 1, last_seen = now()"
    " RETURNING (xmax = 0)";

constexpr const char* kPurge =
    "UPDATE pages SET text = NULL WHERE text IS NOT NULL AND extracted_version > 0"
    " AND fetched_at < now() - make_interval(days => $1)";
constexpr const char* kUnextracted =
    "SELECT count(*) FROM pages WHERE text IS NOT NULL AND extracted_version = 0"
    " AND fetched_at < now() - make_interval(days => $1)";

}  // namespace

StoredPages store_pages(pqxx::work& tx, const std::vector<PageToStore>& pages) {
  StoredPages stored;
  if (pages.empty()) return stored;
  // Columns of kInsertPages.
  std::vector<std::string> hashes, urls, final_urls, sources, statuses, content_types, charsets, titles,
      listing_titles, prices, sellers, texts, sizes, truncated;
  for (const auto& [source, page] : pages) {
    const FetchedPage& p = *page;
    hashes.push_back(to_hex(p.content_hash));
    urls.push_back(p.url);
    final_urls.push_back(p.final_url);
    sources.push_back(*source);
    statuses.push_back(std::to_string(p.status));
    content_types.push_back(p.content_type);
    charsets.push_back(p.charset);
    titles.push_back(p.title);
    listing_titles.push_back(p.listing_title);
    prices.push_back(p.price);
    sellers.push_back(p.seller);
    texts.push_back(p.text);
    sizes.push_back(std::to_string(p.bytes));
    truncated.push_back(p.truncated ? "t" : "f");
  }
  auto inserted = tx.exec_params0(kInsertPages, to_pg_array(hashes), to_pg_array(urls),
                                  to_pg_array(final_urls), to_pg_array(sources), to_pg_array(statuses),
                                  to_pg_array(content_types), to_pg_array(charsets), to_pg_array(titles),
                                  to_pg_array(listing_titles), to_pg_array(prices), to_pg_array(sellers),
                                  to_pg_array(texts), to_pg_array(sizes), to_pg_array(truncated));
  // Within a batch as across batches, the first page with a content is new
  // and the others are duplicates.
  stored.pages_new = static_cast<int>(inserted.affected_rows());
  stored.pages_duplicate = static_cast<int>(hashes.size() - inserted.affected_rows());
  tx.exec_params0(kUpsertPageUrls, to_pg_array(urls), to_pg_array(hashes), to_pg_array(sources));
  return stored;
}

bool record_login_wall(pqxx::work& tx, const std::string& source, const std::string& url,
                       const std::string& reason) {
  return tx.exec_params1(kUpsertLoginWall, source, url, reason)[0].as<bool>();
}

PurgedText purge_page_text(pqxx::connection& conn, int days) {
  try {
    pqxx::work tx(conn, "purge");
    PurgedText result;
    result.purged = static_cast<int64_t>(tx.exec_params(kPurge, days).affected_rows());
    result.kept = tx.exec_params1(kUnextracted, days)[0].as<int64_t>();
    tx.commit();
    return result;
  } catch (const pqxx::failure& e) {
    throw RuntimeError(std::string("purge: ") + e.what());
  }
}

}  // namespace leakwatch::crawler
