#include "db/privacy_rewrite.h"

#include <string>

#include "core/errors.h"

namespace leakwatch::db {
namespace {

constexpr const char* kPages =
    "SELECT id, url, final_url, coalesce(title, ''), coalesce(listing_title, ''), coalesce(price, ''),"
    " coalesce(seller, '') FROM pages ORDER BY id";
constexpr const char* kPageByUrl = "SELECT id FROM pages WHERE url = $1";
constexpr const char* kUpdatePage =
    "UPDATE pages SET url = $2, final_url = $3, title = NULLIF($4, ''), listing_title = NULLIF($5, ''),"
    " price = NULLIF($6, ''), seller = NULLIF($7, '') WHERE id = $1";
// The same merge as schema/0030_key_pages_by_listing.sql, for one pair.
constexpr const char* kMergeExposures =
    "INSERT INTO exposures (customer_id, kind, hash, key_version, masked, page_id, first_seen, last_seen,"
    " confidence, matched_at, notified_at)"
    " SELECT customer_id, kind, hash, key_version, masked, $2, first_seen, last_seen, confidence, matched_at,"
    " notified_at FROM exposures WHERE page_id = $1"
    " ON CONFLICT (customer_id, hash, page_id) DO UPDATE SET"
    " first_seen = least(exposures.first_seen, excluded.first_seen),"
    " last_seen = greatest(exposures.last_seen, excluded.last_seen),"
    " confidence = CASE WHEN excluded.confidence = 'confirmed' THEN 'confirmed' ELSE exposures.confidence "
    "END,"
    " notified_at = coalesce(exposures.notified_at, excluded.notified_at)";
constexpr const char* kMovePageUrls =
    "UPDATE page_urls u SET page_id = $2 WHERE page_id = $1"
    " AND NOT EXISTS (SELECT 1 FROM page_urls o WHERE o.url = u.url AND o.page_id = $2)";
constexpr const char* kDropPage = "DELETE FROM pages WHERE id = $1";
constexpr const char* kPageUrls = "SELECT url FROM page_urls ORDER BY url";
constexpr const char* kRenamePageUrl =
    "UPDATE page_urls SET url = $2 WHERE url = $1 AND NOT EXISTS (SELECT 1 FROM page_urls WHERE url = $2)";
constexpr const char* kDropPageUrl = "DELETE FROM page_urls WHERE url = $1";
constexpr const char* kLoginWalls = "SELECT source, url, reason FROM login_walls";
constexpr const char* kUpdateLoginWall = "UPDATE login_walls SET url = $2, reason = $3 WHERE source = $1";
constexpr const char* kRuns = "SELECT id, errors::text FROM runs";
constexpr const char* kUpdateRun = "UPDATE runs SET errors = $2::jsonb WHERE id = $1";

struct PageRow {
  int64_t id;
  std::string url, final_url, title, listing_title, price, seller;
};

int64_t rewrite_pages(pqxx::work& tx, const ListingPrivacy& privacy, RewrittenRows* n) {
  std::vector<PageRow> rows;
  for (const auto& r : tx.exec(kPages)) {
    rows.push_back({r[0].as<int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(),
                    r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>(),
                    r[6].as<std::string>()});
  }
  for (const PageRow& p : rows) {
    PageRow now{p.id,
                privacy.stored_url(p.url),
                privacy.stored_url(p.final_url),
                privacy.mask(p.title),
                privacy.mask(p.listing_title),
                privacy.mask(p.price),
                privacy.mask(p.seller)};
    if (now.url == p.url && now.final_url == p.final_url && now.title == p.title &&
        now.listing_title == p.listing_title && now.price == p.price && now.seller == p.seller) {
      continue;
    }
    if (now.url != p.url) {
      pqxx::result other = tx.exec_params(kPageByUrl, now.url);
      if (!other.empty()) {
        const int64_t into = other[0][0].as<int64_t>();
        tx.exec_params0(kMergeExposures, p.id, into);
        tx.exec_params0(kMovePageUrls, p.id, into);
        tx.exec_params0(kDropPage, p.id);
        ++n->merged;
        continue;
      }
    }
    tx.exec_params0(kUpdatePage, p.id, now.url, now.final_url, now.title, now.listing_title, now.price,
                    now.seller);
    ++n->pages;
  }
  return n->pages;
}

void rewrite_page_urls(pqxx::work& tx, const ListingPrivacy& privacy, RewrittenRows* n) {
  std::vector<std::string> urls;
  for (const auto& r : tx.exec(kPageUrls)) urls.push_back(r[0].as<std::string>());
  for (const std::string& url : urls) {
    std::string stored = privacy.stored_url(url);
    if (stored == url) continue;
    if (tx.exec_params(kRenamePageUrl, url, stored).affected_rows() == 0) tx.exec_params0(kDropPageUrl, url);
    ++n->page_urls;
  }
}

void rewrite_messages(pqxx::work& tx, const ListingPrivacy& privacy, RewrittenRows* n) {
  for (const auto& r : tx.exec(kLoginWalls)) {
    std::string url = r[1].as<std::string>(), reason = r[2].as<std::string>();
    std::string new_url = privacy.stored_url(url), new_reason = privacy.mask(reason);
    if (new_url == url && new_reason == reason) continue;
    tx.exec_params0(kUpdateLoginWall, r[0].as<std::string>(), new_url, new_reason);
    ++n->other;
  }
  // Masking keeps a JSON document valid: it only replaces characters of an
  // identifier inside a string with '*'.
  for (const auto& r : tx.exec(kRuns)) {
    std::string errors = r[1].as<std::string>(), masked = privacy.mask(errors);
    if (masked == errors) continue;
    tx.exec_params0(kUpdateRun, r[0].as<int64_t>(), masked);
    ++n->other;
  }
}

}  // namespace

RewrittenRows rewrite_listing_plaintext(pqxx::connection& conn, const ListingPrivacy& privacy) {
  try {
    pqxx::work tx(conn, "rewrite plaintext");
    RewrittenRows n;
    rewrite_pages(tx, privacy, &n);
    rewrite_page_urls(tx, privacy, &n);
    rewrite_messages(tx, privacy, &n);
    tx.commit();
    return n;
  } catch (const pqxx::failure& e) {
    throw RuntimeError(std::string("purge --rewrite: ") + e.what());
  }
}

void vacuum_full(pqxx::connection& conn, const char* tables) {
  try {
    pqxx::nontransaction tx(conn);
    tx.exec(std::string("VACUUM FULL ") + tables);
  } catch (const pqxx::failure& e) {
    throw RuntimeError(std::string("purge --rewrite: VACUUM FULL: ") + e.what());
  }
}

}  // namespace leakwatch::db
