#include "crawler/frontier.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string_view>

#include "core/errors.h"
#include "core/hex.h"
#include "db/pg_array.h"
#include "db/store_error.h"

namespace leakwatch::crawler {

using db::to_pg_array;

namespace {

constexpr const char* kUpsertSource =
    "INSERT INTO crawl_sources (name) VALUES ($1)"
    " ON CONFLICT (name) DO UPDATE SET last_crawl_at = now()";
// Serialises enqueuers of one source, so that max_pages holds across workers.
constexpr const char* kLockSource =
    "SELECT pg_advisory_xact_lock(hashtext('leakwatch.frontier'), hashtext($1))";
constexpr const char* kCountSource = "SELECT count(*) FROM frontier WHERE source = $1";
// $3: URLs as stored (db::ListingPrivacy::stored_url), $5: the URL sealed
// (hex) where the stored form is masked, else ''.
// Inserted in URL order: two workers adding the same URLs in one order each
// never wait for each other in a cycle (a deadlock). Which URLs fit the
// budget is decided in the order they were found.
constexpr const char* kEnqueue =
    "INSERT INTO frontier (url, url_sealed, source, depth)"
    " SELECT n.u, decode(NULLIF(n.x, ''), 'hex'), $1, $2 FROM"
    " (SELECT t.u, t.x FROM unnest($3::text[], $5::text[]) WITH ORDINALITY AS t(u, x, i)"
    " WHERE NOT EXISTS (SELECT 1 FROM frontier f WHERE f.url = t.u) ORDER BY t.i LIMIT $4) AS n"
    " ORDER BY n.u ON CONFLICT (url) DO NOTHING";
constexpr const char* kRequeueRevisits =
    "UPDATE frontier SET state = 'queued', next_attempt_at = now(), attempts = 0"
    " WHERE source = $1 AND state IN ('done', 'failed', 'login_wall')"
    " AND fetched_at < now() - $2::float8 * interval '1 hour'";
// Leases left by a worker that is no longer live (schema/0060: killed, hung,
// cut off) are taken at once, expired ones of live workers after lease_s.
// Column 7 names the owner they were taken from.
constexpr const char* kLeaseStranded =
    "WITH stranded AS (SELECT f.id, f.lease_owner FROM frontier f WHERE f.source = $1 AND f.state = 'leased'"
    " AND (f.lease_expires < now() OR NOT EXISTS (SELECT 1 FROM live_crawl_workers w"
    " WHERE w.worker = f.lease_owner)) ORDER BY f.lease_expires LIMIT $3 FOR UPDATE OF f SKIP LOCKED)"
    " UPDATE frontier f SET lease_owner = $2, lease_expires = now() + $4::int * interval '1 second'"
    " FROM stranded WHERE f.id = stranded.id"
    " RETURNING f.id, f.url, f.depth, f.attempts, coalesce(f.etag, ''), coalesce(f.last_modified, ''),"
    " f.url_sealed, coalesce(stranded.lease_owner, '')";
constexpr const char* kLeaseQueued =
    "UPDATE frontier SET state = 'leased', lease_owner = $2,"
    " lease_expires = now() + $4::int * interval '1 second'"
    " WHERE id IN (SELECT id FROM frontier WHERE source = $1 AND state = 'queued'"
    " AND next_attempt_at <= now() ORDER BY depth, id LIMIT $3 FOR UPDATE SKIP LOCKED)"
    " RETURNING id, url, depth, attempts, coalesce(etag, ''), coalesce(last_modified, ''), url_sealed";
// $6: the page's content hash (hex); '' for a 304, which keeps the last one.
constexpr const char* kMarkDone =
    "UPDATE frontier f SET state = 'done', lease_owner = NULL, lease_expires = NULL,"
    " attempts = f.attempts + 1, fetched_at = now(), http_status = t.status, last_error = NULL,"
    " etag = coalesce(NULLIF(t.etag, ''), f.etag),"
    " last_modified = coalesce(NULLIF(t.last_modified, ''), f.last_modified),"
    " content_hash = coalesce(decode(NULLIF(t.hash, ''), 'hex'), f.content_hash)"
    " FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $6::text[])"
    " AS t(id, status, etag, last_modified, hash)"
    " WHERE f.id = t.id AND f.lease_owner = $5";
// Not fetched now (state $3): no content hash of this pass.
constexpr const char* kMarkFinal =
    "UPDATE frontier SET state = $3, lease_owner = NULL, lease_expires = NULL,"
    " attempts = attempts + 1, fetched_at = now(), http_status = NULLIF($4, 0), last_error = $5,"
    " content_hash = NULL WHERE id = $1 AND lease_owner = $2";
constexpr const char* kMarkRetryLater =
    "UPDATE frontier SET state = CASE WHEN attempts + 1 >= $6 THEN 'failed' ELSE 'queued' END,"
    " lease_owner = NULL, lease_expires = NULL, attempts = attempts + 1, fetched_at = now(),"
    " next_attempt_at = now() + $3::int * interval '1 second', http_status = NULLIF($4, 0),"
    " last_error = $5 WHERE id = $1 AND lease_owner = $2";
constexpr const char* kRenewLeases =
    "UPDATE frontier SET lease_expires = now() + $2::int * interval '1 second'"
    " WHERE state = 'leased' AND lease_owner = $1";
constexpr const char* kReleaseLeases =
    "UPDATE frontier SET state = 'queued', lease_owner = NULL, lease_expires = NULL,"
    " next_attempt_at = now() WHERE state = 'leased' AND lease_owner = $1";
// Leases of live workers that have not expired are others' work in
// progress; the rest (kLeaseStranded's) are to be taken.
constexpr const char* kState =
    "SELECT count(*) FILTER (WHERE f.state = 'queued' AND f.next_attempt_at <= now()),"
    " count(*) FILTER (WHERE f.state = 'queued' AND f.next_attempt_at > now()),"
    " count(*) FILTER (WHERE f.state = 'leased' AND f.lease_owner <> $2 AND f.lease_expires >= now()"
    "   AND w.worker IS NOT NULL),"
    " count(*) FILTER (WHERE f.state = 'leased' AND (f.lease_expires < now() OR w.worker IS NULL))"
    " FROM frontier f LEFT JOIN live_crawl_workers w ON f.state = 'leased' AND w.worker = f.lease_owner"
    " WHERE f.source = ANY($1::text[]) AND f.state IN ('queued', 'leased')";

// The pass began when the earliest live worker of these sources began.
constexpr const char* kPassStart =
    "SELECT extract(epoch FROM least(now(), (SELECT min(w.started_at) FROM live_crawl_workers w"
    " WHERE w.sources && $1::text[])))::float8";
// Other workers' fetches (and this one's), newest first: frontier_done's index.
constexpr const char* kFetchedSince =
    "SELECT source, url, url_sealed, content_hash, extract(epoch FROM fetched_at)::float8 FROM frontier"
    " WHERE source = ANY($1::text[]) AND state = 'done'"
    " AND fetched_at >= to_timestamp($2::float8) - $3::float8 * interval '1 second'"
    " AND content_hash IS NOT NULL ORDER BY fetched_at DESC LIMIT $4";

// Tries per URL across passes before a rescheduled URL counts as failed.
constexpr int kMaxRescheduledAttempts = 5;

const char* state_name(Outcome::Kind kind) {
  switch (kind) {
    case Outcome::Kind::kSkipped:
      return "skipped";
    case Outcome::Kind::kLoginWall:
      return "login_wall";
    case Outcome::Kind::kFetchedAsVariant:
      return "done";
    default:
      return "failed";
  }
}

// URLs in the form kEnqueue takes: a URL that carries an identifier is
// stored masked (with a keyed tag that keeps it unique) and sealed, so the
// crawler can still fetch it and a dump shows no identifier.
struct StoredUrls {
  std::vector<std::string> stored;
  std::vector<std::string> sealed;  // hex; '' where stored == the URL
};

StoredUrls to_stored(const db::ListingPrivacy& privacy, const std::vector<std::string>& urls) {
  StoredUrls out;
  for (const auto& url : urls) {
    out.stored.push_back(privacy.stored_url(url));
    out.sealed.push_back(out.stored.back() == url ? std::string() : to_hex(privacy.seal(url)));
  }
  return out;
}

// The URL a frontier row names: `url`, or, when it is stored masked,
// `sealed` opened; nullopt when sealed under another key (the HMAC key was
// replaced), where the stored, masked form is all there is.
std::optional<std::string> open_url(const pqxx::field& url, const pqxx::field& sealed,
                                    const db::ListingPrivacy& privacy) {
  if (sealed.is_null()) return url.as<std::string>();
  pqxx::binarystring bytes(sealed);
  return privacy.open(std::string_view(bytes.get(), bytes.size()));
}

std::vector<LeasedUrl> to_leased(const pqxx::result& rows, const std::string& source,
                                 const db::ListingPrivacy& privacy) {
  std::vector<LeasedUrl> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    LeasedUrl u;
    u.id = row[0].as<int64_t>();
    // Sealed under another key: fetching the masked form fails and says so.
    u.url = open_url(row[1], row[6], privacy).value_or(row[1].as<std::string>());
    u.source = source;
    u.depth = row[2].as<int>();
    u.attempts = row[3].as<int>();
    u.etag = row[4].as<std::string>();
    u.last_modified = row[5].as<std::string>();
    if (row.size() > 7) u.taken_from = row[7].as<std::string>();
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace

Frontier::Frontier(pqxx::connection& conn, std::string worker, int lease_s, const db::ListingPrivacy& privacy)
    : conn_(conn), worker_(std::move(worker)), lease_s_(lease_s), privacy_(privacy) {}

void Frontier::prepare_source(const std::string& source, const std::vector<std::string>& seeds,
                              int64_t max_pages, double revisit_hours) {
  return db::store_call([&] { return "preparing source " + source + " in the frontier"; },
                        [&] {
                          pqxx::work tx(conn_);
                          tx.exec_params0(kUpsertSource, source);
                          tx.exec_params(kLockSource, source);
                          int64_t known = tx.exec_params1(kCountSource, source)[0].as<int64_t>();
                          int64_t room = std::max<int64_t>(0, max_pages - known);
                          StoredUrls stored = to_stored(privacy_, seeds);
                          tx.exec_params0(kEnqueue, source, 0, to_pg_array(stored.stored), room,
                                          to_pg_array(stored.sealed));
                          tx.exec_params0(kRequeueRevisits, source, revisit_hours);
                          tx.commit();
                        });
}

std::vector<LeasedUrl> Frontier::lease(const std::string& source, int n) {
  return db::store_call(
      [&] { return "leasing URLs of source " + source; },
      [&]() -> std::vector<LeasedUrl> {
        if (n <= 0) return {};
        pqxx::work tx(conn_);
        auto out = to_leased(tx.exec_params(kLeaseStranded, source, worker_, n, lease_s_), source, privacy_);
        if (static_cast<int>(out.size()) < n) {
          auto more = to_leased(
              tx.exec_params(kLeaseQueued, source, worker_, n - static_cast<int>(out.size()), lease_s_),
              source, privacy_);
          for (auto& u : more) out.push_back(std::move(u));
        }
        tx.commit();
        return out;
      });
}

CommitResult Frontier::commit(const std::vector<Outcome>& outcomes, const std::vector<DiscoveredLinks>& links,
                              const std::vector<std::pair<std::string, int64_t>>& max_pages) {
  // Workers storing the same content or links at once may still deadlock
  // (PostgreSQL then rolls one back); the batch is written again.
  constexpr int kTries = 3;
  auto once = [&] {
    CommitResult result;
    pqxx::work tx(conn_);
    std::vector<db::PageToStore> pages;
    // kMarkDone's columns.
    std::vector<std::string> done_ids, done_statuses, done_etags, done_last_modified, done_hashes;
    for (const auto& o : outcomes) {
      switch (o.kind) {
        case Outcome::Kind::kFetched:
          if (o.page) pages.push_back({&o.source, &*o.page});
          [[fallthrough]];
        case Outcome::Kind::kNotModified:
          done_ids.push_back(std::to_string(o.frontier_id));
          done_statuses.push_back(std::to_string(o.http_status));
          done_etags.push_back(o.etag);
          done_last_modified.push_back(o.last_modified);
          done_hashes.push_back(o.page ? to_hex(o.page->content_hash) : std::string());
          break;
        case Outcome::Kind::kRetryLater:
          tx.exec_params0(kMarkRetryLater, o.frontier_id, worker_, o.retry_after_s, o.http_status,
                          privacy_.mask(o.error), kMaxRescheduledAttempts);
          break;
        case Outcome::Kind::kLoginWall: {
          if (db::record_login_wall(tx, privacy_, o.source, o.login_url, o.error)) {
            result.new_login_walls.push_back(o.source);
          }
          tx.exec_params0(kMarkFinal, o.frontier_id, worker_, state_name(o.kind), o.http_status,
                          privacy_.mask(o.error));
          break;
        }
        case Outcome::Kind::kSkipped:
        case Outcome::Kind::kFailed:
        case Outcome::Kind::kFetchedAsVariant:
          tx.exec_params0(kMarkFinal, o.frontier_id, worker_, state_name(o.kind), o.http_status,
                          privacy_.mask(o.error));
          break;
      }
    }
    db::StoredPages stored = db::store_pages(tx, privacy_, pages);
    result.pages_new += stored.pages_new;
    result.pages_duplicate += stored.pages_duplicate;
    if (!done_ids.empty()) {
      tx.exec_params0(kMarkDone, to_pg_array(done_ids), to_pg_array(done_statuses), to_pg_array(done_etags),
                      to_pg_array(done_last_modified), worker_, to_pg_array(done_hashes));
    }
    // Links grouped per source. The budget is counted exactly (under the
    // source's lock) only near max_pages; far from it an estimate will do,
    // and spares a count over the whole frontier at every commit (other
    // workers' additions since our last count may overshoot it a little).
    std::set<std::string> locked;
    for (const auto& group : links) {
      if (group.urls.empty()) continue;
      int64_t limit = 0;
      for (const auto& [name, pages] : max_pages) {
        if (name == group.source) limit = pages;
      }
      int64_t& known = known_urls_[group.source];
      if (known == 0 || known + static_cast<int64_t>(group.urls.size()) >= limit) {
        if (!locked.count(group.source)) {
          tx.exec_params(kLockSource, group.source);
          locked.insert(group.source);
        }
        known = tx.exec_params1(kCountSource, group.source)[0].as<int64_t>();
      }
      int64_t room = limit - known;
      if (room <= 0) continue;
      StoredUrls urls = to_stored(privacy_, group.urls);
      auto r = tx.exec_params0(kEnqueue, group.source, group.depth, to_pg_array(urls.stored), room,
                               to_pg_array(urls.sealed));
      result.urls_enqueued += static_cast<int>(r.affected_rows());
      known += static_cast<int64_t>(r.affected_rows());
    }
    tx.commit();
    return result;
  };
  return db::store_call([&] { return "committing " + std::to_string(outcomes.size()) + " crawl outcomes"; },
                        [&] {
                          for (int attempt = 1;; ++attempt) {
                            try {
                              return once();
                            } catch (const pqxx::deadlock_detected&) {
                              if (attempt >= kTries) throw;
                            }
                          }
                        });
}

void Frontier::renew_leases() {
  return db::store_call("renewing this crawl's leases", [&] {
    pqxx::work tx(conn_);
    tx.exec_params0(kRenewLeases, worker_, lease_s_);
    tx.commit();
  });
}

void Frontier::release_leases() {
  return db::store_call("giving back this crawl's leases", [&] {
    pqxx::work tx(conn_);
    tx.exec_params0(kReleaseLeases, worker_);
    tx.commit();
  });
}

FrontierState Frontier::state(const std::vector<std::string>& sources) {
  return db::store_call("counting the frontier's queued URLs", [&] {
    pqxx::read_transaction tx(conn_);
    auto row = tx.exec_params1(kState, to_pg_array(sources), worker_);
    FrontierState s;
    s.ready = row[0].as<int64_t>();
    s.deferred = row[1].as<int64_t>();
    s.leased_by_others = row[2].as<int64_t>();
    s.expired_leases = row[3].as<int64_t>();
    return s;
  });
}

double Frontier::pass_start(const std::vector<std::string>& sources) {
  return db::store_call("reading when this crawl's pass began", [&] {
    pqxx::read_transaction tx(conn_);
    return tx.exec_params1(kPassStart, to_pg_array(sources))[0].as<double>();
  });
}

FetchedSince Frontier::fetched_since(const std::vector<std::string>& sources, double since, int64_t limit) {
  return db::store_call("reading the URLs other crawl workers fetched", [&] {
    pqxx::read_transaction tx(conn_);
    FetchedSince out;
    out.watermark = since;
    for (const auto& row :
         tx.exec_params(kFetchedSince, to_pg_array(sources), since, kFetchedOverlap, limit)) {
      out.watermark = std::max(out.watermark, row[4].as<double>());
      auto url = open_url(row[1], row[2], privacy_);
      if (!url) continue;
      pqxx::binarystring hash(row[3]);
      out.urls.push_back({row[0].as<std::string>(), std::move(*url), hash.str()});
    }
    return out;
  });
}

}  // namespace leakwatch::crawler

namespace leakwatch::crawler {

int64_t rewrite_frontier_plaintext(pqxx::connection& conn, const db::ListingPrivacy& privacy) {
  try {
    pqxx::work tx(conn, "rewrite frontier");
    int64_t changed = 0;
    for (const auto& row : tx.exec("SELECT id, url, coalesce(last_error, '') FROM frontier ORDER BY id")) {
      const auto id = row[0].as<int64_t>();
      const std::string url = row[1].as<std::string>(), error = row[2].as<std::string>();
      const std::string stored = privacy.stored_url(url), masked = privacy.mask(error);
      if (stored == url && masked == error) continue;
      ++changed;
      if (stored != url && !tx.exec_params("SELECT 1 FROM frontier WHERE url = $1", stored).empty()) {
        tx.exec_params0("DELETE FROM frontier WHERE id = $1", id);
        continue;
      }
      tx.exec_params0(
          "UPDATE frontier SET url = $2, last_error = NULLIF($3, ''),"
          " url_sealed = CASE WHEN $4 THEN decode($5, 'hex') ELSE url_sealed END WHERE id = $1",
          id, stored, masked, stored != url, to_hex(privacy.seal(url)));
    }
    tx.commit();
    return changed;
  } catch (const pqxx::failure& e) {
    throw RuntimeError(std::string("purge --rewrite: frontier: ") + e.what());
  }
}

}  // namespace leakwatch::crawler
