#include "db/page_store.h"

#include <set>
#include <string_view>

#include "core/hex.h"
#include "db/pg_array.h"
#include "db/store_error.h"

namespace leakwatch::db {
namespace {

// A batch's pages go in as arrays, in three statements (not three round
// trips per page, which left the fetcher idle while a batch was committed).
// The columns, in order: $1 url, $2 final_url, $3 source, $4 status,
// $5 content_type, $6 charset, $7 title, $8 listing_title, $9 price,
// $10 seller, $11 sealed text (hex), $12 bytes, $13 truncated,
// $14 content_hash (hex), $15 dedupe_key (hex).
#define LW_BATCH                                                                                           \
  " unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[]," \
  " $9::text[], $10::text[], $11::text[], $12::int[], $13::boolean[], $14::text[], $15::text[])"           \
  " WITH ORDINALITY AS t(u, fu, s, st, ct, cs, ti, lt, pr, se, tx, b, tr, h, k, ord)"

// A revisit of a stored listing. A new content is a new version: its text
// replaces the old one and extraction reads it again. The same content keeps
// its text (or its purge) unless the text is missing and unread (0023
// dropped unsealed text and re-queued those URLs).
constexpr const char* kUpdateListings =
    "WITH t AS (SELECT DISTINCT ON (u) * FROM" LW_BATCH
    " ORDER BY u, ord DESC)"
    " UPDATE pages p SET final_url = t.fu, status = t.st, content_type = t.ct, charset = NULLIF(t.cs, ''),"
    " title = NULLIF(t.ti, ''), listing_title = NULLIF(t.lt, ''), price = NULLIF(t.pr, ''),"
    " seller = NULLIF(t.se, ''), bytes = t.b, truncated = t.tr, dedupe_key = decode(t.k, 'hex'),"
    " content_hash = decode(t.h, 'hex'),"
    " text_sealed = CASE WHEN p.content_hash = decode(t.h, 'hex')"
    "  AND (p.text_sealed IS NOT NULL OR p.extracted_version > 0) THEN p.text_sealed"
    "  ELSE decode(t.tx, 'hex') END,"
    " fetched_at = CASE WHEN p.content_hash = decode(t.h, 'hex') THEN p.fetched_at ELSE now() END,"
    " extracted_version = CASE WHEN p.content_hash = decode(t.h, 'hex') THEN p.extracted_version ELSE 0 END"
    " FROM t WHERE p.url = t.u"
    " RETURNING p.fetched_at = now()";

// New listings: URLs not stored, whose records no listing of the source
// holds yet; of several in the batch with the same records, the first.
constexpr const char* kInsertListings =
    "INSERT INTO pages (url, final_url, source, status, content_type, charset, title, listing_title, price,"
    " seller, text_sealed, bytes, truncated, content_hash, dedupe_key)"
    " SELECT DISTINCT ON (t.s, t.k) t.u, t.fu, t.s, t.st, t.ct, NULLIF(t.cs, ''), NULLIF(t.ti, ''),"
    " NULLIF(t.lt, ''), NULLIF(t.pr, ''), NULLIF(t.se, ''), decode(t.tx, 'hex'), t.b, t.tr,"
    " decode(t.h, 'hex'), decode(t.k, 'hex') FROM" LW_BATCH
    " WHERE NOT EXISTS (SELECT 1 FROM pages p WHERE p.url = t.u)"
    " AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.source = t.s AND p.dedupe_key = decode(t.k, 'hex'))"
    " ORDER BY t.s, t.k, t.ord"
    " ON CONFLICT (url) DO NOTHING";

// Every URL seen, pointed at its own listing or at the listing it repeats.
constexpr const char* kUpsertPageUrls =
    "INSERT INTO page_urls (url, page_id, source)"
    " SELECT DISTINCT ON (t.u) t.u, coalesce(own.id, alias.id), t.s"
    " FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(u, s, k, ord)"
    " LEFT JOIN pages own ON own.url = t.u"
    " LEFT JOIN LATERAL (SELECT p.id FROM pages p WHERE p.source = t.s AND p.dedupe_key = decode(t.k, 'hex')"
    "  ORDER BY p.id LIMIT 1) alias ON true"
    " WHERE coalesce(own.id, alias.id) IS NOT NULL ORDER BY t.u, t.ord DESC"
    " ON CONFLICT (url) DO UPDATE SET page_id = EXCLUDED.page_id, last_seen = now()";

#undef LW_BATCH

// Two workers committing pages of one source at once would each find no
// listing with their records (neither sees the other's uncommitted row) and
// store two listings of one paste. Storing takes the source's lock for the
// transaction, sources in name order; each statement after it sees the
// batches committed before.
constexpr const char* kLockSources =
    "SELECT pg_advisory_xact_lock(hashtext('leakwatch.pages'), hashtext(s))"
    " FROM (SELECT DISTINCT s FROM unnest($1::text[]) s ORDER BY s) d";

constexpr const char* kUpsertLoginWall =
    "INSERT INTO login_walls (source, url, reason) VALUES ($1, $2, $3)"
    " ON CONFLICT (source) DO UPDATE SET hits = login_walls.hits + 1, last_seen = now()"
    " RETURNING (xmax = 0)";

// The oldest pages first, so a backlog drains in crawl order; pages leased by
// another worker are skipped, not waited for.
constexpr const char* kLeaseToExtract =
    "SELECT id, text_sealed, fetched_at FROM pages WHERE extracted_version < $1"
    " ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED";
constexpr const char* kMarkExtracted = "UPDATE pages SET extracted_version = $1 WHERE id = ANY($2::bigint[])";

constexpr const char* kPurge =
    "UPDATE pages SET text_sealed = NULL WHERE text_sealed IS NOT NULL AND extracted_version > 0"
    " AND fetched_at < now() - make_interval(days => $1)";
constexpr const char* kUnextracted =
    "SELECT count(*) FROM pages WHERE text_sealed IS NOT NULL AND extracted_version = 0"
    " AND fetched_at < now() - make_interval(days => $1)";

// What makes two URLs of one source the same listing: the lines that hold
// identifiers (a paste and its raw copy differ in their chrome, not in their
// records). A page without identifiers is only ever itself: its whole
// content. Keyed, so that the stored key says nothing about the lines.
std::string dedupe_key(const ListingPrivacy& privacy, const FetchedPage& page) {
  std::string masked = privacy.mask(page.text);
  std::string records;
  std::string_view text = page.text, masked_view = masked;
  while (!text.empty() && !masked_view.empty()) {
    auto a = text.find('\n'), b = masked_view.find('\n');
    std::string_view line = text.substr(0, a), masked_line = masked_view.substr(0, b);
    if (line != masked_line) records.append(line).push_back('\n');
    text = a == std::string_view::npos ? std::string_view() : text.substr(a + 1);
    masked_view = b == std::string_view::npos ? std::string_view() : masked_view.substr(b + 1);
  }
  if (records.empty()) return privacy.tag("content:" + page.title + "\n" + page.text);
  return privacy.tag("records:" + records);
}

// "storing 40 pages of source shop" (of sources a, b for a mixed batch).
std::string storing(const std::vector<PageToStore>& pages) {
  std::set<std::string_view> sources;
  for (const auto& p : pages) sources.insert(*p.source);
  std::string names;
  for (auto name : sources) names += (names.empty() ? "" : ", ") + std::string(name);
  return "storing " + std::to_string(pages.size()) + " page" + (pages.size() == 1 ? "" : "s") + " of source" +
         (sources.size() == 1 ? " " : "s ") + names;
}

StoredPages insert_pages(pqxx::work& tx, const ListingPrivacy& privacy,
                         const std::vector<PageToStore>& pages) {
  StoredPages stored;
  std::vector<std::string> urls, final_urls, sources, statuses, content_types, charsets, titles,
      listing_titles, prices, sellers, texts, sizes, truncated, hashes, keys;
  for (const auto& [source, page] : pages) {
    const FetchedPage& p = *page;
    urls.push_back(privacy.stored_url(p.url));
    final_urls.push_back(privacy.stored_url(p.final_url));
    sources.push_back(*source);
    statuses.push_back(std::to_string(p.status));
    content_types.push_back(p.content_type);
    charsets.push_back(p.charset);
    titles.push_back(privacy.mask(p.title));
    listing_titles.push_back(privacy.mask(p.listing_title));
    prices.push_back(privacy.mask(p.price));
    sellers.push_back(privacy.mask(p.seller));
    texts.push_back(to_hex(privacy.seal(p.text)));
    sizes.push_back(std::to_string(p.bytes));
    truncated.push_back(p.truncated ? "t" : "f");
    hashes.push_back(to_hex(p.content_hash));
    keys.push_back(dedupe_key(privacy, p));
  }
  const std::vector<std::string> a{to_pg_array(urls),      to_pg_array(final_urls),     to_pg_array(sources),
                                   to_pg_array(statuses),  to_pg_array(content_types),  to_pg_array(charsets),
                                   to_pg_array(titles),    to_pg_array(listing_titles), to_pg_array(prices),
                                   to_pg_array(sellers),   to_pg_array(texts),          to_pg_array(sizes),
                                   to_pg_array(truncated), to_pg_array(hashes),         to_pg_array(keys)};
  tx.exec_params(kLockSources, a[2]);
  int changed = 0;
  for (const auto& row : tx.exec_params(kUpdateListings, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
                                        a[9], a[10], a[11], a[12], a[13], a[14])) {
    if (row[0].as<bool>()) ++changed;
  }
  auto inserted = tx.exec_params0(kInsertListings, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
                                  a[10], a[11], a[12], a[13], a[14]);
  stored.pages_new = static_cast<int>(inserted.affected_rows()) + changed;
  stored.pages_duplicate = static_cast<int>(pages.size()) - stored.pages_new;
  tx.exec_params0(kUpsertPageUrls, a[0], a[2], a[14]);
  return stored;
}

}  // namespace

StoredPages store_pages(pqxx::work& tx, const ListingPrivacy& privacy,
                        const std::vector<PageToStore>& pages) {
  if (pages.empty()) return {};
  return store_call([&] { return storing(pages); }, [&] { return insert_pages(tx, privacy, pages); });
}

bool record_login_wall(pqxx::work& tx, const ListingPrivacy& privacy, const std::string& source,
                       const std::string& url, const std::string& reason) {
  return store_call(
      [&] { return "recording the login wall of source " + source; },
      [&] {
        return tx.exec_params1(kUpsertLoginWall, source, privacy.stored_url(url), privacy.mask(reason))[0]
            .as<bool>();
      });
}

std::vector<PageToExtract> lease_pages_to_extract(pqxx::work& tx, const ListingPrivacy& privacy, int version,
                                                  int n) {
  return store_call("leasing pages to extract", [&] {
    std::vector<PageToExtract> out;
    for (const auto& row : tx.exec_params(kLeaseToExtract, version, n)) {
      PageToExtract page;
      page.id = row[0].as<int64_t>();
      page.fetched_at = row[2].as<std::string>();
      if (!row[1].is_null()) {
        pqxx::binarystring sealed(row[1]);
        page.text = privacy.open(std::string_view(sealed.get(), sealed.size()));
        page.unreadable = !page.text;
      }
      out.push_back(std::move(page));
    }
    return out;
  });
}

void mark_pages_extracted(pqxx::work& tx, int version, const std::vector<int64_t>& ids) {
  store_call([&] { return "marking " + std::to_string(ids.size()) + " pages extracted"; },
             [&] { tx.exec_params0(kMarkExtracted, version, to_pg_array(ids)); });
}

PurgedText purge_page_text(pqxx::connection& conn, int days) {
  return store_call([&] { return "purging the text of pages older than " + std::to_string(days) + " days"; },
                    [&] {
                      pqxx::work tx(conn, "purge");
                      PurgedText result;
                      result.purged = static_cast<int64_t>(tx.exec_params(kPurge, days).affected_rows());
                      result.kept = tx.exec_params1(kUnextracted, days)[0].as<int64_t>();
                      tx.commit();
                      return result;
                    });
}

}  // namespace leakwatch::db
