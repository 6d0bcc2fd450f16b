#include "db/attachment_store.h"

#include <algorithm>
#include <tuple>

#include "core/errors.h"

namespace leakwatch::db {
namespace {

constexpr const char* kValidators =
    "SELECT coalesce(etag, ''), coalesce(last_modified, ''), coalesce(size, -1) FROM attachments"
    " WHERE source = $1 AND url = $2";
constexpr const char* kListingPage = "SELECT page_id FROM page_urls WHERE url = $1";
// A download, or a revisit that found it unchanged ($9: keep the old sightings).
constexpr const char* kUpsert =
    "INSERT INTO attachments (source, url, page_id, etag, last_modified, size, content_type, bytes, complete,"
    " error, fetched_at)"
    " VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), NULLIF($6, -1), NULLIF($7, ''), $8, $9,"
    " NULLIF($10, ''), now())"
    " ON CONFLICT (source, url) DO UPDATE SET page_id = excluded.page_id, etag = excluded.etag,"
    " last_modified = excluded.last_modified, size = excluded.size,"
    " content_type = coalesce(excluded.content_type, attachments.content_type),"
    " bytes = CASE WHEN $11 THEN attachments.bytes ELSE excluded.bytes END,"
    " complete = CASE WHEN $11 THEN attachments.complete ELSE excluded.complete END,"
    " error = CASE WHEN $11 THEN attachments.error ELSE excluded.error END, fetched_at = now()"
    " RETURNING id";
constexpr const char* kDropSightings = "DELETE FROM attachment_sightings WHERE attachment_id = $1";

const std::vector<std::string> kColumns{"attachment_id", "member", "line",  "hash",
                                        "key_version",   "kind",   "masked"};

bool store(pqxx::connection& conn, const ListingPrivacy& privacy, const AttachmentRecord& a);

}  // namespace

std::optional<AttachmentValidators> attachment_validators(pqxx::connection& conn,
                                                          const ListingPrivacy& privacy,
                                                          const std::string& source, const std::string& url) {
  try {
    pqxx::read_transaction tx(conn, "attachment validators");
    pqxx::result r = tx.exec_params(kValidators, source, privacy.stored_url(url));
    if (r.empty()) return std::nullopt;
    return AttachmentValidators{r[0][0].as<std::string>(), r[0][1].as<std::string>(), r[0][2].as<int64_t>()};
  } catch (const pqxx::failure& e) {
    throw RuntimeError(std::string("attachments: database: ") + e.what());
  }
}

bool store_attachment(pqxx::connection& conn, const ListingPrivacy& privacy, const AttachmentRecord& a) {
  try {
    return store(conn, privacy, a);
  } catch (const pqxx::failure& e) {
    throw RuntimeError(std::string("attachments: database: ") + e.what());
  }
}

namespace {
bool store(pqxx::connection& conn, const ListingPrivacy& privacy, const AttachmentRecord& a) {
  pqxx::work tx(conn, "store attachment");
  pqxx::result page = tx.exec_params(kListingPage, privacy.stored_url(a.listing_url));
  if (page.empty()) return false;
  const int64_t page_id = page[0][0].as<int64_t>();
  const AttachmentValidators& v = a.validators;
  const int64_t id =
      tx.exec_params1(kUpsert, a.source, privacy.stored_url(a.url), page_id, v.etag, v.last_modified, v.size,
                      a.content_type, a.bytes, a.complete, privacy.mask(a.error), a.not_modified)[0]
          .as<int64_t>();
  if (!a.not_modified && a.scan != nullptr) {
    tx.exec_params0(kDropSightings, id);
    // One row per (member, line, hash): a line that names an identifier twice counts once.
    std::vector<const AttachmentSighting*> rows;
    rows.reserve(a.scan->sightings.size());
    for (const auto& s : a.scan->sightings) rows.push_back(&s);
    auto key = [](const AttachmentSighting* s) {
      return std::tie(s->member, s->line, s->hash_hex, s->key_version);
    };
    std::sort(rows.begin(), rows.end(), [&](auto* x, auto* y) { return key(x) < key(y); });
    rows.erase(std::unique(rows.begin(), rows.end(), [&](auto* x, auto* y) { return key(x) == key(y); }),
               rows.end());
    pqxx::stream_to stream(tx, "attachment_sightings", kColumns);
    std::string member_of, masked_member;
    for (const AttachmentSighting* s : rows) {
      if (s->member != member_of || masked_member.empty()) {
        member_of = s->member;
        masked_member = privacy.mask(s->member);
      }
      stream << std::make_tuple(id, masked_member, s->line, s->hash_hex, s->key_version, s->kind, s->masked);
    }
    stream.complete();
  }
  tx.commit();
  return true;
}
}  // namespace

}  // namespace leakwatch::db
